package io.github.unetseg.facade;

import java.nio.file.Path;

import ij.ImagePlus;
import io.github.unetseg.AtomicFiles;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.io.ObjectRois;
import io.github.unetseg.io.TiffIO;
import io.github.unetseg.objects.ObjectMeasurements;
import io.github.unetseg.tiling.ProgressListener;

/**
 * A time-series file of a folder run ({@link FolderRun}): an ImageJ hyperstack TIFF with frames, as Fiji
 * saves a time-lapse, or a one-file OME-TIFF with time points ({@link ImageFiles#timePoints}), segmented one frame at a time as Segment Image does
 * with the open image, each frame a 2D image or a z-stack as the model takes it. The outputs keep the
 * hyperstack's axes: {@code <name>_labels.tif} {@code [c = 1, z, t]} and {@code _probabilities.tif}
 * {@code [c = classes, z, t]} (OME-TIFF {@code .ome.tif} for an OME-TIFF input) with the input's calibration and
 * frame interval; an instance model's object
 * ids start at 1 in each frame, its {@code _rois.zip} holds ROIs with their frame ({@link ObjectRois#inFrame})
 * and its {@code _objects.csv} a {@code frame} column. Each file is written to a temporary file and moved into
 * place. The file is read whole (ImageJ 1's TIFF reader, an OME-TIFF's pages ordered as its OME-XML says) and the frames are segmented as Segment Image
 * segments an open time series ({@link ImagePlusSegmentation}), so a file and the open image give the same objects.
 */
final class TimeSeriesFile {

	private TimeSeriesFile() {}

	/**
	 * Segments a time series into {@code outputDir}.
	 *
	 * @param input an ImageJ hyperstack TIFF with more than one frame, or a one-file OME-TIFF with more than one time point
	 * @param outputDir the output folder, created if missing
	 * @param settings the run's settings
	 * @param work the folder run's segmenter
	 * @param progress progress over all frames, and cancellation
	 * @return the written files; its result holds the labels of all frames as one stack {@code [x, y, z * t, 1]}
	 *     (for the voxel count and throughput), the last frame's tile plan and the objects of all frames
	 * @throws io.github.unetseg.SegmentationException if the file cannot be read, a frame does not fit the model (the message names
	 *     the frame), or an output cannot be written
	 */
	static FileResult segment(Path input, Path outputDir, SegmentationSettings settings, FolderRun.Work work, ProgressListener progress) {
		long t0 = System.nanoTime();
		ImagePlus imp = TiffIO.open(input);
		imp.setTitle(input.getFileName().toString());
		SegmentationSettings.Objects o = settings.objects();
		ImagePlusSegmentation.Outcome r = ImagePlusSegmentation.segment(work::segment, work.instances(), work.labelClasses(), settings, imp,
			o.measure(), progress);
		OutputFiles.createFolder(outputDir);
		Path labelsFile = OutputFiles.labels(input, outputDir), probabilitiesFile = null;
		TiffIO.save(r.labels(), labelsFile);
		if (r.probabilities() != null) TiffIO.save(r.probabilities(), probabilitiesFile = OutputFiles.probabilities(input, outputDir));
		if (r.instances() && o.rois()) ObjectRois.writeZip(r.rois(), OutputFiles.rois(input, outputDir));
		if (r.instances() && o.measure()) AtomicFiles.writeString(OutputFiles.objects(input, outputDir), ObjectMeasurements.csvFrames(
			r.measurements(), r.last().labels().spatialDims(), imp.getType() == ImagePlus.COLOR_RGB ? 3 : imp.getNChannels(),
			imp.getCalibration().getUnit()));
		// every frame's planes as one stack, for the voxel count: [x, y, z * t]
		ImagePlus planes = new ImagePlus(r.labels().getTitle(), r.labels().getStack());
		planes.setDimensions(1, r.labels().getStackSize(), 1);
		double seconds = (System.nanoTime() - t0) / 1e9;
		SegmentationResult last = r.last();
		SegmentationResult summary = new SegmentationResult(ImagePlusAdapter.wrap(planes, input.toString()), null, last.plan(),
			last.batchSize(), last.stats(), last.device(), r.warnings(), seconds, r.instances() ? r.objects() : -1);
		return new FileResult(input, labelsFile, probabilitiesFile, summary, imp.getWidth() + " x " + imp.getHeight() + (imp.getNSlices() > 1
			? " x " + imp.getNSlices() : "") + " x " + imp.getNFrames() + " frames", seconds, ResidentMemory.peakBytes());
	}
}
