package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageIoTiff;
import io.github.unetseg.io.LazyInputs;
import io.github.unetseg.io.LazyNifti;
import io.github.unetseg.io.LazyRegions;
import io.github.unetseg.io.PlaneWriter;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.objects.InstanceDecoder;
import io.github.unetseg.objects.StreamingInstanceDecoder;
import io.github.unetseg.tiling.BandStitcher;
import io.github.unetseg.tiling.IntensityMap;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TiledInference;

/**
 * Segments an image larger than memory ({@link Streaming}): the input is read by slabs or regions through a
 * bounded cache ({@link LazyInputs}), the network's output goes tile by tile into a band of blended sums as
 * deep as a tile ({@link BandStitcher}), and finished planes (2D: rows) go to the output files
 * ({@link PlaneWriter}). A semantic model's labels come from each plane's probabilities; an instance model's
 * objects from overlapping windows of planes ({@link StreamingInstanceDecoder}), written as 32-bit object ids.
 * Memory is bounded by the cache, the batch, the band and (instances) one window, not by the image.
 */
final class StreamedFile {

	/** Planes per instance window at least, and the overlap (planes) per object diameter (pixels) on each side. */
	static final int MIN_WINDOW = 256, OVERLAP_PER_DIAMETER = 2;

	private final LocalSegmenter segmenter;

	StreamedFile(LocalSegmenter segmenter) {
		this.segmenter = segmenter;
	}

	/**
	 * @param spec the model
	 * @param input an input file
	 * @param settings the run's settings
	 * @return whether the file is streamed: as {@link Streaming#streams} decides, and for an instance model only
	 *     without rescaling to the model's object size (that is done in memory)
	 */
	static boolean streams(ModelSpec spec, Path input, SegmentationSettings settings) {
		if (spec.instances() != null && settings.objects().diameter() > 0) return false;
		return Streaming.streams(input, spec.dimensions(), settings.stream());
	}

	/**
	 * Segments a file without loading it.
	 *
	 * @param input the file
	 * @param outputDir where the outputs go ({@link Streaming#labels}, {@link Streaming#probabilities})
	 * @param settings the run's settings
	 * @param progress progress and cancellation
	 * @param t0 {@link System#nanoTime()} at the start of the file
	 * @return the written files and figures
	 * @throws SegmentationException if the file cannot be read lazily, needs resampling or reorientation, or the outputs
	 *     cannot be written
	 */
	FileResult run(Path input, Path outputDir, SegmentationSettings settings, ProgressListener progress, long t0) {
		// regions of the input for the tiles of about one band; the band of sums takes the larger share of the heap
		long cache = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);
		try (LazyInputs.Opened opened = LazyInputs.open(input, cache)) {
			return run(input, opened.volume(), outputDir, settings, progress, t0);
		}
	}

	private FileResult run(Path input, Volume<?> volume, Path outputDir, SegmentationSettings settings, ProgressListener progress, long t0) {
		ModelSpec spec = segmenter.spec();
		String regrid = ModelGrid.streamingProblem(volume.calibration(), spec, settings.geometry());
		if (regrid != null)
			throw new SegmentationException(input + " is too large to segment in memory, and " + regrid + ", which is done in memory only. " +
				"Fix: resample or reorient the file to the model's grid first (e.g. with SimpleITK or 3D Slicer), or give resample=false / " +
				"orientation=none if the difference does not matter.");
		List<String> warnings = new ArrayList<>(segmenter.checkFits(volume, input.toString(), false));
		boolean objects = spec.instances() != null;
		if (!objects && segmenter.postProcessing(settings) != null) warnings.add(input + " is segmented without loading it; post-processing (" +
			segmenter.postProcessing(settings) + ") needs the whole label image and is not applied.");
		if (objects && (settings.objects().rois() || settings.objects().measure())) warnings.add(input + " is segmented without loading it; " +
			"its ROIs and object table need the whole label image and are not written.");
		IntensityMap map = segmenter.intensityMap(volume);
		io.github.unetseg.tiling.TileModel network = segmenter.tileModel(settings);
		int n = volume.spatialDims(), channels = network.outputChannels();
		long[] size = volume.spatialSize();
		Path labels = Streaming.labels(input, outputDir, n), probabilities = settings.probabilities() ? Streaming.probabilities(input,
			outputDir, n) : null;
		long[] found = { -1, 0 };
		// a band of blended sums, as deep as a tile, finishes plane after plane (2D: row after row) into the files; a tile that does
		// not fit in memory starts the files again with half the tile (the unfinished ones are deleted)
		TileRetry.Result<TiledInference.Stats> run = TileRetry.run(segmenter.plan(size, settings), plan -> {
			try (PlaneWriter writer = Streaming.writer(input, outputDir, size, channels, settings.threshold(), settings.probabilities(),
				volume.calibration(), objects))
			{
				StreamingInstanceDecoder decoder = objects ? decoder(spec, settings, size, writer) : null;
				// labels alone, unblended: a byte per voxel in the band instead of a float per voxel and channel
				BandStitcher band = decoder == null && !settings.probabilities() && !plan.blends()
					? BandStitcher.labelsOnly(plan, channels, settings.threshold(), writer)
					: new BandStitcher(plan, channels, decoder != null ? decoder : writer);
				TiledInference.Stats st = TiledInference.runInto(volume, map, network, plan, settings.batch() > 0 ? settings.batch()
					: segmenter.policy().autoBatch(plan, Runtime.getRuntime().maxMemory() / 2), progress, band);
				band.finish();
				writer.finish();
				if (decoder != null) {
					found[0] = decoder.count();
					found[1] = decoder.cutObjects();
				}
				return st;
			}
		}, segmenter.policy(), settings.halo(), segmenter.device(), warnings, !segmenter.fixedTile());
		if (found[1] > 0) warnings.add(input + ": " + found[1] + " objects were taller than half the overlap of the instance windows and " +
			"were cut at a window's end. Fix: give the model's objectDiameter in model.json as the largest object's size.");
		if (found[0] > Integer.MAX_VALUE) throw new SegmentationException(input + " holds more than 2^31 objects.");
		TiledInference.Stats stats = run.output();
		TilePlan plan = run.plan();
		double seconds = (System.nanoTime() - t0) / 1e9;
		SegmentationResult r = new SegmentationResult(n == 3 ? LazyNifti.open(labels, 64L << 20) : LazyRegions.open(ImageIoTiff.regions(labels,
			false), 64L << 20), null, plan, stats.batchSize(), stats, segmenter.device(), List.copyOf(warnings), seconds, (int) found[0]);
		return new FileResult(input, labels, probabilities, r, volume.describeSize(), seconds, ResidentMemory.peakBytes());
	}

	/**
	 * The instance decoding of a streamed image: the model's thresholds and minimum size (or the user's), windows
	 * overlapping by {@link #OVERLAP_PER_DIAMETER} object diameters on each side (at least 32 planes), at least
	 * {@link #MIN_WINDOW} planes and four overlaps deep, within a quarter of the heap.
	 */
	static StreamingInstanceDecoder decoder(ModelSpec spec, SegmentationSettings settings, long[] size, PlaneWriter writer) {
		ModelSpec.Instances model = spec.instances();
		SegmentationSettings.Objects o = settings.objects();
		InstanceDecoder.Parameters p = model.parameters(o.probabilityThreshold(), o.seedThreshold(), o.minSize());
		int half = (int) Math.max(16, Math.ceil(OVERLAP_PER_DIAMETER * model.objectDiameter()));
		int overlap = Integer.getInteger("unetseg.instanceOverlap", 2 * half);
		long planeVoxels = 1;
		for (int d = 0; d < size.length - 1; d++) planeVoxels *= size[d];
		// about 40 bytes per window voxel: two probabilities, the labels and the decoder's work arrays
		long fits = Runtime.getRuntime().maxMemory() / 4 / (40 * planeVoxels);
		int window = Integer.getInteger("unetseg.instanceWindow", (int) Math.min(Math.max(MIN_WINDOW, 4L * overlap), Math.max(overlap + 2,
			fits)));
		return new StreamingInstanceDecoder(size, p, window, overlap, writer::objects, settings.probabilities() ? writer : null);
	}
}
