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
 * hyperstacks with frames (open images, or TIFFs as Fiji saves a time-lapse) or one-file OME-TIFFs with time
 * points ({@link ImageFiles#timePoints}), as {@code unetseg segment} writes a time series' labels, are scored
 * frame by frame, each frame a 2D image or a z-stack with the image's calibration. Files are read whole
 * (ImageJ 1's TIFF reader; an OME-TIFF's pages in the order its OME-XML gives). Used by {@code unetseg
 * evaluate}, {@code segment --truth} and Fiji's Evaluate Segmentation, so all three pair the same frames.
 */
public final class Frames {

	private Frames() {}

	/**
	 * @param prediction a prediction file
	 * @param truth its ground-truth file
	 * @return whether either is a time series (more than one time point), to be scored by {@link #each}
	 */
	public static boolean series(Path prediction, Path truth) {
		return ImageFiles.timePoints(prediction) > 1 || ImageFiles.timePoints(truth) > 1;
	}

	/**
	 * Scores each frame of a time-series file pair.
	 *
	 * @param <R> a frame's result
	 * @param prediction a prediction time series
	 * @param truth its ground truth, with as many time points
	 * @param score scores one frame: prediction and truth {@code [x, y(, z), c]}, then the frame's number (1-based)
	 * @return the frames' results in frame order
	 * @throws SegmentationException if a file cannot be read or the two have different numbers of time points
	 *     (the message names both counts and the fix)
	 */
	public static <R> List<R> each(Path prediction, Path truth, BiFunction<Volume<?>[], Integer, R> score) {
		return each(TiffIO.open(prediction), TiffIO.open(truth), prediction.toString(), truth.toString(), score);
	}

	/**
	 * Scores each frame of two images (one frame each for single images); a frame is wrapped, not copied.
	 *
	 * @param <R> a frame's result
	 * @param prediction predicted labels, any channels, slices and frames
	 * @param truth its ground truth, with as many frames
	 * @param predictionName the prediction's file or title, for messages
	 * @param truthName the truth's file or title, for messages
	 * @param score scores one frame: prediction and truth {@code [x, y(, z), c]}, then the frame's number (1-based)
	 * @return the frames' results in frame order
	 * @throws SegmentationException if the two have different numbers of frames (the message names both counts and
	 *     the fix), or a frame cannot be wrapped
	 */
	public static <R> List<R> each(ImagePlus prediction, ImagePlus truth, String predictionName, String truthName,
		BiFunction<Volume<?>[], Integer, R> score)
	{
		int frames = prediction.getNFrames();
		if (truth.getNFrames() != frames)
			throw new SegmentationException(predictionName + " has " + frames + " time point(s), " + truthName + " " + truth.getNFrames() +
				". Fix: compare a time series' labels with the ground truth of the same frames.");
		List<R> out = new ArrayList<>();
		for (int f = 1; f <= frames; f++) {
			String suffix = frames > 1 ? " frame " + f : "";
			out.add(score.apply(new Volume<?>[] { ImagePlusAdapter.wrap(frames > 1 ? ImagePlusAdapter.frame(prediction, f) : prediction,
				predictionName + suffix), ImagePlusAdapter.wrap(frames > 1 ? ImagePlusAdapter.frame(truth, f) : truth, truthName + suffix) }, f));
		}
		return out;
	}

	/**
	 * @param base an image's base name
	 * @param frame a frame number, 1-based
	 * @return the name of the frame's rows in reports: {@code base[t=frame]}
	 */
	public static String name(String base, int frame) {
		return base + "[t=" + frame + "]";
	}
}
