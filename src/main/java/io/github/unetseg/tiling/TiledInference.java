package io.github.unetseg.tiling;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;

/**
 * Sliding-window inference: reads tiles, runs them through a {@link TileModel} in batches and stitches
 * the outputs, with reading, prediction and stitching overlapping through bounded queues.
 *
 * <p>Three threads cooperate: a reader fills batches of tiles ({@link TileReader}), the calling thread
 * runs the model, a stitcher adds outputs to a {@link Stitcher}. Each queue holds at most
 * {@value #QUEUE_CAPACITY} batches, so memory is bounded by a few batches plus the result. When the
 * model reports that a batch does not fit in memory ({@link BatchMemoryException}), the batch size is
 * halved and the same tiles are run again, down to one tile; only a single tile that does not fit ends
 * the run. The same scheme as MONAI's {@code sliding_window_inference} and nnU-Net's
 * {@code predict_sliding_window_return_logits}, with the blending of {@link TilePlan}.
 */
public final class TiledInference {

	/** Batches waiting between two stages. */
	public static final int QUEUE_CAPACITY = 2;

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

	private record Batch(List<Tile> tiles, float[] data) {}

	private record Predicted(List<Tile> tiles, float[] data) {}

	private static final Batch END = new Batch(List.of(), new float[0]);
	private static final Predicted DONE = new Predicted(List.of(), new float[0]);

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
		long start = System.nanoTime();
		Stitcher stitcher = new Stitcher(plan, model.outputChannels());
		Stats s = runInto(volume, scale, offset, model, plan, batchSize, progress, stitcher);
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
		if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
		if (volume.channels() != model.inputChannels())
			throw new IllegalArgumentException("the image has " + volume.channels() + " channels, the model expects " +
				model.inputChannels());
		if (!java.util.Arrays.equals(volume.spatialSize(), plan.imageSize()))
			throw new IllegalArgumentException("the plan does not cover the image size");
		long start = System.nanoTime();
		TileReader<T> reader = new TileReader<>(volume, scale, offset);
		long[] tileSize = plan.tileSize();
		int tileIn = Math.toIntExact(plan.tileVoxels() * model.inputChannels());
		int tileOut = Math.toIntExact(plan.tileVoxels() * model.outputChannels());
		List<Tile> tiles = plan.tiles();
		BlockingQueue<Batch> toModel = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
		BlockingQueue<Predicted> toStitcher = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
		AtomicReference<Throwable> failure = new AtomicReference<>();

		Thread readerThread = new Thread(() -> {
			try {
				for (int first = 0; first < tiles.size() && failure.get() == null; first += batchSize) {
					List<Tile> chunk = tiles.subList(first, Math.min(tiles.size(), first + batchSize));
					float[] data = new float[chunk.size() * tileIn];
					for (int i = 0; i < chunk.size(); i++)
						reader.read(chunk.get(i).inputMin(), tileSize, data, i * tileIn);
					if (!offer(toModel, new Batch(chunk, data), failure)) return;
				}
				offer(toModel, END, failure);
			}
			catch (Throwable t) {
				failure.compareAndSet(null, t);
			}
		}, "unetseg-tile-reader");
		Thread stitcherThread = new Thread(() -> {
			try {
				while (true) {
					Predicted p = toStitcher.poll(100, TimeUnit.MILLISECONDS);
					if (p == null) {
						if (failure.get() != null) return;
						continue;
					}
					if (p == DONE) return;
					for (int i = 0; i < p.tiles().size(); i++) sink.add(p.tiles().get(i), p.data(), i * tileOut);
				}
			}
			catch (Throwable t) {
				failure.compareAndSet(null, t);
			}
		}, "unetseg-stitcher");
		readerThread.setDaemon(true);
		stitcherThread.setDaemon(true);
		readerThread.start();
		stitcherThread.start();

		int current = batchSize;
		long modelNanos = 0;
		int done = 0;
		try {
			progress.progress(0, tiles.size(), "predicting " + tiles.size() + " tiles");
			while (true) {
				if (progress.isCancelled()) throw new CancellationException("segmentation cancelled");
				Batch b = toModel.poll(100, TimeUnit.MILLISECONDS);
				if (b == null) {
					rethrow(failure.get());
					continue;
				}
				if (b == END) break;
				int n = b.tiles().size();
				float[] out = null;
				for (int first = 0; first < n;) {
					int count = Math.min(current, n - first);
					float[] in = count == n ? b.data() : java.util.Arrays.copyOfRange(b.data(), first * tileIn, (first + count) * tileIn);
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
				while (!toStitcher.offer(new Predicted(b.tiles(), out), 100, TimeUnit.MILLISECONDS))
					rethrow(failure.get());
				done += n;
				progress.progress(done, tiles.size(), "predicted " + done + "/" + tiles.size() + " tiles");
			}
			while (!toStitcher.offer(DONE, 100, TimeUnit.MILLISECONDS))
				rethrow(failure.get());
			stitcherThread.join();
			rethrow(failure.get());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			failure.compareAndSet(null, e);
			throw new CancellationException("segmentation interrupted");
		}
		catch (RuntimeException | Error e) {
			failure.compareAndSet(null, e);
			throw e;
		}
		finally {
			failure.compareAndSet(null, new CancellationException("finished"));
			readerThread.interrupt();
		}
		return new Stats(tiles.size(), current, modelNanos / 1e9, (System.nanoTime() - start) / 1e9);
	}

	private static boolean offer(BlockingQueue<Batch> q, Batch b, AtomicReference<Throwable> failure) throws InterruptedException {
		while (!q.offer(b, 100, TimeUnit.MILLISECONDS))
			if (failure.get() != null) return false;
		return true;
	}

	private static void rethrow(Throwable t) {
		if (t == null) return;
		if (t instanceof RuntimeException r) throw r;
		if (t instanceof Error e) throw e;
		throw new IllegalStateException("tile pipeline failed: " + t, t);
	}
}
