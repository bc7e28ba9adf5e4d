package io.github.unetseg.command;

import java.nio.file.Files;
import java.nio.file.Path;

import ij.ImagePlus;
import ij.io.FileInfo;
import ij.plugin.FileInfoVirtualStack;
import io.github.unetseg.facade.FileResult;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.io.LazyInputs;
import io.github.unetseg.io.LazyNifti;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Images that Fiji holds as a virtual stack of a file: Segment Image segments such an image from its file
 * (read lazily, labels streamed to disk; {@code facade.Streaming}) instead of copying every plane into
 * memory, and opens the streamed NIfTI outputs as virtual stacks ({@link FileInfoVirtualStack} over the
 * files' raw planes), so neither the input nor the result has to fit in memory; an instance model's objects
 * likewise (without {@code diameter} rescaling, which is done in memory; no ROIs or object table, which need the
 * whole label image: the run's warnings say so). Used by Fiji's command and by the ImageJ 1 macro plugin alike.
 */
public final class FileBackedImages {

	/**
	 * A file-backed image's segmentation.
	 *
	 * @param labels the label image (a virtual stack for a streamed volume), with the model's label LUT
	 * @param probabilities the probability map (virtual likewise), or {@code null} when not asked for
	 * @param file the written files and the run's figures
	 * @param message one line saying what was segmented from which file into which files, for the log
	 */
	public record Result(ImagePlus labels, ImagePlus probabilities, FileResult file, String message) {}

	/** Bytes before the voxels of an uncompressed single-file NIfTI-1 as unetseg streams it. */
	private static final long NIFTI_DATA_OFFSET = 352;

	private FileBackedImages() {}

	/**
	 * @param imp an image
	 * @return the file the image's virtual stack reads, when that file is read lazily by unetseg and holds
	 *     exactly the image's pixels ({@code [x, y(, z), c]} with the image's width, height, slices and
	 *     channels, one frame); {@code null} for images in memory, edited or composed stacks, time series
	 */
	public static Path sourceFile(ImagePlus imp) {
		if (imp.getStack() == null || !imp.getStack().isVirtual() || imp.getNFrames() > 1 || imp.changes) return null;
		FileInfo fi = imp.getOriginalFileInfo();
		if (fi == null || fi.fileName == null || fi.directory == null || fi.fileName.isEmpty()) return null;
		Path file = Path.of(fi.directory, fi.fileName);
		if (!Files.isRegularFile(file) || !LazyInputs.supports(file)) return null;
		try (LazyInputs.Opened o = LazyInputs.open(file, 1 << 20)) {
			long[] s = o.volume().spatialSize();
			boolean same = s[0] == imp.getWidth() && s[1] == imp.getHeight() && (s.length == 3 ? s[2] : 1) == imp.getNSlices() &&
				o.volume().channels() == (imp.getType() == ImagePlus.COLOR_RGB ? 3 : imp.getNChannels());
			return same ? file : null;
		}
		catch (RuntimeException e) {
			return null; // not readable by regions after all: the image is segmented in memory
		}
	}

	/**
	 * Segments the file behind a virtual stack without loading it ({@code stream=always}): the outputs are
	 * written next to the file (or to the temporary folder; {@link #outputFolder}) as Segment Folder writes
	 * them, and a streamed volume's NIfTI outputs open as virtual stacks.
	 *
	 * @param segmenter a model ({@link #fileToSegment} says when an instance model's run may be one)
	 * @param settings the run's settings
	 * @param file the image's file ({@link #sourceFile})
	 * @param title the image's title
	 * @param progress progress and cancellation
	 * @return the outputs
	 * @throws io.github.unetseg.SegmentationException if the file cannot be segmented or the outputs written
	 */
	public static Result segment(Segmenter segmenter, SegmentationSettings settings, Path file, String title, ProgressListener progress) {
		FileResult done = segmenter.segmentFile(file, outputFolder(file), settings.withStream(SegmentationSettings.Stream.ALWAYS), progress);
		SegmentationResult r = done.result();
		String base = ImageFiles.baseName(title);
		long[] size = r.labels().spatialSize();
		boolean virtual = size.length == 3 && done.labelsFile().getFileName().toString().endsWith(".nii") && LazyNifti.supports(done.labelsFile());
		// an instance model's labels are 32-bit object ids (io.NiftiPlaneWriter), a semantic model's 8-bit classes
		ImagePlus labels = virtual ? openVirtual(done.labelsFile(), base + "_labels", size, 1, r.instances() ? FileInfo.GRAY32_UNSIGNED
			: FileInfo.GRAY8, r.labels().calibration()) : ImagePlusAdapter.toImagePlus(r.labels(), base + "_labels");
		ImagePlusAdapter.applyLabelLut(labels, r.instances() ? r.objectCount() + 1 : segmenter.spec().classNames().size());
		ImagePlus probabilities = done.probabilitiesFile() == null ? null : virtual ? openVirtual(done.probabilitiesFile(), base +
			"_probabilities", size, 0, FileInfo.GRAY32_FLOAT, r.labels().calibration()) : ImagePlusAdapter.toImagePlus(ImageFiles.read(
			done.probabilitiesFile()), base + "_probabilities");
		String message = "U-Net: " + title + " is a virtual stack of " + file + "; it was segmented from that file into " + done.labelsFile() +
			(done.probabilitiesFile() != null ? " and " + done.probabilitiesFile() : "") + ".";
		return new Result(labels, probabilities, done, message);
	}

	/**
	 * The file Segment Image segments instead of the image's planes: {@link #sourceFile}, for a semantic model
	 * always, for an instance model where the run streams it ({@link Segmenter#streams}; otherwise the file
	 * would be loaded whole anyway, and the image's own path gives ROIs and measurements).
	 *
	 * @param segmenter the model
	 * @param settings the run's settings
	 * @param imp the image
	 * @return the file, or {@code null} when the image is segmented from its planes
	 */
	public static Path fileToSegment(Segmenter segmenter, SegmentationSettings settings, ImagePlus imp) {
		Path file = sourceFile(imp);
		if (file == null || segmenter.spec().instances() == null) return file;
		return segmenter.streams(file, settings.withStream(SegmentationSettings.Stream.ALWAYS)) ? file : null;
	}

	/**
	 * Where Segment Image writes a file-backed image's outputs: the image's own folder when it is writable
	 * (where Segment Folder would write them), else the temporary folder's {@code unetseg} folder.
	 *
	 * @param source the image file
	 * @return the output folder
	 */
	public static Path outputFolder(Path source) {
		Path folder = source.toAbsolutePath().getParent();
		return folder != null && Files.isWritable(folder) ? folder : Path.of(System.getProperty("java.io.tmpdir"), "unetseg");
	}

	/**
	 * Opens a streamed NIfTI output ({@code io.NiftiPlaneWriter}: uncompressed, little-endian, voxels from
	 * byte 352, {@code [x, y, z(, c)]}) as a virtual hyperstack without reading its voxels.
	 *
	 * @param nifti the file
	 * @param title the image title
	 * @param size spatial size {@code [x, y, z]}
	 * @param channels 1 for labels, the classes for probabilities, or 0 for as many as the file holds
	 * @param fileType the voxels' type: {@link FileInfo#GRAY8} (class labels), {@link FileInfo#GRAY32_UNSIGNED}
	 *     (object ids, shown as 32-bit float: exact up to 2^24) or {@link FileInfo#GRAY32_FLOAT} (probabilities)
	 * @param calibration spacing and unit
	 * @return the image, each plane read from the file when shown or processed
	 * @throws io.github.unetseg.SegmentationException if the file cannot be read
	 * @throws IllegalArgumentException for another file type
	 */
	public static ImagePlus openVirtual(Path nifti, String title, long[] size, int channels, int fileType, Calibration calibration) {
		int w = (int) size[0], h = (int) size[1], z = size.length > 2 ? (int) size[2] : 1;
		if (fileType != FileInfo.GRAY8 && fileType != FileInfo.GRAY32_UNSIGNED && fileType != FileInfo.GRAY32_FLOAT)
			throw new IllegalArgumentException("a streamed output is 8-bit, 32-bit unsigned or float32, got ImageJ file type " + fileType);
		int bytes = fileType == FileInfo.GRAY8 ? 1 : 4;
		if (channels <= 0) {
			try {
				channels = (int) ((Files.size(nifti) - NIFTI_DATA_OFFSET) / ((long) w * h * z * bytes));
			}
			catch (java.io.IOException e) {
				throw new io.github.unetseg.SegmentationException("Cannot read " + nifti + ": " + e.getMessage() + ". Fix: check the folder.", e);
			}
		}
		FileInfo[] planes = new FileInfo[z * channels];
		Path abs = nifti.toAbsolutePath();
		// ImageJ's hyperstack order: channel fastest, then slice; the file's: x, y, z, then channel
		for (int sl = 0; sl < z; sl++)
			for (int c = 0; c < channels; c++) {
				FileInfo fi = new FileInfo();
				fi.fileFormat = FileInfo.RAW;
				fi.fileType = fileType;
				fi.width = w;
				fi.height = h;
				fi.nImages = 1;
				fi.intelByteOrder = true;
				fi.directory = abs.getParent().toString() + java.io.File.separator;
				fi.fileName = abs.getFileName().toString();
				fi.longOffset = NIFTI_DATA_OFFSET + ((long) c * z + sl) * w * h * bytes;
				planes[sl * channels + c] = fi;
			}
		ImagePlus imp = new ImagePlus(title, new FileInfoVirtualStack(planes));
		imp.setDimensions(channels, z, 1);
		if (channels > 1) imp = new ij.CompositeImage(imp, ij.CompositeImage.GRAYSCALE);
		ij.measure.Calibration cal = imp.getCalibration();
		cal.pixelWidth = calibration.spacing(0);
		cal.pixelHeight = calibration.spacing(1);
		cal.pixelDepth = calibration.spatialDims() > 2 ? calibration.spacing(2) : 1;
		cal.setUnit(calibration.unit());
		return imp;
	}
}
