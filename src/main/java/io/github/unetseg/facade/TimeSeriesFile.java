package io.github.unetseg.facade;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import ij.ImagePlus;
import ij.gui.Roi;
import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.io.ObjectRois;
import io.github.unetseg.io.TiffIO;
import io.github.unetseg.objects.ObjectMeasurements;
import io.github.unetseg.tiling.ProgressListener;

/**
 * A time-series file of a folder run ({@link FolderRun}): an ImageJ hyperstack TIFF with frames, as Fiji
 * saves a time-lapse ({@link ImageFiles#timePoints}), segmented one frame at a time as Segment Image does
 * with the open image, each frame a 2D image or a z-stack as the model takes it. The outputs keep the
 * hyperstack's axes: {@code <name>_labels.tif} {@code [c = 1, z, t]} and {@code _probabilities.tif}
 * {@code [c = classes, z, t]} with the input's calibration and frame interval; an instance model's object
 * ids start at 1 in each frame, its {@code _rois.zip} holds ROIs with their frame ({@link ObjectRois#inFrame})
 * and its {@code _objects.csv} a {@code frame} column. Each file is written to a temporary file and moved into
 * place. The file is read whole (ImageJ 1's TIFF reader), one frame's input and all frames' results in memory.
 */
final class TimeSeriesFile {

	private TimeSeriesFile() {}

	/**
	 * Segments a time series into {@code outputDir}.
	 *
	 * @param input an ImageJ hyperstack TIFF with more than one frame
	 * @param outputDir the output folder, created if missing
	 * @param settings the run's settings
	 * @param work the folder run's segmenter
	 * @param progress progress over all frames, and cancellation
	 * @return the written files; its result holds the labels of all frames as one stack {@code [x, y, z * t, 1]}
	 *     (for the voxel count and throughput), the last frame's tile plan and the objects of all frames
	 * @throws SegmentationException if the file cannot be read, a frame does not fit the model (the message names
	 *     the frame), or an output cannot be written
	 */
	static FileResult segment(Path input, Path outputDir, SegmentationSettings settings, FolderRun.Work work, ProgressListener progress) {
		long t0 = System.nanoTime();
		ImagePlus imp = TiffIO.open(input);
		int frames = imp.getNFrames();
		String name = ImageFiles.baseName(input);
		List<ImagePlus> labels = new ArrayList<>(), probabilities = new ArrayList<>();
		List<Roi> rois = new ArrayList<>();
		List<List<ObjectMeasurements.Measurement>> rows = new ArrayList<>();
		LinkedHashSet<String> warnings = new LinkedHashSet<>();
		warnings.add(input + " is a time series: its " + frames + " frames were segmented one by one" + (work.instances()
			? ", object ids starting at 1 in each frame." : "."));
		SegmentationResult last = null;
		int objects = 0, largestId = 0, dims = 2, channels = 1;
		String unit = "pixel";
		for (int t = 1; t <= frames; t++) {
			String source = input + " (frame " + t + ")";
			Volume<?> frame = ImagePlusAdapter.wrap(ImagePlusAdapter.frame(imp, t), source);
			SegmentationResult r = work.segment(frame, settings, ProgressListener.part(progress, t - 1, frames, "frame"), source);
			warnings.addAll(r.warnings());
			labels.add(ImagePlusAdapter.toImagePlus(r.labels(), name + "_labels"));
			if (r.probabilities() != null) probabilities.add(ImagePlusAdapter.toImagePlus(r.probabilities(), name + "_probabilities"));
			dims = frame.spatialDims();
			channels = frame.channels();
			unit = frame.calibration().unit();
			last = r;
			if (!r.instances()) continue;
			objects += r.objectCount();
			largestId = Math.max(largestId, r.objectCount());
			if (settings.objects().rois()) for (Roi roi : ObjectRois.of(r.labels(), r.objectCount())) rois.add(ObjectRois.inFrame(roi, t, frames));
			if (settings.objects().measure()) rows.add(ObjectMeasurements.measure(r.labels(), frame, r.objectCount()));
		}
		try {
			Files.createDirectories(outputDir);
		}
		catch (java.io.IOException e) {
			throw new SegmentationException("Cannot create output folder " + outputDir + ": " + e.getMessage() +
				". Fix: choose a writable --output folder.", e);
		}
		ImagePlus all = ImagePlusAdapter.stackFrames(labels, imp.getCalibration());
		ImagePlusAdapter.applyLabelLut(all, last.instances() ? largestId + 1 : work.labelClasses());
		Path labelsFile = OutputFiles.labels(input, outputDir), probabilitiesFile = null;
		TiffIO.save(all, labelsFile);
		if (!probabilities.isEmpty()) {
			probabilitiesFile = OutputFiles.probabilities(input, outputDir);
			TiffIO.save(ImagePlusAdapter.stackFrames(probabilities, imp.getCalibration()), probabilitiesFile);
		}
		if (last.instances() && settings.objects().rois()) ObjectRois.writeZip(rois, OutputFiles.rois(input, outputDir));
		if (last.instances() && settings.objects().measure())
			AtomicFiles.writeString(OutputFiles.objects(input, outputDir), ObjectMeasurements.csvFrames(rows, dims, channels, unit));
		// every frame's planes as one stack, for the voxel count: [x, y, z * t]
		ImagePlus planes = new ImagePlus(all.getTitle(), all.getStack());
		planes.setDimensions(1, all.getStackSize(), 1);
		double seconds = (System.nanoTime() - t0) / 1e9;
		SegmentationResult summary = new SegmentationResult(ImagePlusAdapter.wrap(planes, input.toString()), null, last.plan(),
			last.batchSize(), last.stats(), last.device(), List.copyOf(warnings), seconds, last.instances() ? objects : -1);
		return new FileResult(input, labelsFile, probabilitiesFile, summary, imp.getWidth() + " x " + imp.getHeight() + (imp.getNSlices() > 1
			? " x " + imp.getNSlices() : "") + " x " + frames + " frames", seconds, ResidentMemory.peakBytes());
	}
}
