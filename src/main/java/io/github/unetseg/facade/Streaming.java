package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.io.BigTiffTileWriter;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyInputs;
import io.github.unetseg.io.NiftiPlaneWriter;
import io.github.unetseg.io.PlaneWriter;

/**
 * When and where a file is segmented without loading it: with {@link SegmentationSettings.Stream#AUTO} a
 * file read lazily ({@link LazyInputs}) larger than an eighth of the Java heap (or than the system property
 * {@code unetseg.streamingBytes}) whose dimensions are the model's, with {@code ALWAYS} every file of the
 * model's dimensions (one that cannot be read lazily then fails with how to convert it); its outputs are uncompressed NIfTI for volumes ({@code <name>_labels.nii},
 * {@code <name>_probabilities.nii}, written plane by plane) and BigTIFF for 2D images
 * ({@code <name>_labels.btf}, {@code <name>_probabilities.btf}, tiled BigTIFF written band by band: NIfTI-1 axes
 * stop at 32,767 pixels).
 */
final class Streaming {

	private Streaming() {}

	/**
	 * @param input an input file
	 * @param dimensions the model's spatial dimensions, 2 or 3; 0 for any
	 * @param mode the user's choice
	 * @return true to stream it
	 */
	static boolean streams(Path input, int dimensions, SegmentationSettings.Stream mode) {
		if (mode == SegmentationSettings.Stream.NEVER || !Files.isRegularFile(input)) return false;
		if (!LazyInputs.supports(input)) return mode == SegmentationSettings.Stream.ALWAYS; // fails in LazyInputs.open with the fix
		long limit = Long.getLong("unetseg.streamingBytes", Runtime.getRuntime().maxMemory() / 8);
		try {
			if (mode == SegmentationSettings.Stream.AUTO && Files.size(input) <= limit) return false;
		}
		catch (IOException e) {
			return false;
		}
		if (dimensions == 0) return true;
		try (LazyInputs.Opened o = LazyInputs.open(input, 1 << 20)) {
			return o.volume().spatialDims() == dimensions;
		}
		catch (RuntimeException e) {
			return false;
		}
	}

	/** @return the labels file of a streamed input with this many spatial dimensions */
	static Path labels(Path input, Path outputDir, int dimensions) {
		return outputDir.resolve(ImageFiles.baseName(input) + "_labels" + (dimensions == 3 ? ".nii" : ".btf"));
	}

	/** @return the probabilities file of a streamed input with this many spatial dimensions */
	static Path probabilities(Path input, Path outputDir, int dimensions) {
		return outputDir.resolve(ImageFiles.baseName(input) + "_probabilities" + (dimensions == 3 ? ".nii" : ".btf"));
	}

	/** @return whether a streamed input's outputs exist, for a model of this many dimensions */
	static boolean done(Path input, Path outputDir, int dimensions, boolean probabilities) {
		return Files.isRegularFile(labels(input, outputDir, dimensions)) &&
			(!probabilities || Files.isRegularFile(probabilities(input, outputDir, dimensions)));
	}

	/**
	 * Opens the writer of a streamed image's outputs: NIfTI planes for a volume, tiled BigTIFF for a 2D image.
	 *
	 * @param objects whether the labels are an instance model's object ids (32-bit) rather than classes (8-bit)
	 */
	static PlaneWriter writer(Path input, Path outputDir, long[] size, int channels, double threshold, boolean probabilities, Calibration cal,
		boolean objects)
	{
		int n = size.length;
		Path l = labels(input, outputDir, n), p = probabilities ? probabilities(input, outputDir, n) : null;
		return n == 3 ? new NiftiPlaneWriter(l, p, size, channels, threshold, cal, objects)
			: new BigTiffTileWriter(l, p, size, channels, threshold, cal, objects);
	}
}
