package io.github.unetseg.facade;

import java.util.Arrays;

import io.github.unetseg.tiling.TilePlan.Border;

/**
 * User settings of one segmentation run; {@code null} or 0 means "take the model's recommendation"
 * or "choose automatically".
 *
 * @param tile tile size per axis {@code [x, y(, z)]} in pixels, or a single value for all axes, or
 *     {@code null} for {@code model.json}'s {@code tile}; rounded up to a multiple of the model's
 *     alignment
 * @param halo context per side {@code [x, y(, z)]} in pixels, or one value, or {@code null} for
 *     {@code model.json}'s {@code halo}
 * @param overlap fraction of the tile core shared by neighbours and blended with a Gaussian window,
 *     in {@code [0, 0.9]}; 0 writes every pixel from one tile
 * @param batch tiles per batch, or 0 to choose from free memory
 * @param threshold probability threshold of binary models, in {@code [0, 1]}
 * @param probabilities whether to return (and write) the 32-bit probability map too
 * @param rgbToLuminance whether a 3-channel (RGB) image given to a 1-channel model is converted to its
 *     luminance {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, ImageJ's weighted conversion); if
 *     false such an image is refused with the choice in the message
 * @param border what the network sees beyond the image border: {@link Border#SAME} (its own zero
 *     padding, nothing computed outside the image; the default) or {@link Border#MIRROR} (the image
 *     mirrored by the halo)
 * @param objects what an instance model's objects are made of and which outputs they get; ignored by
 *     semantic models
 * @param channels the image channels given to the model, 1-based, in the model's order (e.g. {@code [2]}
 *     for the nuclear stain of a two-channel image and a one-channel model), or {@code null} for all
 * @param geometry orientation and spacing handling of 3D inputs; {@code null} for the defaults
 * @param postprocess a semantic model's label clean-up ({@code image.LabelCleanup}): {@code "model"}
 *     (what {@code model.json}'s {@code postprocessing} declares; the default, also for {@code null}),
 *     {@code "none"}, {@code "largest"} (the largest connected component per class), {@code "largest=A:B"}
 *     (of classes {@code A} and {@code B} only, names from the model's classes, case-insensitive),
 *     {@code "holes"} (fill enclosed holes), or a largest choice and {@code "holes"} separated by a comma
 * @param stream when a file is segmented without loading it ({@link Stream}); {@code null} for
 *     {@link Stream#AUTO}
 * @param tta test-time augmentation by mirroring ({@code tiling.MirroredTileModel}): each batch of tiles is
 *     predicted mirrored along every combination of the spatial axes and the probabilities averaged (4 network
 *     runs in 2D, 8 in 3D); refused for a model with an anatomical orientation, which is trained without
 *     mirroring
 */
public record SegmentationSettings(long[] tile, long[] halo, double overlap, int batch, double threshold, boolean probabilities,
	Border border, boolean rgbToLuminance, Objects objects, int[] channels, Geometry geometry, String postprocess, Stream stream, boolean tta) {

	/**
	 * When files are segmented without loading them: read lazily through a cache bounded in bytes, labels
	 * (and probabilities) written band by band ({@code facade.Streaming}). Semantic models only: an instance
	 * model separates its objects on the whole stitched image, in memory.
	 */
	public enum Stream {
		/** Files read lazily that are larger than an eighth of the Java heap. */
		AUTO,
		/** Every file; one that cannot be read lazily (e.g. {@code .nii.gz}) fails with how to convert it. */
		ALWAYS,
		/** No file: each is loaded, and one that does not fit in memory fails. */
		NEVER;

		/**
		 * @param text auto, always or never (any case), or {@code null} for auto
		 * @return the mode
		 * @throws IllegalArgumentException for anything else
		 */
		public static Stream parse(String text) {
			if (text == null) return AUTO;
			return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
				case "auto" -> AUTO;
				case "always", "true" -> ALWAYS;
				case "never", "false" -> NEVER;
				default -> throw new IllegalArgumentException("stream must be auto, always or never, got '" + text + "'");
			};
		}
	}

	/**
	 * How a 3D input meets a model's grid ({@code model.json}'s {@code orientation} and {@code spacing}).
	 *
	 * @param orientation {@code "auto"} (the input's own orientation, from its NIfTI affine or DICOM
	 *     tags, is reoriented to the model's), {@code "none"} (the array is taken as it is), or three axis
	 *     codes ({@code image.Orientation}, e.g. {@code "PLI"}) that declare the input's orientation,
	 *     for files whose header is wrong
	 * @param resample whether an input whose voxel spacing differs from the model's (same physical
	 *     unit, by more than 1 %) is resampled to it (linear) and the labels back (argmax of the linearly
	 *     resampled probabilities)
	 */
	public record Geometry(String orientation, boolean resample) {

		/** @throws IllegalArgumentException if the orientation is neither auto, none nor three axis codes */
		public Geometry {
			orientation = orientation == null ? "auto" : orientation.trim().toLowerCase(java.util.Locale.ROOT);
			if (!orientation.equals("auto") && !orientation.equals("none")) orientation = io.github.unetseg.image.Orientation.parse(orientation);
		}

		/** @return automatic orientation and resampling */
		public static Geometry defaults() {
			return new Geometry("auto", true);
		}
	}


	/**
	 * Settings of an instance model's objects; NaN or a negative number means "the model's value".
	 *
	 * @param probabilityThreshold foreground where {@code 1 - p_background} exceeds it, in {@code (0, 1)}, or NaN
	 * @param seedThreshold seeds where {@code p_interior} exceeds it, in {@code (0, 1)}, or NaN
	 * @param minSize smallest object kept, in pixels (voxels) of the input image, or -1
	 * @param diameter the typical object diameter in the input, in pixels; the input is rescaled by
	 *     {@code model objectDiameter / diameter} before the network and the objects back; 0 = no rescaling
	 * @param rois whether folder runs also write each image's objects as an ImageJ {@code RoiSet.zip}
	 * @param measure whether folder runs also write a per-object table ({@code .csv})
	 * @param stitchThreshold a 2D instance model on a stack: objects of neighbouring planes with at least
	 *     this IoU become one object, in {@code [0, 1]}; 0 keeps each plane's objects apart
	 */
	public record Objects(double probabilityThreshold, double seedThreshold, int minSize, double diameter, boolean rois,
		boolean measure, double stitchThreshold) {

		/** @throws IllegalArgumentException naming the parameter that is out of range */
		public Objects {
			if (!Double.isNaN(probabilityThreshold) && !(probabilityThreshold > 0 && probabilityThreshold < 1))
				throw new IllegalArgumentException("prob-threshold must be in (0, 1), got " + probabilityThreshold);
			if (!Double.isNaN(seedThreshold) && !(seedThreshold > 0 && seedThreshold < 1))
				throw new IllegalArgumentException("seed-threshold must be in (0, 1), got " + seedThreshold);
			if (!(diameter >= 0) || Double.isInfinite(diameter))
				throw new IllegalArgumentException("diameter must be >= 0 pixels (0 = the model's scale), got " + diameter);
			if (!(stitchThreshold >= 0 && stitchThreshold <= 1))
				throw new IllegalArgumentException("stitch-threshold must be in [0, 1], got " + stitchThreshold);
		}

		/** The same settings without linking across planes. */
		public Objects(double probabilityThreshold, double seedThreshold, int minSize, double diameter, boolean rois, boolean measure) {
			this(probabilityThreshold, seedThreshold, minSize, diameter, rois, measure, 0);
		}

		/** @return the model's thresholds and size, no rescaling, no extra outputs */
		public static Objects defaults() {
			return new Objects(Double.NaN, Double.NaN, -1, 0, false, false, 0);
		}
	}

	/** Settings without instance options ({@link Objects#defaults()}). */
	public SegmentationSettings(long[] tile, long[] halo, double overlap, int batch, double threshold, boolean probabilities,
		Border border, boolean rgbToLuminance)
	{
		this(tile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, Objects.defaults(), null, Geometry.defaults(), "model",
			Stream.AUTO, false);
	}

	/** @throws IllegalArgumentException naming the parameter that is out of range */
	public SegmentationSettings {
		if (geometry == null) geometry = Geometry.defaults();
		if (stream == null) stream = Stream.AUTO;
		postprocess = postprocess == null ? "model" : postprocess.trim().toLowerCase(java.util.Locale.ROOT);
		if (!postprocess.equals("model")) io.github.unetseg.model.ModelSpec.PostProcessing.parse(postprocess);
		if (tile != null) for (long t : tile) if (t < 1) throw new IllegalArgumentException("tile must be >= 1, got " + Arrays.toString(tile));
		if (halo != null) for (long h : halo) if (h < 0) throw new IllegalArgumentException("halo must be >= 0, got " + Arrays.toString(halo));
		if (!(overlap >= 0 && overlap <= 0.9)) throw new IllegalArgumentException("overlap must be in [0, 0.9], got " + overlap);
		if (batch < 0) throw new IllegalArgumentException("batch must be >= 0 (0 = automatic), got " + batch);
		if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
		if (border == null) throw new IllegalArgumentException("border must be SAME or MIRROR, got null");
		if (objects == null) objects = Objects.defaults();
		if (channels != null) {
			if (channels.length == 0) throw new IllegalArgumentException("channels must list at least one channel (1-based), or be all");
			for (int c : channels) if (c < 1) throw new IllegalArgumentException("channels are 1-based, got " + Arrays.toString(channels));
			channels = channels.clone();
		}
		tile = tile == null ? null : tile.clone();
		halo = halo == null ? null : halo.clone();
	}

	/**
	 * @return the model's tiling, automatic batch, no overlap, threshold 0.5, labels only, {@code SAME}
	 *     border, RGB images refused by 1-channel models
	 */
	public static SegmentationSettings defaults() {
		return new SegmentationSettings(null, null, 0, 0, 0.5, false, Border.SAME, false);
	}

	/** @return a copy with another tile size ({@code null} = model default) */
	public SegmentationSettings withTile(long... newTile) {
		return new SegmentationSettings(newTile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, objects, channels, geometry, postprocess, stream, tta);
	}

	/** @return a copy with another overlap */
	public SegmentationSettings withOverlap(double newOverlap) {
		return new SegmentationSettings(tile, halo, newOverlap, batch, threshold, probabilities, border, rgbToLuminance, objects, channels, geometry, postprocess, stream, tta);
	}

	/** @return a copy that does or does not keep probabilities */
	public SegmentationSettings withProbabilities(boolean keep) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, keep, border, rgbToLuminance, objects, channels, geometry, postprocess, stream, tta);
	}

	/** @return a copy that does or does not convert RGB images to luminance for 1-channel models */
	public SegmentationSettings withRgbToLuminance(boolean convert) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, border, convert, objects, channels, geometry, postprocess, stream, tta);
	}

	/** @return a copy with another image border */
	public SegmentationSettings withBorder(Border newBorder) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, newBorder, rgbToLuminance, objects, channels, geometry, postprocess, stream, tta);
	}

	/** @return a copy with other instance settings */
	public SegmentationSettings withObjects(Objects newObjects) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, newObjects, channels, geometry, postprocess, stream, tta);
	}

	/** @return a copy that gives the model these channels (1-based; {@code null} = all) */
	public SegmentationSettings withChannels(int... newChannels) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, objects, newChannels, geometry, postprocess, stream, tta);
	}

	/** @return a copy with other orientation and spacing handling */
	public SegmentationSettings withGeometry(Geometry newGeometry) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, objects, channels,
			newGeometry, postprocess, stream, tta);
	}

	/** @return a copy with another post-processing choice */
	public SegmentationSettings withPostprocess(String newPostprocess) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, objects, channels,
			geometry, newPostprocess, stream, tta);
	}

	/** @return a copy with another streaming choice */
	public SegmentationSettings withStream(Stream newStream) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, objects, channels,
			geometry, postprocess, newStream, tta);
	}

	/** @return a copy with or without test-time mirroring */
	public SegmentationSettings withTta(boolean mirror) {
		return new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, border, rgbToLuminance, objects, channels,
			geometry, postprocess, stream, mirror);
	}

	@Override
	public int[] channels() {
		return channels == null ? null : channels.clone();
	}

	@Override
	public long[] tile() {
		return tile == null ? null : tile.clone();
	}

	@Override
	public long[] halo() {
		return halo == null ? null : halo.clone();
	}
}
