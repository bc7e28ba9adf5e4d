package io.github.unetseg.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;

/**
 * Reads and writes the image files unetseg understands, choosing the {@link ImageFormat} by content
 * (magic bytes), not by the file name, when reading, and by the file name when writing; names outputs
 * after their inputs.
 */
public final class ImageFiles {

	private ImageFiles() {}

	/**
	 * The formats unetseg reads, for every help text and dialog (one place, so they never drift):
	 * {@value}.
	 */
	public static final String READABLE = "TIFF, OME-TIFF, BigTIFF, NIfTI (.nii, .nii.gz), NRRD, MetaImage (.mha, .mhd), " +
		"DICOM series, PNG, JPEG, BMP, GIF, and any Bio-Formats format where Bio-Formats is installed (Fiji)";

	/**
	 * Detects the format from the first bytes (decompressing gzip); a folder of DICOM files is a series.
	 *
	 * @param path an existing file, or a DICOM series folder
	 * @return the format
	 * @throws SegmentationException if the file is missing, unreadable, or of an unknown format
	 */
	public static ImageFormat detect(Path path) {
		if (DicomSeriesIO.isSeriesFolder(path)) return ImageFormat.DICOM;
		if (!Files.isRegularFile(path))
			throw new SegmentationException("Image file " + path + " does not exist. Fix: check the path.");
		try {
			byte[] head = head(path, 512);
			for (ImageFormat f : ImageFormat.values()) if (f.recognises(path, head)) return f;
			throw new IllegalStateException("Bio-Formats, the last format, recognises every file or explains why not");
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + path + ": " + e.getMessage() + ". Fix: check the file and permissions.", e);
		}
	}

	private static byte[] head(Path path, int n) throws IOException {
		try (InputStream in = Files.newInputStream(path)) {
			return in.readNBytes(n);
		}
	}

	/**
	 * The time points of a file: an ImageJ hyperstack TIFF's frames (as Fiji saves a time-lapse) or an OME-TIFF's
	 * {@code SizeT}, 1 for every other file (the readers take one time point).
	 *
	 * @param path an input file or DICOM folder
	 * @return the number of time points, &gt;= 1
	 */
	public static int timePoints(Path path) {
		return java.nio.file.Files.isRegularFile(path) && detect(path) == ImageFormat.TIFF ? TiffPages.frames(path) : 1;
	}

	/**
	 * Reads an image in any of the {@link ImageFormat}s, detected by content.
	 *
	 * @param path an image file, or a DICOM series folder
	 * @return the volume {@code [x, y(, z), c]} with calibration
	 * @throws SegmentationException if the file is unknown, unreadable or invalid
	 */
	public static Volume<?> read(Path path) {
		ImageFormat f = detect(path);
		if ((f == ImageFormat.TIFF || f == ImageFormat.DICOM || f == ImageFormat.RASTER) && path.toString().indexOf('\ufffd') >= 0)
			throw new SegmentationException(path + " has a name that cannot be decoded in this JVM's file-name encoding (" +
				System.getProperty("sun.jnu.encoding") + ", from the locale), and ImageJ opens files by name. Fix: run with a UTF-8 " +
				"locale (export LC_ALL=C.UTF-8) or rename the file.");
		return f.read(path);
	}

	/**
	 * Writes an image in the format its name asks for: {@code .nii}/{@code .nii.gz} as NIfTI-1,
	 * {@code .nrrd} as NRRD, {@code .mha} as MetaImage, {@code .ome.tif} as OME-TIFF, {@code .btf}/{@code .tf8}
	 * as BigTIFF, anything else as TIFF. Atomic: a temporary file is
	 * moved into place when complete.
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @param path target file
	 * @param labelClasses for label images the number of classes (sets a LUT in TIFF), else 0
	 * @throws SegmentationException if it cannot be written
	 */
	public static <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
		ImageFormat.forWriting(path).write(volume, path, labelClasses);
	}

	/**
	 * The base name of a file without its image extension ({@code .tif}, {@code .tiff}, {@code .nii},
	 * {@code .nii.gz}, or the last extension).
	 *
	 * @param path a file
	 * @return the name without extension
	 */
	public static String baseName(Path path) {
		return baseName(path.getFileName().toString());
	}

	/**
	 * {@link #baseName(Path)} of a file name or an image title (e.g. a Fiji window title).
	 *
	 * @param n the name
	 * @return the name without its image extension
	 */
	public static String baseName(String n) {
		String lower = n.toLowerCase(Locale.ROOT);
		if (lower.endsWith(".nii.gz")) return n.substring(0, n.length() - 7);
		if (lower.endsWith(".ome.tif")) return n.substring(0, n.length() - 8);
		if (lower.endsWith(".ome.tiff")) return n.substring(0, n.length() - 9);
		for (String big : new String[] { ".ome.btf", ".ome.tf8", ".ome.tf2" }) if (lower.endsWith(big)) return n.substring(0, n.length() - 8);
		int dot = n.lastIndexOf('.');
		return dot > 0 ? n.substring(0, dot) : n;
	}

	/**
	 * The extension to use for outputs derived from an input: {@code .nii} for uncompressed NIfTI (which
	 * can be streamed), {@code .nii.gz} for compressed NIfTI,
	 * {@code .nrrd} for NRRD, {@code .mha} for MetaImage, {@code .nii.gz} for DICOM (a series folder or a
	 * {@code .dcm} file), {@code .tif} otherwise.
	 *
	 * @param input the input file
	 * @return the extension with its dot
	 */
	public static String outputExtension(Path input) {
		if (Files.isDirectory(input)) return ImageFormat.DICOM.outputSuffix(input);
		for (ImageFormat f : ImageFormat.values())
			if (ImageFormat.endsWith(input, f.writeSuffixes().toArray(new String[0]))) return f.outputSuffix(input);
		return ".tif";
	}
}
