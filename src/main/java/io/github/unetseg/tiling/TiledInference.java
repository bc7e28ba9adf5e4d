package io.github.unetseg.tiling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;

/**
 * Sliding-window inference: reads tiles, runs them through a {@link TileModel} in batches and stitches
 * the outputs, with reading, prediction and stitching overlapping.
 *
 * <p>The calling thread runs the model; one single-thread executor reads the next batch of tiles
 * ({@link TileReader}) while the current one is predicted, another adds the previous batch's outputs
 * to the {@link TileSink} (nnU-Net's {@code predict_from_raw_data} keeps one batch ahead the same way).
 * Exceptions of either surface through {@link Future#get()} on the calling thread. Memory is bounded by
 * three batches (being read, predicted, stitched) plus the result. When the
 * model reports that a batch does not fit in memory ({@link BatchMemoryException}), the batch size is
 * halved and the same tiles are run again, down to one tile; only a single tile that does not fit ends
 * the run. The same scheme as MONAI's {@code sliding_window_inference} and nnU-Net's
 * {@code predict_sliding_window_return_logits}, with the blending of {@link TilePlan}.
 */
public final class TiledInference {

	private TiledInference() {}

	/**
	 * Timing and batching figures of one run.
	 *
	 * @param tiles tiles predicted
	 * @param batchSize batch size in use at the end (smaller than requested after out-of-memory retries)
	 * @param modelSeconds wall time spent inside {@link TileModel#predict}, in seconds
	 * @param totalSeconds wall time of the whole run, in seconds
	 */
	public record Stats(int tiles, int batchSize, double modelSeconds, double totalSeconds) {}

	/**
	 * Output of {@link #run}.
	 *
	 * @param result stitched labels and probabilities
	 * @param stats timing figures
	 */
	public record Output(Stitcher.StitchedResult result, Stats stats) {}

	/**
	 * Predicts a whole volume tile by tile.
	 *
	 * @param volume input {@code [x, y(, z), c]} with {@code model.inputChannels()} channels
	 * @param scale per-channel normalisation multiplier (see {@link TileReader})
	 * @param offset per-channel normalisation offset
	 * @param model the network
	 * @param plan tiles covering {@code volume.spatialSize()}
	 * @param batchSize tiles per batch to start with, &gt;= 1
	 * @param threshold probability threshold for binary models, in {@code [0, 1]}
	 * @param progress receives one update per batch; cancelling stops within one batch
	 * @return labels, probabilities and figures
	 * @throws CancellationException if {@code progress} asked to stop
	 * @throws BatchMemoryException if even one tile does not fit in memory
	 * @throws IllegalArgumentException if the plan or channels do not fit the volume and model
	 */
	public static <T extends RealType<T>> Output run(Volume<T> volume, double[] scale, double[] offset, TileModel model,
		TilePlan plan, int batchSize, double threshold, ProgressListener progress)
	{
		return run(volume, IntensityMap.affine(scale, offset), model, plan, batchSize, threshold, progress);
	}

	/**
	 * Predicts a whole volume tile by tile, its values mapped and clipped by {@code map}.
	 *
	 * @param volume input {@code [x, y(, z), c]} with {@code model.inputChannels()} channels
	 * @param map per-channel normalisation (affine map and clip bounds, see {@link TileReader})
	 * @param model the network
	 * @param plan tiles covering {@code volume.spatialSize()}
	 * @param batchSize tiles per batch to start with, &gt;= 1
	 * @param threshold probability threshold for binary models, in {@code [0, 1]}
	 * @param progress receives one update per batch; cancelling stops within one batch
	 * @return labels, probabilities and figures
	 * @throws CancellationException if {@code progress} asked to stop
	 * @throws BatchMemoryException if even one tile does not fit in memory
	 * @throws IllegalArgumentException if the plan or channels do not fit the volume and model
	 */
	public static <T extends RealType<T>> Output run(Volume<T> volume, IntensityMap map, TileModel model, TilePlan plan,
		int batchSize, double threshold, ProgressListener progress)
	{
		long start = System.nanoTime();
		Stitcher stitcher = new Stitcher(plan, model.outputChannels());
		Stats s = runInto(volume, map, model, plan, batchSize, progress, stitcher);
		Stitcher.StitchedResult result = stitcher.finish(threshold, volume.calibration());
		return new Output(result, new Stats(s.tiles(), s.batchSize(), s.modelSeconds(), (System.nanoTime() - start) / 1e9));
	}

	/**
	 * Predicts a whole volume tile by tile into any {@link TileSink} (for example a writer that streams
	 * labels to disk); the same pipeline as {@link #run}.
	 *
	 * @param volume input {@code [x, y(, z), c]} with {@code model.inputChannels()} channels
	 * @param scale per-channel normalisation multiplier
	 * @param offset per-channel normalisation offset
	 * @param model the network
	 * @param plan tiles covering {@code volume.spatialSize()}
	 * @param batchSize tiles per batch to start with, &gt;= 1
	 * @param progress receives one update per batch; cancelling stops within one batch
	 * @param sink receives every tile's output, in plan order, from one thread
	 * @return timing and batching figures
	 * @throws CancellationException if {@code progress} asked to stop
	 * @throws BatchMemoryException if even one tile does not fit in memory
	 */
	public static <T extends RealType<T>> Stats runInto(Volume<T> volume, double[] scale, double[] offset, TileModel model,
		TilePlan plan, int batchSize, ProgressListener progress, TileSink sink)
	{
		return runInto(volume, IntensityMap.affine(scale, offset), model, plan, batchSize, progress, sink);
	}

	/**
	 * As {@link #runInto(Volume, double[], double[], TileModel, TilePlan, int, ProgressListener, TileSink)}
	 * with values mapped and clipped by {@code map}.
	 *
	 * @param volume input {@code [x, y(, z), c]} with {@code model.inputChannels()} channels
	 * @param map per-channel normalisation (affine map and clip bounds)
	 * @param model the network
	 * @param plan tiles covering {@code volume.spatialSize()}
	 * @param batchSize tiles per batch to start with, &gt;= 1
	 * @param progress receives one update per batch; cancelling stops within one batch
	 * @param sink receives every tile's output, in plan order, from one thread
	 * @return timing and batching figures
	 * @throws CancellationException if {@code progress} asked to stop
	 * @throws BatchMemoryException if even one tile does not fit in memory
	 */
	public static <T extends RealType<T>> Stats runInto(Volume<T> volume, IntensityMap map, TileModel model, TilePlan plan,
		int batchSize, ProgressListener progress, TileSink sink)
	{
		if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
		if (volume.channels() != model.inputChannels())
			throw new IllegalArgumentException("the image has " + volume.channels() + " channels, the model expects " +
				model.inputChannels());
		if (!java.util.Arrays.equals(volume.spatialSize(), plan.imageSize()))
			throw new IllegalArgumentException("the plan does not cover the image size");
		long start = System.nanoTime();
		TileReader<T> reader = new TileReader<>(volume, map);
		long[] tileSize = plan.tileSize();
		int tileIn = Math.toIntExact(plan.tileVoxels() * model.inputChannels());
		int tileOut = Math.toIntExact(plan.tileVoxels() * model.outputChannels());
		List<Tile> tiles = plan.tiles();
		List<List<Tile>> batches = new ArrayList<>();
		for (int first = 0; first < tiles.size(); first += batchSize)
			batches.add(tiles.subList(first, Math.min(tiles.size(), first + batchSize)));
		ExecutorService readPool = daemonThread("unetseg-tile-reader");
		ExecutorService stitchPool = daemonThread("unetseg-stitcher");
		Future<float[]> next = batches.isEmpty() ? null : readPool.submit(() -> read(reader, batches.get(0), tileSize, tileIn));
		Future<?> stitching = null;
		int current = batchSize;
		long modelNanos = 0;
		int done = 0;
		try {
			progress.progress(0, tiles.size(), "predicting " + tiles.size() + " tiles");
			for (int k = 0; k < batches.size(); k++) {
				if (progress.isCancelled()) throw new CancellationException("segmentation cancelled");
				List<Tile> chunk = batches.get(k);
				float[] data = await(next);
				if (k + 1 < batches.size()) {
					List<Tile> following = batches.get(k + 1);
					next = readPool.submit(() -> read(reader, following, tileSize, tileIn)); // one batch ahead
				}
				int n = chunk.size();
				float[] out = null;
				for (int first = 0; first < n;) {
					int count = Math.min(current, n - first);
					float[] in = count == n ? data : Arrays.copyOfRange(data, first * tileIn, (first + count) * tileIn);
					long t0 = System.nanoTime();
					float[] res;
					try {
						res = model.predict(in, count, tileSize);
					}
					catch (BatchMemoryException e) {
						if (count == 1) throw e;
						current = Math.max(1, count / 2);
						progress.progress(done, tiles.size(), "out of memory with batch " + count + ", retrying with " + current);
						continue;
					}
					finally {
						modelNanos += System.nanoTime() - t0;
					}
					if (res.length != count * tileOut)
						throw new IllegalStateException("model returned " + res.length + " values for " + count + " tiles, expected " +
							(long) count * tileOut);
					if (count == n) out = res; // the whole batch in one run: no copy
					else {
						if (out == null) out = new float[n * tileOut];
						System.arraycopy(res, 0, out, first * tileOut, res.length);
					}
					first += count;
				}
				if (stitching != null) await(stitching); // one batch behind, in plan order
				float[] predicted = out;
				stitching = stitchPool.submit(() -> {
					for (int i = 0; i < chunk.size(); i++)
						sink.add(new TileOutput(chunk.get(i), tileSize, model.outputChannels(), predicted, i * tileOut));
				});
				done += n;
				progress.progress(done, tiles.size(), "predicted " + done + "/" + tiles.size() + " tiles");
			}
			if (stitching != null) await(stitching);
		}
		finally {
			readPool.shutdownNow();
			stitchPool.shutdown();
			// on failure or cancel, let a stitch in flight finish before the caller closes its sink
			try {
				stitchPool.awaitTermination(1, TimeUnit.MINUTES);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		return new Stats(tiles.size(), current, modelNanos / 1e9, (System.nanoTime() - start) / 1e9);
	}

	private static <T extends RealType<T>> float[] read(TileReader<T> reader, List<Tile> chunk, long[] tileSize, int tileIn) {
		float[] data = new float[chunk.size() * tileIn];
		for (int i = 0; i < chunk.size(); i++) reader.read(chunk.get(i).inputMin(), tileSize, data, i * tileIn);
		return data;
	}

	private static ExecutorService daemonThread(String name) {
		return Executors.newSingleThreadExecutor(r -> {
			Thread t = new Thread(r, name);
			t.setDaemon(true);
			return t;
		});
	}

	/** The future's value, or its exception as if the work had been done on this thread. */
	private static <V> V await(Future<V> f) {
		try {
			return f.get();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new CancellationException("segmentation interrupted");
		}
		catch (ExecutionException e) {
			Throwable t = e.getCause();
			if (t instanceof RuntimeException r) throw r;
			if (t instanceof Error err) throw err;
			throw new IllegalStateException("tile pipeline failed: " + t, t);
		}
	}
}
