package io.github.unetseg.service;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyNifti;
import io.github.unetseg.io.NiftiLabelWriter;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;
import io.github.unetseg.tensorflow.TensorFlowModel;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TilePlan.Border;
import io.github.unetseg.tiling.TiledInference;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The one entry to segmentation that the CLI, the Fiji commands and macros call: load a model once,
 * then segment images or files with it.
 *
 * <p>For each image it checks that dimensionality and channels fit the model, normalises it as
 * {@code model.json} says, plans tiles ({@link TilePlan}), runs the pipelined
 * {@link TiledInference}, and returns labels (and probabilities). Files are written atomically.
 * Owns the TensorFlow session: close it. Not for concurrent use.
 */
public final class SegmentationService implements AutoCloseable {

	/** Upper bound of the automatic batch size. */
	public static final int MAX_AUTO_BATCH = 16;

	private final ModelBundle bundle;
	private final TensorFlowModel model;
	private final EngineOptions options;

	/**
	 * Loads a model.
	 *
	 * @param modelDir model folder (SavedModel + model.json)
	 * @param options device, threads and precision
	 * @throws SegmentationException if the model folder is missing, invalid or does not load
	 */
	public SegmentationService(Path modelDir, EngineOptions options) {
		this.bundle = ModelBundle.read(modelDir);
		this.model = TensorFlowModel.load(bundle, options);
		this.options = options;
	}

	/** @return the model's description */
	public ModelSpec spec() {
		return bundle.spec();
	}

	/** @return the model folder */
	public Path modelDirectory() {
		return bundle.directory();
	}

	/**
	 * @return the device TensorFlow runs the network on, e.g. {@code "CPU"} or {@code "GPU:0 (15.7 GiB)"},
	 *     followed by {@code ", mixed precision"} when {@link Precision#MIXED} was asked for
	 */
	public String device() {
		return options.precision() == Precision.MIXED ? model.device() + ", mixed precision" : model.device();
	}

	/**
	 * Result of one image.
	 *
	 * @param labels class indices {@code [x, y(, z), 1]}, 8- or 16-bit, with the input's calibration
	 * @param probabilities probabilities {@code [x, y(, z), channels]} in {@code [0, 1]}, or
	 *     {@code null} unless requested
	 * @param plan the tiles used
	 * @param batchSize tiles per batch at the end of the run
	 * @param stats timing
	 * @param device where the network ran
	 * @param warnings things the user should know (e.g. a spacing far from the model's)
	 * @param seconds wall time of the whole segmentation in memory (statistics for normalisation,
	 *     planning, tiled inference, labels), in seconds
	 */
	public record Result(Volume<?> labels, Volume<FloatType> probabilities, TilePlan plan, int batchSize,
		TiledInference.Stats stats, String device, List<String> warnings, double seconds)
	{

		/** @return input voxels (one channel) per second of wall time, normalisation statistics included */
		public double voxelsPerSecond() {
			long v = 1;
			for (long s : plan.imageSize()) v *= s;
			return v / Math.max(1e-9, seconds);
		}

		/** @return share of the wall time spent outside TensorFlow's Session.run, in {@code [0, 1]} */
		public double outsideModelShare() {
			return seconds <= 0 ? 0 : Math.max(0, 1 - stats.modelSeconds() / seconds);
		}
	}

	/**
	 * Segments an image in memory.
	 *
	 * @param volume image {@code [x, y(, z), c]} whose dimensionality and channels fit the model
	 * @param settings tiling and output settings
	 * @param progress progress and cancellation
	 * @param source name of the image for messages
	 * @return labels, optional probabilities, figures
	 * @throws SegmentationException if the image does not fit the model or a tile does not fit in memory
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public <T extends RealType<T>> Result segment(Volume<T> volume, SegmentationSettings settings, ProgressListener progress,
		String source)
	{
		List<String> warnings = checkFits(volume, source);
		long t0 = System.nanoTime();
		TilePlan plan = plan(volume.spatialSize(), settings);
		int batch = settings.batch() > 0 ? settings.batch() : autoBatch(plan);
		double[][] norm = bundle.spec().normalization().affine(volume);
		TiledInference.Output out;
		try {
			out = TiledInference.run(volume, norm[0], norm[1], model, plan, batch, settings.threshold(), progress);
		}
		catch (io.github.unetseg.tiling.BatchMemoryException e) {
			throw tileTooLarge(plan, e);
		}
		return new Result(out.result().labels(), settings.probabilities() ? out.result().probabilities() : null, plan,
			out.stats().batchSize(), out.stats(), device(), List.copyOf(warnings), (System.nanoTime() - t0) / 1e9);
	}

	private SegmentationException tileTooLarge(TilePlan plan, RuntimeException e) {
		return new SegmentationException("A single tile of " + Arrays.toString(plan.tileSize()) + " pixels does not fit in " +
			"memory on " + device() + ". Fix: use a smaller --tile.", e);
	}

	/**
	 * Checks that an image fits the model (dimensionality, channels) and collects warnings (spacing).
	 *
	 * @throws SegmentationException if it does not fit
	 */
	private <T extends RealType<T>> List<String> checkFits(Volume<T> volume, String source) {
		ModelSpec spec = bundle.spec();
		if (volume.spatialDims() != spec.dimensions())
			throw new SegmentationException(source + " is " + volume.spatialDims() + "D (" + volume.describeSize() + ") but model " +
				spec.name() + " is " + spec.dimensions() + "D. Fix: use a " + volume.spatialDims() + "D model" +
				(volume.spatialDims() == 3 ? " or segment slice by slice with a 2D model." : "."));
		if (volume.channels() != spec.inputChannels())
			throw new SegmentationException(source + " has " + volume.channels() + " channel(s) but model " + spec.name() + " expects " +
				spec.inputChannels() + ". Fix: " + (volume.channels() == 3 && spec.inputChannels() == 1
					? "convert the RGB image to 8-bit (Image > Type > 8-bit)." : "select the channels the model was trained on."));
		List<String> warnings = new ArrayList<>();
		double[] ms = spec.spacing();
		if (!"pixel".equals(spec.spacingUnit()) && spec.spacingUnit().equals(volume.calibration().unit())) {
			for (int d = 0; d < ms.length; d++) {
				double ratio = volume.calibration().spacing(d) / ms[d];
				if (ratio < 0.8 || ratio > 1.25) {
					warnings.add(String.format(Locale.ROOT, "%s has spacing %s %s but the model was trained at %s %s; results may " +
						"suffer. Resample the image to the model's spacing first.", source, Arrays.toString(volume.calibration().spacing()),
						volume.calibration().unit(), Arrays.toString(ms), spec.spacingUnit()));
					break;
				}
			}
		}
		return warnings;
	}

	/**
	 * The tile plan for an image size under these settings: the model's tile and halo unless
	 * overridden, tiles rounded up to the model's alignment.
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]}
	 * @param settings the settings
	 * @return the plan
	 * @throws SegmentationException if tile and halo leave no core
	 */
	public TilePlan plan(long[] imageSize, SegmentationSettings settings) {
		ModelSpec spec = bundle.spec();
		int n = spec.dimensions();
		long[] halo = perAxis(settings.halo(), spec.halo(), n, "--halo");
		int a = spec.alignment();
		long[] tile = settings.tile() == null ? autoTile(imageSize, spec.tile(), halo, a, memoryBudgetVoxels(), settings.border())
			: perAxis(settings.tile(), spec.tile(), n, "--tile");
		for (int d = 0; d < n; d++) tile[d] = (tile[d] + a - 1) / a * a;
		try {
			return TilePlan.create(imageSize, tile, halo, settings.overlap(), a, settings.border());
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException("Tiling settings do not work for model " + spec.name() + ": " + e.getMessage() + ".", e);
		}
	}

	/**
	 * Tile size per axis that computes the fewest pixels for this image: the cost of a plan is
	 * {@code prod(tiles along d * tile_d)} (the plan's own tile count), searched over multiples of the
	 * alignment from the smallest useful tile ({@code 2 * halo + alignment}) up to the whole image (padded
	 * by the halo with {@link Border#MIRROR}), with the tile volume capped at {@code maxVoxels} (the memory
	 * budget) but never below 1.5 times the model's tile. Halo waste is what this minimises: with a halo
	 * of the receptive field, a tile that covers the image in one or two steps per axis is often several
	 * times cheaper than many small ones.
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]}
	 * @param modelTile the model's recommended tile
	 * @param halo halo per axis
	 * @param a alignment (2^depth)
	 * @param maxVoxels largest tile volume the memory budget allows, in voxels
	 * @param border the image border the plan will use
	 * @return tile size per axis, multiples of {@code a}
	 */
	static long[] autoTile(long[] imageSize, long[] modelTile, long[] halo, int a, double maxVoxels, Border border) {
		int n = imageSize.length;
		double cap = 1.5;
		for (long t : modelTile) cap *= t;
		cap = Math.max(cap, maxVoxels);
		long[][] cand = new long[n][];
		double[][] axisCost = new double[n][];
		for (int d = 0; d < n; d++) {
			long lo = roundUp(2 * halo[d] + a, a);
			long whole = roundUp(imageSize[d] + (border == Border.MIRROR ? 2 * halo[d] : 0), a);
			long hi = Math.max(lo, whole);
			// a coarser grid of candidates on long axes keeps the search small
			long stepA = Math.max(a, roundUp((hi - lo) / 64 + 1, a));
			int count = (int) ((hi - lo) / stepA) + 1;
			cand[d] = new long[count + 1];
			axisCost[d] = new double[count + 1];
			for (int i = 0; i <= count; i++) {
				cand[d][i] = i < count ? Math.min(lo + (long) i * stepA, hi) : hi;
				// computed pixels along this axis: the plan's tile count times its (possibly shrunk) tile
				TilePlan p = TilePlan.create(new long[] { imageSize[d] }, new long[] { cand[d][i] }, new long[] { halo[d] }, 0, a, border);
				axisCost[d][i] = (double) p.tiles().size() * p.tileSize()[0];
			}
		}
		long[] best = modelTile.clone();
		double bestCost = Double.POSITIVE_INFINITY;
		int[] idx = new int[n];
		while (true) {
			double vol = 1, cost = 1;
			long[] t = new long[n];
			for (int d = 0; d < n; d++) {
				t[d] = cand[d][idx[d]];
				vol *= t[d];
				cost *= axisCost[d][idx[d]];
			}
			if (vol <= cap && cost < bestCost) {
				bestCost = cost;
				best = t;
			}
			int d = 0;
			while (d < n && ++idx[d] >= cand[d].length) idx[d++] = 0;
			if (d == n) break;
		}
		return best;
	}

	private static long roundUp(long v, long m) {
		return (v + m - 1) / m * m;
	}

	private static long[] perAxis(long[] given, long[] fallback, int n, String name) {
		if (given == null) return fallback.clone();
		if (given.length == 1) {
			long[] v = new long[n];
			Arrays.fill(v, given[0]);
			return v;
		}
		if (given.length != n)
			throw new SegmentationException(name + " has " + given.length + " values but the model is " + n + "D. Fix: give 1 or " + n + " values.");
		return given.clone();
	}

	/**
	 * Voxels of network input that fit the memory budget: a quarter of the free physical memory, at an
	 * estimated {@value #BYTES_PER_VOXEL_AND_FILTER} bytes per input voxel and first-level filter (the
	 * U-Net's largest feature maps and their concatenations; measured: a 3D net with 8 filters peaked at
	 * 3.4 GB resident for one tile of 16.3 million voxels, about 26 bytes per voxel and filter).
	 */
	private double memoryBudgetVoxels() {
		long free;
		try {
			free = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getFreeMemorySize();
		}
		catch (ClassCastException e) {
			free = Runtime.getRuntime().maxMemory();
		}
		int filters = bundle.spec().architecture() != null ? bundle.spec().architecture().baseFilters() : 32;
		return free / 4.0 / (filters * (double) BYTES_PER_VOXEL_AND_FILTER);
	}

	/** Memory estimate of the tile and batch choices, bytes per input voxel and first-level filter. */
	public static final int BYTES_PER_VOXEL_AND_FILTER = 24;

	/**
	 * Picks a batch size from the memory budget ({@link #memoryBudgetVoxels()}) and from the Java heap:
	 * the pipeline holds up to four batches of input and four of output arrays at once, which must fit in
	 * a quarter of the maximum heap. Clamped to {@code [1, MAX_AUTO_BATCH]} and to the number of tiles.
	 * Out-of-memory errors still halve it at run time.
	 */
	private int autoBatch(TilePlan plan) {
		long b = Math.max(1, (long) (memoryBudgetVoxels() / plan.tileVoxels()));
		long perTileHeap = plan.tileVoxels() * 4L * 4 * (bundle.spec().inputChannels() + bundle.spec().outputChannels());
		b = Math.min(b, Math.max(1, Runtime.getRuntime().maxMemory() / 4 / perTileHeap));
		return (int) Math.min(Math.min(b, MAX_AUTO_BATCH), plan.tiles().size());
	}

	/**
	 * Reads a file, segments it and writes {@code <name>_labels<ext>} (and
	 * {@code <name>_probabilities<ext>}) into {@code outputDir}, where {@code <ext>} is {@code .nii.gz}
	 * for NIfTI inputs and {@code .tif} otherwise. Each output is written to a temporary file and moved
	 * into place, so an output that exists is complete.
	 *
	 * @param input TIFF or NIfTI file
	 * @param outputDir output folder, created if missing
	 * @param settings tiling and output settings
	 * @param progress progress and cancellation
	 * @return the result, with {@link FileResult#labelsFile()} set
	 * @throws SegmentationException if the input cannot be read, does not fit, or outputs cannot be written
	 */
	public FileResult segmentFile(Path input, Path outputDir, SegmentationSettings settings, ProgressListener progress) {
		long t0 = System.nanoTime();
		if (streams(input)) return streamFile(input, outputDir, settings, progress, t0);
		Volume<?> volume = ImageFiles.read(input);
		return writeOutputs(input, volume.describeSize(), segmentAny(volume, settings, progress, input.toString()), outputDir, t0);
	}

	/**
	 * Writes a result's labels (and probabilities) for an input, each atomically.
	 *
	 * @param t0 {@link System#nanoTime()} when the input's processing began
	 */
	private FileResult writeOutputs(Path input, String size, Result r, Path outputDir, long t0) {
		try {
			Files.createDirectories(outputDir);
		}
		catch (java.io.IOException e) {
			throw new SegmentationException("Cannot create output folder " + outputDir + ": " + e.getMessage() +
				". Fix: choose a writable --output folder.", e);
		}
		Path labels = labelsPath(input, outputDir);
		writeAny(r.labels(), labels, Math.max(2, bundle.spec().classNames().size()));
		Path probs = null;
		if (r.probabilities() != null) {
			probs = outputDir.resolve(ImageFiles.baseName(input) + "_probabilities" + ImageFiles.outputExtension(input));
			ImageFiles.write(r.probabilities(), probs, 0);
		}
		return new FileResult(input, labels, probs, r, size, (System.nanoTime() - t0) / 1e9);
	}

	/**
	 * Whether a file is segmented without loading it: an uncompressed 3D NIfTI ({@link LazyNifti})
	 * larger than an eighth of the Java heap (or than the system property {@code unetseg.streamingBytes}).
	 *
	 * @param input an input file
	 * @return true to stream it
	 */
	public static boolean streams(Path input) {
		long limit = Long.getLong("unetseg.streamingBytes", Runtime.getRuntime().maxMemory() / 8);
		try {
			return Files.isRegularFile(input) && Files.size(input) > limit && LazyNifti.supports(input);
		}
		catch (java.io.IOException e) {
			return false;
		}
	}

	/**
	 * Segments a volume larger than memory: the input is read slab by slab through a bounded cache
	 * ({@link LazyNifti}), labels are written tile by tile into an uncompressed NIfTI
	 * ({@link NiftiLabelWriter}); memory is bounded by the cache, the batch and the tile, not the volume.
	 * Probability maps and overlap blending need the whole result in memory and are not available here.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private FileResult streamFile(Path input, Path outputDir, SegmentationSettings settings, ProgressListener progress, long t0) {
		long cache = Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4);
		Volume volume = LazyNifti.open(input, cache);
		List<String> warnings = new ArrayList<>(checkFits(volume, input.toString()));
		if (settings.probabilities()) warnings.add(input + " is segmented without loading it; probabilities are not written.");
		if (settings.overlap() > 0) warnings.add(input + " is segmented without loading it; --overlap is ignored (halo cropping only).");
		TilePlan plan = plan(volume.spatialSize(), settings.withOverlap(0));
		int batch = settings.batch() > 0 ? settings.batch() : autoBatch(plan);
		double[][] norm = bundle.spec().normalization().affine(volume);
		Path labels = labelsPath(input, outputDir);
		TiledInference.Stats stats;
		try (NiftiLabelWriter writer = new NiftiLabelWriter(labels, plan, model.outputChannels(), settings.threshold(),
			volume.calibration()))
		{
			stats = TiledInference.runInto(volume, norm[0], norm[1], model, plan, batch, progress, writer);
			writer.finish();
		}
		catch (io.github.unetseg.tiling.BatchMemoryException e) {
			throw tileTooLarge(plan, e);
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		Result r = new Result(LazyNifti.open(labels, 64L << 20), null, plan, stats.batchSize(), stats, device(), List.copyOf(warnings),
			seconds);
		return new FileResult(input, labels, null, r, volume.describeSize(), seconds);
	}

	/**
	 * @param input an input file
	 * @param outputDir the output folder
	 * @return where {@link #segmentFile} writes the labels of {@code input}
	 */
	public static Path labelsPath(Path input, Path outputDir) {
		return outputDir.resolve(ImageFiles.baseName(input) + "_labels" + ImageFiles.outputExtension(input));
	}

	/**
	 * Whether the outputs of an input are already complete. Outputs are written to temporary files
	 * and renamed, so an output that exists is complete; a killed run leaves only temporary files.
	 *
	 * @param input an input file
	 * @param outputDir the output folder
	 * @param probabilities whether the probability map is expected too
	 * @return true if every expected output exists
	 */
	public static boolean isDone(Path input, Path outputDir, boolean probabilities) {
		if (!Files.isRegularFile(labelsPath(input, outputDir))) return false;
		return !probabilities || Files.isRegularFile(outputDir.resolve(ImageFiles.baseName(input) + "_probabilities" +
			ImageFiles.outputExtension(input)));
	}

	/** What happened to one file of a batch. */
	public enum Status {
		/** Segmented and written. */
		DONE,
		/** Its outputs already existed. */
		SKIPPED,
		/** It failed; the message says why. */
		FAILED
	}

	/**
	 * Receives each file's outcome in a batch.
	 */
	public interface BatchListener {
		/**
		 * @param index position in the batch, from 0
		 * @param input the file
		 * @param status its outcome
		 * @param result the result when {@code DONE}, else {@code null}
		 * @param error the reason when {@code FAILED}, else {@code null}
		 */
		void file(int index, Path input, Status status, FileResult result, SegmentationException error);

		/**
		 * @param index position in the batch
		 * @param input the file about to be processed
		 * @return progress for that file
		 */
		default ProgressListener progress(int index, Path input) {
			return ProgressListener.NONE;
		}
	}

	/**
	 * Segments many files, continuing after failures and skipping files whose outputs exist (unless
	 * {@code overwrite}), so a killed job can simply be run again.
	 *
	 * <p>While one file is segmented, the next one to do is read and the previous one's outputs are
	 * written on background threads (not for files that are streamed, {@link #streams}), so reading,
	 * decompressing and compressing overlap with the network; at most two inputs and one result are in
	 * memory at once. Outcomes are reported in input order from the calling thread, each after its
	 * outputs are written: a file's outcome may come while the next file is in progress.
	 *
	 * @param inputs files to process
	 * @param outputDir output folder
	 * @param settings tiling and output settings
	 * @param overwrite recompute files whose outputs exist
	 * @param listener receives each outcome
	 * @return number of files per status
	 * @throws java.util.concurrent.CancellationException if a file's progress listener cancels; the
	 *     outputs of the file before it are still completed and reported first
	 */
	public java.util.Map<Status, Integer> segmentBatch(List<Path> inputs, Path outputDir, SegmentationSettings settings,
		boolean overwrite, BatchListener listener)
	{
		boolean[] todo = new boolean[inputs.size()];
		for (int i = 0; i < todo.length; i++) todo[i] = overwrite || !isDone(inputs.get(i), outputDir, settings.probabilities());
		Outcomes outcomes = new Outcomes(listener);
		java.util.concurrent.ExecutorService reader = daemonThread("unetseg-prefetch");
		java.util.concurrent.ExecutorService writer = daemonThread("unetseg-writer");
		try {
			java.util.concurrent.Future<Volume<?>> next = prefetch(reader, inputs, todo, 0);
			for (int i = 0; i < inputs.size(); i++) {
				Path f = inputs.get(i);
				if (!todo[i]) {
					outcomes.report(i, f, Status.SKIPPED, null, null);
					continue;
				}
				java.util.concurrent.Future<Volume<?>> mine = next;
				next = prefetch(reader, inputs, todo, i + 1);
				ProgressListener progress = outcomes.reportingWhenWritten(listener.progress(i, f));
				try {
					long t0 = System.nanoTime();
					if (mine == null) { // a streamed file writes its own output
						outcomes.report(i, f, Status.DONE, segmentFile(f, outputDir, settings, progress), null);
						continue;
					}
					Volume<?> v = await(mine);
					Result r = segmentAny(v, settings, progress, f.toString());
					String size = v.describeSize();
					outcomes.writing(i, f, writer.submit(() -> writeOutputs(f, size, r, outputDir, t0)));
				}
				catch (SegmentationException e) {
					outcomes.report(i, f, Status.FAILED, null, e);
				}
			}
			outcomes.flush();
		}
		finally {
			outcomes.flushQuietly(); // cancelled or failed: let the previous file's write finish, then report it
			reader.shutdownNow();
			writer.shutdown();
		}
		return outcomes.counts;
	}

	private static java.util.concurrent.ExecutorService daemonThread(String name) {
		return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
			Thread t = new Thread(r, name);
			t.setDaemon(true);
			return t;
		});
	}

	/**
	 * A batch's outcomes, counted and passed to the listener in input order on the calling thread; at
	 * most one file's outputs are being written behind it and are reported before anything later.
	 */
	private static final class Outcomes {

		final java.util.Map<Status, Integer> counts = new java.util.EnumMap<>(Status.class);
		private final BatchListener listener;
		private int pendingIndex;
		private Path pendingInput;
		private java.util.concurrent.Future<FileResult> pending;

		Outcomes(BatchListener listener) {
			this.listener = listener;
			for (Status s : Status.values()) counts.put(s, 0);
		}

		/** Reports a file, after the one being written. */
		void report(int index, Path input, Status status, FileResult result, SegmentationException error) {
			flush();
			counts.merge(status, 1, Integer::sum);
			listener.file(index, input, status, result, error);
		}

		/** A file whose outputs are now being written; reported by the next {@link #flush}. */
		void writing(int index, Path input, java.util.concurrent.Future<FileResult> write) {
			flush();
			pendingIndex = index;
			pendingInput = input;
			pending = write;
		}

		/** Waits for the file being written, if any, and reports it as done or failed. */
		void flush() {
			if (pending == null) return;
			java.util.concurrent.Future<FileResult> f = pending;
			pending = null;
			FileResult r;
			try {
				r = f.get();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new java.util.concurrent.CancellationException("interrupted while writing " + pendingInput);
			}
			catch (java.util.concurrent.ExecutionException e) {
				if (e.getCause() instanceof SegmentationException se) {
					report(pendingIndex, pendingInput, Status.FAILED, null, se);
					return;
				}
				if (e.getCause() instanceof RuntimeException re) throw re;
				if (e.getCause() instanceof Error err) throw err;
				throw new SegmentationException("Cannot write the outputs of " + pendingInput + ": " + e.getCause(), e.getCause());
			}
			report(pendingIndex, pendingInput, Status.DONE, r, null);
		}

		/** {@link #flush} while another exception propagates: that one is the one reported. */
		void flushQuietly() {
			try {
				flush();
			}
			catch (RuntimeException e) {
				// the original exception is the one that propagates
			}
		}

		/**
		 * A file's progress that also reports the file being written as soon as its write has finished,
		 * so its outcome does not wait for the whole next file.
		 */
		ProgressListener reportingWhenWritten(ProgressListener progress) {
			return new ProgressListener() {
				@Override
				public void progress(long done, long total, String message) {
					if (pending != null && pending.isDone()) flush();
					progress.progress(done, total, message);
				}

				@Override
				public boolean isCancelled() {
					return progress.isCancelled();
				}
			};
		}
	}

	/**
	 * Starts reading the first file from {@code from} on that is to be done, unless it is streamed.
	 *
	 * @return its future, or {@code null} when the next file to do is streamed or there is none; a
	 *     future always belongs to the next file to do
	 */
	private static java.util.concurrent.Future<Volume<?>> prefetch(java.util.concurrent.ExecutorService reader, List<Path> inputs,
		boolean[] todo, int from)
	{
		for (int j = from; j < inputs.size(); j++) {
			if (!todo[j]) continue;
			Path f = inputs.get(j);
			return streams(f) ? null : reader.submit(() -> ImageFiles.read(f));
		}
		return null;
	}

	/** The prefetched input, or the reader's exception as if it had been read here. */
	private static Volume<?> await(java.util.concurrent.Future<Volume<?>> f) {
		try {
			return f.get();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new java.util.concurrent.CancellationException("interrupted while reading the next file");
		}
		catch (java.util.concurrent.ExecutionException e) {
			if (e.getCause() instanceof RuntimeException r) throw r;
			if (e.getCause() instanceof Error err) throw err;
			throw new SegmentationException("Cannot read the next file: " + e.getCause(), e.getCause());
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private Result segmentAny(Volume<?> v, SegmentationSettings s, ProgressListener p, String source) {
		return segment((Volume) v, s, p, source);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void writeAny(Volume<?> v, Path path, int classes) {
		ImageFiles.write((Volume) v, path, classes);
	}

	/**
	 * Result of one file.
	 *
	 * @param input the input file
	 * @param labelsFile the written label image
	 * @param probabilitiesFile the written probability map, or {@code null}
	 * @param result the in-memory result
	 * @param size the input's size as text
	 * @param seconds wall time including reading and writing, in seconds
	 */
	public record FileResult(Path input, Path labelsFile, Path probabilitiesFile, Result result, String size, double seconds) {}

	/** Closes the TensorFlow session. */
	@Override
	public void close() {
		model.close();
	}
}
