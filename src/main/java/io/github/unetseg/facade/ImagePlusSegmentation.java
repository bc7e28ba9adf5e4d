package io.github.unetseg.facade;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.io.ObjectOutputs;
import io.github.unetseg.io.ObjectRois;
import io.github.unetseg.objects.ObjectMeasurements;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Segments an {@link ImagePlus} in memory, for Fiji's Segment Image command, the ImageJ 1 plugin and a folder
 * run's time-series files ({@link TimeSeriesFile}) alike, and gives the results as ImageJ 1 shows them: the
 * label image with the label lookup table and the input's calibration, the probability map, an instance
 * model's ROIs and its per-object measurements and table.
 *
 * <p>A time series (a hyperstack with more than one frame) is segmented one frame at a time, each frame
 * a 2D image or a z-stack as the model takes it (a 2D model on a z-stack runs plane by plane), and the
 * results keep the hyperstack's axes: labels {@code [c = 1, z, t]}, probabilities {@code [c = classes,
 * z, t]}, the calibration with its frame interval. An instance model's object ids start at 1 in each
 * frame (as StarDist's Fiji plugin numbers a time-lapse; objects are not tracked), its ROIs carry their
 * plane and frame ({@code Roi.setPosition(0, z, t)}, names ending in {@code -t<frame>}) and the object
 * table a {@code Frame} column. Only one frame of the input is wrapped at a time, so a virtual time series
 * is read frame by frame.
 */
public final class ImagePlusSegmentation {

	/**
	 * What one image gave.
	 *
	 * @param labels class indices or object ids, {@code [c = 1, z, t]} as the input's slices and frames, 8- or 16-bit
	 *     (32-bit float above 65,535 objects in a frame), with the label lookup table and the input's calibration
	 * @param probabilities {@code [c = classes, z, t]} in {@code [0, 1]}, 32-bit, or {@code null} unless asked for
	 * @param instances whether the model is an instance model
	 * @param objects objects found over all frames (0 for a semantic model)
	 * @param rois the objects' ROIs in frame, then id order; empty unless the settings ask for ROIs
	 * @param measurements per frame, one row per object; empty unless measured
	 * @param table the measurements as one table ({@link ObjectOutputs#framesTable}, with a {@code Frame} column for a
	 *     time series), or {@code null} unless measured
	 * @param warnings what the user should know, each once
	 * @param seconds wall time of the segmentation over all frames, in seconds
	 * @param last the last frame's result (its tile plan, batch and timing)
	 */
	public record Outcome(ImagePlus labels, ImagePlus probabilities, boolean instances, int objects, List<Roi> rois,
		List<List<ObjectMeasurements.Measurement>> measurements, ResultsTable table, List<String> warnings, double seconds,
		SegmentationResult last)
	{
		/** @return where the network ran */
		public String device() {
			return last.device();
		}
	}

	/** Segments one image, as {@link Segmenter#segment} (or a folder run's work) does. */
	interface Model {
		SegmentationResult segment(Volume<?> volume, SegmentationSettings settings, ProgressListener progress, String source);
	}

	private ImagePlusSegmentation() {}

	/**
	 * Segments the image, one frame at a time when it is a time series.
	 *
	 * @param segmenter the model
	 * @param settings the run's settings (ROIs are traced when {@code settings.objects().rois()})
	 * @param image 8-, 16-, 32-bit or RGB, any channels, slices and frames
	 * @param measure whether to measure an instance model's objects
	 * @param progress progress over all frames, and cancellation
	 * @return the results, titled after the image ({@code <name>_labels}, {@code <name>_probabilities})
	 * @throws io.github.unetseg.SegmentationException if a frame does not fit the model (see
	 *     {@link Segmenter#segment}); the message names the frame
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static Outcome segment(Segmenter segmenter, SegmentationSettings settings, ImagePlus image, boolean measure,
		ProgressListener progress)
	{
		return segment(segmenter::segment, segmenter.spec().instances() != null, segmenter.spec().classNames().size(), settings, image,
			measure, progress);
	}

	/**
	 * Segments the image with a model given as a function.
	 *
	 * @param model segments one frame
	 * @param instanceModel whether it is an instance model (for the warnings)
	 * @param labelClasses the model's classes, for a semantic label image's lookup table
	 * @param settings as {@link #segment(Segmenter, SegmentationSettings, ImagePlus, boolean, ProgressListener)}
	 * @param image the image
	 * @param measure whether to measure objects
	 * @param progress progress over all frames, and cancellation
	 * @return the results
	 */
	static Outcome segment(Model model, boolean instanceModel, int labelClasses, SegmentationSettings settings, ImagePlus image,
		boolean measure, ProgressListener progress)
	{
		int frames = image.getNFrames();
		String title = image.getTitle(), base = ImageFiles.baseName(title);
		List<ImagePlus> labelFrames = new ArrayList<>(), probabilityFrames = new ArrayList<>();
		List<Roi> rois = new ArrayList<>();
		List<List<ObjectMeasurements.Measurement>> rows = new ArrayList<>();
		LinkedHashSet<String> warnings = new LinkedHashSet<>();
		if (frames > 1) warnings.add(title + " is a time series: its " + frames + " frames were segmented one by one" +
			(instanceModel ? ", object ids starting at 1 in each frame." : "."));
		boolean instances = false;
		int objects = 0, largestId = 0, dims = 2, channels = 1;
		double seconds = 0;
		SegmentationResult last = null;
		for (int t = 1; t <= frames; t++) {
			String source = frames == 1 ? title : title + " (frame " + t + ")";
			Volume<?> volume = ImagePlusAdapter.wrap(frames == 1 ? image : ImagePlusAdapter.frame(image, t), source);
			ProgressListener part = frames == 1 ? progress : ProgressListener.part(progress, t - 1, frames, "frame");
			SegmentationResult r = model.segment(volume, settings, part, source);
			warnings.addAll(r.warnings());
			seconds += r.seconds();
			last = r;
			dims = r.labels().spatialDims();
			channels = volume.channels();
			labelFrames.add(ImagePlusAdapter.toImagePlus(r.labels(), base + "_labels"));
			if (r.probabilities() != null) probabilityFrames.add(ImagePlusAdapter.toImagePlus(r.probabilities(), base + "_probabilities"));
			if (!r.instances()) continue;
			instances = true;
			objects += r.objectCount();
			largestId = Math.max(largestId, r.objectCount());
			if (settings.objects().rois())
				for (Roi roi : ObjectRois.of(r.labels(), r.objectCount())) rois.add(frames == 1 ? roi : ObjectRois.inFrame(roi, t, frames));
			if (measure) rows.add(ObjectMeasurements.measure(r.labels(), volume, r.objectCount()));
		}
		ImagePlus labels = ImagePlusAdapter.stackFrames(labelFrames, image.getCalibration());
		ImagePlusAdapter.applyLabelLut(labels, instances ? largestId + 1 : labelClasses);
		ImagePlus probabilities = probabilityFrames.isEmpty() ? null : ImagePlusAdapter.stackFrames(probabilityFrames, image.getCalibration());
		ResultsTable table = instances && measure ? ObjectOutputs.framesTable(rows, dims, channels,
			image.getCalibration().getUnit()) : null;
		return new Outcome(labels, probabilities, instances, objects, rois, rows, table, List.copyOf(warnings), seconds, last);
	}

}
