package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import ij.ImagePlus;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.io.TiffIO;

/**
 * Evaluation of time series, one frame at a time: a prediction and a ground truth that are ImageJ
 * hyperstack TIFFs with frames or one-file OME-TIFFs with time points ({@link ImageFiles#timePoints}), as
 * {@code unetseg segment} writes a time series' labels, are scored frame by frame, each frame a 2D image or a
 * z-stack with the file's calibration. Both files are read whole (ImageJ 1's TIFF reader; an OME-TIFF's
 * pages in the order its OME-XML gives).
 */
final class Frames {

	private Frames() {}

	/**
	 * @param prediction a prediction file
	 * @param truth its ground-truth file
	 * @return whether either is a time series (more than one time point), to be scored by {@link #each}
	 */
	static boolean series(Path prediction, Path truth) {
		return ImageFiles.timePoints(prediction) > 1 || ImageFiles.timePoints(truth) > 1;
	}

	/**
	 * Scores each frame of a time series pair.
	 *
	 * @param <R> a frame's result
	 * @param prediction a prediction time series
	 * @param truth its ground truth, with as many time points
	 * @param score scores one frame: prediction and truth {@code [x, y(, z), c]}, then the frame's number (1-based)
	 * @return the frames' results in frame order
	 * @throws SegmentationException if a file cannot be read or the two have different numbers of time points
	 *     (the message names both counts and the fix)
	 */
	static <R> List<R> each(Path prediction, Path truth, BiFunction<Volume<?>[], Integer, R> score) {
		ImagePlus p = TiffIO.open(prediction), t = TiffIO.open(truth);
		if (p.getNFrames() != t.getNFrames())
			throw new SegmentationException(prediction + " has " + p.getNFrames() + " time point(s), " + truth + " " + t.getNFrames() +
				". Fix: compare a time series' labels with the ground truth of the same frames.");
		List<R> out = new ArrayList<>();
		for (int f = 1; f <= p.getNFrames(); f++)
			out.add(score.apply(new Volume<?>[] { ImagePlusAdapter.wrap(ImagePlusAdapter.frame(p, f), prediction + " frame " + f),
				ImagePlusAdapter.wrap(ImagePlusAdapter.frame(t, f), truth + " frame " + f) }, f));
		return out;
	}

	/**
	 * @param base an image's base name
	 * @param frame a frame number, 1-based
	 * @return the name of the frame's rows in reports: {@code base[t=frame]}
	 */
	static String name(String base, int frame) {
		return base + "[t=" + frame + "]";
	}
}
