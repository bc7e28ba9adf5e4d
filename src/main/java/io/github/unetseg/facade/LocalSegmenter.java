package io.github.unetseg.facade;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;
import io.github.unetseg.tensorflow.TensorFlowModel;
import io.github.unetseg.tiling.MirroredTileModel;
import io.github.unetseg.tiling.TileModel;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TilePolicy;
import io.github.unetseg.tiling.IntensityMap;
import io.github.unetseg.tiling.TiledInference;
import io.github.unetseg.objects.InstanceDecoder;
import io.github.unetseg.objects.ObjectLabels;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The {@link Segmenter} that runs TensorFlow Java in this JVM: loads a model once, then for each image
 * checks that dimensionality and channels fit the model, normalises it as {@code model.json} says,
 * plans tiles ({@link TilePolicy}), runs the pipelined {@link TiledInference}, and returns labels (and
 * probabilities). Folder runs go through {@link FolderRun}; files are written atomically
 * ({@link OutputFiles}). Created by {@link Engines#segmenter}. Owns the TensorFlow session: close it.
 * Not for concurrent use.
 */
public final class LocalSegmenter implements Segmenter {

	private final ModelSpec spec;
	private final TileModel model;
	private final String engineDevice;
	private final AutoCloseable engine;
	private final boolean fixedTile;
	private final EngineOptions options;
	private final TilePolicy policy;
	private boolean closed;

	/**
	 * Loads a model.
	 *
	 * @param modelDir model folder (SavedModel + model.json)
	 * @param options device, threads and precision
	 * @throws SegmentationException if the model folder is missing, invalid or does not load
	 */
	LocalSegmenter(Path modelDir, EngineOptions options) {
		this(TensorFlowModel.load(ModelBundle.read(modelDir), options), options);
	}

	private LocalSegmenter(TensorFlowModel tf, EngineOptions options) {
		this(tf.spec(), tf, tf.device(), tf, options, false);
	}

	/**
	 * A segmenter over another engine (a bioimage.io package's ONNX weights).
	 *
	 * @param spec what the network expects and gives
	 * @param model the network
	 * @param device the device it runs on, for reports
	 * @param engine closed with this segmenter
	 * @param options threads and precision
	 * @param fixedTile whether the network takes only tiles of {@code spec.tile()} (then the tile is that
	 *     size, images padded to it)
	 */
	LocalSegmenter(ModelSpec spec, TileModel model, String device, AutoCloseable engine, EngineOptions options, boolean fixedTile) {
		this.fixedTile = fixedTile;
		this.spec = spec;
		this.model = model;
		this.engineDevice = device;
		this.engine = engine;
		this.options = options;
		this.policy = new TilePolicy(spec.alignment(), spec.tile(), spec.halo(),
			spec.architecture() != null ? spec.architecture().baseFilters() : 32, spec.inputChannels(), spec.outputChannels());
	}

	@Override
	public ModelSpec spec() {
		return spec;
	}

	@Override
	public String device() {
		return options.precision() == Precision.MIXED ? engineDevice + ", mixed precision" : engineDevice;
	}

	@Override
	public <T extends RealType<T>> SegmentationResult segment(Volume<T> volume, SegmentationSettings settings, ProgressListener progress,
		String source)
	{
		ensureOpen();
		if (settings.channels() != null) {
			int[] chosen = settings.channels();
			List<net.imglib2.RandomAccessibleInterval<T>> planes = new ArrayList<>();
			int n = volume.spatialDims();
			for (int c : chosen) {
				if (c > volume.channels())
					throw new SegmentationException(source + " has " + volume.channels() + " channel(s); channel " + c + " does not exist. Fix: " +
						"choose channels between 1 and " + volume.channels() + " (option channels).");
				planes.add(net.imglib2.view.Views.hyperSlice(volume.image(), n, c - 1));
			}
			Volume<T> selected = new Volume<>(net.imglib2.view.Views.stack(planes), volume.calibration());
			return segment(selected, settings.withChannels((int[]) null), progress, source);
		}
		if (settings.rgbToLuminance() && volume.channels() == 3 && spec.inputChannels() == 1)
			return segment(luminance(volume), settings, progress, source, source + " is RGB and model " + spec.name() +
				" takes one channel: it was converted to luminance (0.299 R + 0.587 G + 0.114 B).");
		return segment(volume, settings, progress, source, null);
	}

	/** {@link #segment} of an image with as many channels as the model's, with a note for the warnings or {@code null}. */
	private <T extends RealType<T>> SegmentationResult segment(Volume<T> volume, SegmentationSettings settings, ProgressListener progress,
		String source, String note)
	{
		if (volume.spatialDims() == 3 && spec.dimensions() == 2)
			return PlaneByPlane.segment(volume, spec, model.outputChannels(), settings, progress, source, note, device(),
				(plane, p, name) -> segmentAny(plane, settings, p, name));
		List<String> warnings = checkFits(volume, source, true);
		if (note != null) warnings.add(0, note);
		long t0 = System.nanoTime();
		if (spec.instances() != null) return segmentObjects(volume, settings, progress, warnings, t0);
		ModelSpec.PostProcessing post = postProcessing(settings);
		// onto the model's anatomical orientation and voxel spacing, and the result back
		ModelGrid grid = ModelGrid.of(volume, spec, settings.geometry(), source);
		warnings.addAll(grid.warnings());
		TileRetry.Result<TiledInference.Output> run = infer(grid.input(), plan(grid.input().spatialSize(), settings), settings, progress, warnings);
		TiledInference.Output out = run.output();
		TilePlan plan = run.plan();
		io.github.unetseg.tiling.Stitcher.StitchedResult result = grid.back(out.result(), settings.threshold());
		if (post != null) {
			progress.progress(1, 1, "post-processing (" + post + ")");
			result = new io.github.unetseg.tiling.Stitcher.StitchedResult(cleanUp(result.labels(), post), result.probabilities());
		}
		return new SegmentationResult(result.labels(), settings.probabilities() ? result.probabilities() : null, plan,
			out.stats().batchSize(), out.stats(), device(), List.copyOf(warnings), (System.nanoTime() - t0) / 1e9);
	}

	/**
	 * An instance model's run: the input rescaled to the model's object size when a diameter is given,
	 * tiled inference, the seeded watershed on the whole stitched probability map
	 * ({@link InstanceDecoder}), the objects mapped back to the input grid and numbered 1..N.
	 */
	private <T extends RealType<T>> SegmentationResult segmentObjects(Volume<T> volume, SegmentationSettings settings,
		ProgressListener progress, List<String> warnings, long t0)
	{
		ModelSpec.Instances model = spec.instances();
		SegmentationSettings.Objects o = settings.objects();
		int n = volume.spatialDims();
		long[] size = volume.spatialSize();
		double factor = o.diameter() > 0 ? model.objectDiameter() / o.diameter() : 1;
		double[] factors = new double[n];
		Arrays.fill(factors, factor);
		long[] scaled = io.github.unetseg.image.Resampling.scaledSize(size, factors);
		boolean rescale = !Arrays.equals(scaled, size);
		Volume<?> input = volume;
		if (rescale) {
			try {
				input = io.github.unetseg.image.Resampling.linear(volume, scaled);
			}
			catch (IllegalArgumentException e) {
				throw new SegmentationException("Rescaling the image by " + factor + " (model object diameter " + model.objectDiameter() +
					" px / diameter " + o.diameter() + " px) gives " + Arrays.toString(scaled) + " pixels: " + e.getMessage() +
					". Fix: give a larger diameter or crop the image.", e);
			}
		}
		TileRetry.Result<TiledInference.Output> run = infer(input, plan(scaled, settings), settings, progress, warnings);
		TiledInference.Output out = run.output();
		TilePlan plan = run.plan();
		double volumeFactor = Math.pow(factor, n);
		InstanceDecoder.Parameters p = model.parameters(o.probabilityThreshold(), o.seedThreshold(), o.minSize() >= 0
			? (int) Math.round(o.minSize() * volumeFactor) : -1);
		progress.progress(1, 1, "separating objects");
		InstanceDecoder.Instances objects = InstanceDecoder.decode(out.result().probabilities(), p);
		Volume<FloatType> probabilities = settings.probabilities() ? out.result().probabilities() : null;
		if (rescale) {
			int[] from = { (int) scaled[0], (int) scaled[1], n == 3 ? (int) scaled[2] : 1 };
			int[] to = { (int) size[0], (int) size[1], n == 3 ? (int) size[2] : 1 };
			objects = InstanceDecoder.renumber(io.github.unetseg.image.Resampling.nearest(objects.labels(), from, to), objects.count());
			if (probabilities != null)
				probabilities = new Volume<>(io.github.unetseg.image.Resampling.linear(probabilities, size).image(), volume.calibration());
		}
		return new SegmentationResult(ObjectLabels.volume(objects.labels(), size, objects.count(), volume.calibration()), probabilities,
			plan, out.stats().batchSize(), out.stats(), device(), List.copyOf(warnings), (System.nanoTime() - t0) / 1e9, objects.count());
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private <T extends RealType<T>> SegmentationResult segmentAny(Volume<?> volume, SegmentationSettings settings, ProgressListener progress,
		String source)
	{
		return segment((Volume<T>) (Volume) volume, settings, progress, source, null);
	}

	/** The label clean-up to apply: the user's choice, or the model's declared one; {@code null} for none. */
	ModelSpec.PostProcessing postProcessing(SegmentationSettings settings) {
		ModelSpec.PostProcessing post = settings.postprocess().equals("model") ? spec.postprocessing()
			: ModelSpec.PostProcessing.parse(settings.postprocess());
		try {
			if (post != null) post.largestComponentOf(spec.classNames());
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException("--postprocess " + settings.postprocess() + ": " + e.getMessage() + ". Fix: name classes of model " +
				spec.name() + ", separated by ':'.");
		}
		return post != null && (post.largestComponent() || post.fillHoles()) ? post : null;
	}

	/** A label image after {@link io.github.unetseg.image.LabelCleanup}, in the same pixel type and calibration. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private Volume<?> cleanUp(Volume<?> labels, ModelSpec.PostProcessing post) {
		long[] s = labels.spatialSize();
		int[] size = { (int) s[0], (int) s[1], s.length == 3 ? (int) s[2] : 1 };
		short[] flat = new short[(int) labels.voxelCount()];
		int i = 0;
		for (Object t : net.imglib2.view.Views.flatIterable(labels.image())) flat[i++] = (short) ((RealType) t).getRealDouble();
		if (post.largestComponent()) io.github.unetseg.image.LabelCleanup.keepLargestComponents(flat, size, post.largestComponentOf(spec.classNames()));
		if (post.fillHoles()) io.github.unetseg.image.LabelCleanup.fillHoles(flat, size);
		i = 0;
		for (Object t : net.imglib2.view.Views.flatIterable(labels.image())) ((RealType) t).setReal(flat[i++]);
		return labels;
	}

	/** The model's normalisation of this volume: its affine map and, for a window or CT normalisation, its clip bounds. */
	IntensityMap intensityMap(Volume<?> volume) {
		double[][] norm = spec.normalization().affine(volume), clip = spec.normalization().clipBounds(volume.channels());
		return new IntensityMap(norm[0], norm[1], clip[0], clip[1]);
	}

	/** Tiled inference; a tile that does not fit in memory is retried at half the size ({@link TileRetry}; not for fixed-size networks). */
	private TileRetry.Result<TiledInference.Output> infer(Volume<?> volume, TilePlan first, SegmentationSettings settings,
		ProgressListener progress, List<String> warnings)
	{
		IntensityMap map = intensityMap(volume);
		TileModel network = tileModel(settings);
		java.util.function.Function<TilePlan, TiledInference.Output> run = plan -> TiledInference.run(volume, map, network, plan,
			settings.batch() > 0 ? settings.batch() : policy.autoBatch(plan), settings.threshold(), progress);
		return TileRetry.run(first, run, policy, settings.halo(), device(), warnings, !fixedTile);
	}

	@Override
	public Map<FileStatus, Integer> segmentFiles(List<Path> inputs, Path outputDir, SegmentationSettings settings, boolean overwrite,
		FileListener listener)
	{
		ensureOpen();
		return FolderRun.run(inputs, outputDir, settings, overwrite, listener, new FolderRun.Work() {
			@Override
			public boolean streams(Path input) {
				// in memory: an instance model separates objects on the whole stitched image, a 2D model segments a stack plane
				// by plane
				return StreamedFile.streams(spec, input, settings);
			}

			@Override
			public int dimensions() {
				return spec.dimensions();
			}

			@Override
			public FileResult stream(Path input, Path out, SegmentationSettings s, ProgressListener p) {
				return new StreamedFile(LocalSegmenter.this).run(input, out, s, p, System.nanoTime());
			}

			@Override
			public SegmentationResult segment(Volume<?> volume, SegmentationSettings s, ProgressListener p, String source) {
				return LocalSegmenter.this.segment(volume, s, p, source);
			}

			@Override
			public boolean instances() {
				return spec.instances() != null;
			}

			@Override
			public int labelClasses() {
				return Math.max(2, spec.classNames().size());
			}
		});
	}

	/**
	 * The luminance of an RGB volume, {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601; ImageJ's
	 * "weighted RGB conversions"), as one float channel with the input's calibration.
	 *
	 * @param rgb volume {@code [x, y(, z), 3]}
	 * @return volume {@code [x, y(, z), 1]}
	 */
	static <T extends RealType<T>> Volume<net.imglib2.type.numeric.real.FloatType> luminance(Volume<T> rgb) {
		int n = rgb.spatialDims();
		long[] dims = java.util.Arrays.copyOf(rgb.spatialSize(), n + 1);
		dims[n] = 1;
		net.imglib2.img.array.ArrayImg<net.imglib2.type.numeric.real.FloatType, ?> out = net.imglib2.img.array.ArrayImgs.floats(dims);
		double[] w = { 0.299, 0.587, 0.114 };
		for (int c = 0; c < 3; c++) {
			double wc = w[c];
			net.imglib2.loops.LoopBuilder.setImages(net.imglib2.view.Views.hyperSlice(rgb.image(), n, c), net.imglib2.view.Views.hyperSlice(
				out, n, 0)).forEachPixel((in, o) -> o.setReal(o.getRealDouble() + wc * in.getRealDouble()));
		}
		return new Volume<>(out, rgb.calibration());
	}

	/**
	 * Checks that an image fits the model (dimensionality, channels) and collects warnings (spacing, and
	 * with {@code countNonFinite} the NaN or infinite voxels).
	 *
	 * @throws SegmentationException if it does not fit
	 */
	<T extends RealType<T>> List<String> checkFits(Volume<T> volume, String source, boolean countNonFinite) {
		if (volume.spatialDims() != spec.dimensions())
			throw new SegmentationException(source + " is " + volume.spatialDims() + "D (" + volume.describeSize() + ") but model " +
				spec.name() + " is " + spec.dimensions() + "D. Fix: use a " + volume.spatialDims() + "D model" +
				(volume.spatialDims() == 2 ? ", or give the 3D stack the image belongs to." : "."));
		if (volume.channels() != spec.inputChannels())
			throw new SegmentationException(source + " has " + volume.channels() + " channel(s) but model " + spec.name() + " expects " +
				spec.inputChannels() + ". Fix: " + (volume.channels() == 3 && spec.inputChannels() == 1
					? "choose rgb=luminance (CLI: --rgb luminance) to convert it, convert it to 8-bit yourself (Image > Type > 8-bit), " +
						"or use a 3-channel model." : "select the channels the model was trained on."));
		List<String> warnings = new ArrayList<>();
		long bad = countNonFinite ? Normalization.nonFinite(volume) : 0; // a streamed volume is not read twice for it
		if (bad > 0) warnings.add(String.format(Locale.ROOT, "%s has %d voxel(s) that are NaN or infinite; they were left out of the " +
			"normalisation statistics and given to the network as 0 (the normalised background).", source, bad));
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
	 * overridden, tiles rounded up to the model's alignment ({@link TilePolicy#plan}).
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]}
	 * @param settings the settings
	 * @return the plan
	 * @throws SegmentationException if tile and halo leave no core, or a value count does not fit the model
	 */
	public TilePlan plan(long[] imageSize, SegmentationSettings settings) {
		try {
			// a network with a fixed input size (a bioimage.io package) tiles by that size unless told otherwise; its engine
			// pads smaller tiles to it and refuses larger ones
			long[] tile = fixedTile && settings.tile() == null ? spec.tile() : settings.tile();
			return policy.plan(imageSize, tile, settings.halo(), settings.overlap(), settings.border());
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException("Tiling settings do not work for model " + spec.name() + ": " + e.getMessage() +
				(e.getMessage().contains("Fix:") ? "" : "."), e);
		}
	}

	/**
	 * Whether a file is segmented without loading it by default ({@link Streaming#streams}, any dimensions, {@code stream=auto}).
	 *
	 * @param input an input file
	 * @return true to stream it
	 */
	public static boolean streams(Path input) {
		return Streaming.streams(input, 0, SegmentationSettings.Stream.AUTO);
	}

	/**
	 * @param settings the run's settings
	 * @return the network as the run uses it: with {@link SegmentationSettings#tta()}, mirrored at test time
	 *     ({@link MirroredTileModel}) along every axis of the tiles, which is what training mirrored (nnU-Net mirrors
	 *     at test time only the axes its augmentation mirrored)
	 * @throws SegmentationException with {@code tta} for a model trained without mirroring ({@link ModelSpec#mirrored()}
	 *     false), or, where that is not recorded, with an anatomical orientation: such models are trained without
	 *     mirroring (paired organs would swap sides), and mirrored inputs are outside what they learnt (measured: the
	 *     CT model's held-out mean Dice fell from 0.516 to 0.223 when mirrored along its other two axes); a model
	 *     trained with left-right mirroring ({@link ModelSpec#leftRight()}) is mirrored along the patient's left-right
	 *     axis alone, its paired classes' probabilities swapped back
	 */
	TileModel tileModel(SegmentationSettings settings) {
		if (!settings.tta()) return model;
		if (spec.leftRight() != null) {
			boolean[] lr = new boolean[spec.dimensions()];
			int axis = io.github.unetseg.model.LeftRightMirroring.axis(spec.orientation());
			lr[axis] = true;
			return new MirroredTileModel(model, lr, axis, spec.leftRight().classMap(spec.classNames()));
		}
		boolean unmirrored = spec.mirrored() != null ? !spec.mirrored() : spec.orientation() != null;
		if (unmirrored)
			throw new SegmentationException("tta (test-time mirroring) does not suit model " + spec.name() + ": it was trained " +
				"without mirroring" + (spec.orientation() != null ? " (it has an anatomical orientation, " + spec.orientation() + ")" : "") +
				", so mirrored inputs are outside what it learnt. Fix: leave out tta for this model.");
		boolean[] axes = new boolean[spec.dimensions()];
		java.util.Arrays.fill(axes, true);
		return new MirroredTileModel(model, axes);
	}

	/** @return the tile and batch policy */
	TilePolicy policy() {
		return policy;
	}

	/** @return whether the network takes one tile size only (tiles are then never halved) */
	boolean fixedTile() {
		return fixedTile;
	}

	private void ensureOpen() {
		if (closed) throw new IllegalStateException("The segmenter of model " + spec.name() + " was closed; open the model again.");
	}

	/** Closes the TensorFlow session; later calls throw {@link IllegalStateException}. Closing twice does nothing. */
	@Override
	public void close() {
		if (closed) return;
		closed = true;
		try {
			engine.close();
		}
		catch (Exception e) {
			throw new SegmentationException("Closing the engine failed: " + e.getMessage(), e);
		}
	}
}
