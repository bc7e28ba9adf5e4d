package io.github.unetseg.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;

/**
 * Reads and writes the image files unetseg understands, choosing the format by content (magic bytes),
 * not only by the file name: TIFF ({@link TiffIO}), NIfTI-1 ({@link NiftiIO}), NRRD ({@link NrrdIO})
 * and MetaImage ({@link MetaImageIO}), DICOM series folders ({@link DicomSeriesIO}); anything else
 * through Bio-Formats where it is on the class path
 * ({@link BioFormatsReader}, always in Fiji).
 */
public final class ImageFiles {

	private ImageFiles() {}

	/**
	 * The formats unetseg reads, for every help text and dialog (one place, so they never drift):
	 * {@value}.
	 */
	public static final String READABLE = "TIFF, OME-TIFF, BigTIFF, NIfTI (.nii, .nii.gz), NRRD, MetaImage (.mha, .mhd), " +
		"DICOM series, and any Bio-Formats format where Bio-Formats is installed (Fiji)";

	/** Formats recognised by content. */
	public enum Format {
		/** Classic TIFF, read by ImageJ 1 (tiled ones through ImageIO). */
		TIFF,
		/** BigTIFF, read through ImageIO (TwelveMonkeys). */
		BIGTIFF,
		/** NIfTI-1, plain or gzip-compressed. */
		NIFTI,
		/** NRRD (3D Slicer, ITK). */
		NRRD,
		/** MetaImage .mha/.mhd (ITK, elastix). */
		METAIMAGE,
		/** A folder of DICOM slices (or one DICOM file), read with ImageJ 1's DICOM reader. */
		DICOM,
		/** Anything else, read through Bio-Formats where it is present (Fiji). */
		BIOFORMATS
	}

	/**
	 * Detects the format from the first bytes (decompressing gzip); a folder of DICOM files is a series.
	 *
	 * @param path an existing file, or a DICOM series folder
	 * @return the format
	 * @throws SegmentationException if the file is missing, unreadable, or of an unknown format
	 */
	public static Format detect(Path path) {
		if (DicomSeriesIO.isSeriesFolder(path)) return Format.DICOM;
		if (!Files.isRegularFile(path))
			throw new SegmentationException("Image file " + path + " does not exist. Fix: check the path.");
		try {
			byte[] head = head(path, 512);
			if (TiffIO.isTiff(head)) return Format.TIFF;
			if (ImageIoTiff.isBigTiff(head)) return Format.BIGTIFF;
			if (NrrdIO.isNrrd(head)) return Format.NRRD;
			if (MetaImageIO.isMetaImage(head)) return Format.METAIMAGE;
			if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
				byte[] inner;
				try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
					inner = in.readNBytes(348);
				}
				if (NiftiIO.isNifti(inner)) return Format.NIFTI;
			}
			if (NiftiIO.isNifti(head)) return Format.NIFTI;
			if (DicomSeriesIO.isDicom(path)) return Format.DICOM;
			String what = BioFormatsReader.describe(path, head);
			if (!BioFormatsReader.available() && what.equals("an unknown format"))
				throw new SegmentationException(path + " is not TIFF, NIfTI-1, NRRD or MetaImage (by its content). Fix: convert it to TIFF " +
					"(File > Save As > Tiff in Fiji) or NIfTI, or open it in Fiji, where Bio-Formats reads it, and segment the open image.");
			BioFormatsReader.require(path, what);
			return Format.BIOFORMATS;
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
	 * Reads an image.
	 *
	 * @param path TIFF or NIfTI-1 file
	 * @return the volume {@code [x, y(, z), c]} with calibration
	 * @throws SegmentationException if the file is unknown, unreadable or invalid
	 */
	public static Volume<?> read(Path path) {
		return switch (detect(path)) {
			case TIFF -> TiffIO.read(path);
			case BIGTIFF -> ImageIoTiff.read(path);
			case NIFTI -> NiftiIO.read(path);
			case NRRD -> NrrdIO.read(path);
			case METAIMAGE -> MetaImageIO.read(path);
			case DICOM -> DicomSeriesIO.read(path);
			case BIOFORMATS -> BioFormatsReader.read(path);
		};
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
		String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
		if (NiftiIO.hasNiftiName(path)) NiftiIO.write(volume, path);
		else if (name.endsWith(".nrrd")) NrrdIO.write(volume, path);
		else if (name.endsWith(".mha")) MetaImageIO.write(volume, path);
		else if (name.endsWith(".ome.tif") || name.endsWith(".ome.tiff")) OmeTiff.write(volume, path, labelClasses);
		else if (name.endsWith(".btf") || name.endsWith(".tf8")) ImageIoTiff.writeBigTiff(volume, path);
		else TiffIO.write(volume, path, labelClasses);
	}

	/**
	 * The base name of a file without its image extension ({@code .tif}, {@code .tiff}, {@code .nii},
	 * {@code .nii.gz}, or the last extension).
	 *
	 * @param path a file
	 * @return the name without extension
	 */
	public static String baseName(Path path) {
		String n = path.getFileName().toString();
		String lower = n.toLowerCase(Locale.ROOT);
		if (lower.endsWith(".nii.gz")) return n.substring(0, n.length() - 7);
		if (lower.endsWith(".ome.tif")) return n.substring(0, n.length() - 8);
		if (lower.endsWith(".ome.tiff")) return n.substring(0, n.length() - 9);
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
		String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
		if (name.endsWith(".nii")) return ".nii";
		if (name.endsWith(".ome.tif") || name.endsWith(".ome.tiff")) return ".ome.tif";
		if (name.endsWith(".btf") || name.endsWith(".tf8")) return ".btf";
		if (NiftiIO.hasNiftiName(input)) return ".nii.gz";
		if (name.endsWith(".nrrd") || name.endsWith(".nhdr")) return ".nrrd";
		if (name.endsWith(".mha") || name.endsWith(".mhd")) return ".mha";
		if (name.endsWith(".dcm") || Files.isDirectory(input)) return ".nii.gz";
		return ".tif";
	}
}
