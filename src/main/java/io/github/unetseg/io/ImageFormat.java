package io.github.unetseg.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;

/**
 * The image formats unetseg reads and writes, in one list: each knows how to recognise a file by its
 * content, read it, write a volume, and which file names ask for it. {@link ImageFiles} detects by
 * trying them in declaration order (the first that recognises a file reads it) and writes with the
 * first whose {@link #writeSuffixes()} end the target's name, TIFF otherwise. A new format is a new
 * constant here (and its name in {@link ImageFiles#READABLE}).
 *
 * <p>Volumes are {@code [x, y(, z), c]} with calibration; see each format's class for its details.
 */
public enum ImageFormat {

	/** Classic TIFF, multi-page and ImageJ hyperstacks, OME-TIFF pages by their OME-XML ({@link TiffIO}, {@link OmeTiff}). */
	TIFF(List.of(".ome.tif", ".ome.tiff", ".tif", ".tiff"), ".tif") {
		@Override
		boolean recognises(Path path, byte[] head) {
			return TiffIO.isTiff(head);
		}

		@Override
		public Volume<?> read(Path path) {
			return TiffIO.read(path);
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			if (endsWith(path, ".ome.tif", ".ome.tiff")) OmeTiff.write(volume, path, labelClasses);
			else TiffIO.write(volume, path, labelClasses);
		}

		@Override
		String outputSuffix(Path input) {
			return endsWith(input, ".ome.tif", ".ome.tiff") ? ".ome.tif" : ".tif";
		}
	},
	/** BigTIFF, read and written through ImageIO (TwelveMonkeys) ({@link ImageIoTiff}). */
	BIGTIFF(List.of(".ome.btf", ".ome.tf8", ".ome.tf2", ".btf", ".tf8", ".tf2"), ".btf") {
		@Override
		boolean recognises(Path path, byte[] head) {
			return ImageIoTiff.isBigTiff(head);
		}

		@Override
		public Volume<?> read(Path path) {
			return ImageIoTiff.read(path);
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			ImageIoTiff.writeBigTiff(volume, path);
		}
	},
	/** NRRD with raw or gzip data, attached or detached ({@link NrrdIO}). */
	NRRD(List.of(".nrrd", ".nhdr"), ".nrrd") {
		@Override
		boolean recognises(Path path, byte[] head) {
			return NrrdIO.isNrrd(head);
		}

		@Override
		public Volume<?> read(Path path) {
			return NrrdIO.read(path);
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			NrrdIO.write(volume, path);
		}
	},
	/** MetaImage {@code .mha}/{@code .mhd} ({@link MetaImageIO}). */
	METAIMAGE(List.of(".mha", ".mhd"), ".mha") {
		@Override
		boolean recognises(Path path, byte[] head) {
			return MetaImageIO.isMetaImage(head);
		}

		@Override
		public Volume<?> read(Path path) {
			return MetaImageIO.read(path);
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			MetaImageIO.write(volume, path);
		}
	},
	/** NIfTI-1, plain or gzip-compressed ({@link NiftiIO}); outputs keep the input's compression. */
	NIFTI(List.of(".nii.gz", ".nii"), ".nii.gz") {
		@Override
		boolean recognises(Path path, byte[] head) throws IOException {
			if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
				try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
					return NiftiIO.isNifti(in.readNBytes(348));
				}
			}
			return NiftiIO.isNifti(head);
		}

		@Override
		public Volume<?> read(Path path) {
			return NiftiIO.read(path);
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			NiftiIO.write(volume, path);
		}

		@Override
		String outputSuffix(Path input) {
			return endsWith(input, ".nii") ? ".nii" : ".nii.gz"; // uncompressed stays streamable
		}
	},
	/**
	 * PNG, JPEG, BMP and GIF, what microscopes and Data Science Bowl-style data sets save: 8-bit and
	 * 16-bit grey, RGB as three channels (palette images by their colours; colour images whose channels
	 * are equal everywhere as one grey channel); read by ImageJ 1's Opener, ImageIO where it cannot
	 * (recognised by content, whatever the name); outputs are TIFF.
	 */
	RASTER(List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif"), ".tif") {
		@Override
		boolean recognises(Path path, byte[] head) {
			return startsWith(head, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a) || startsWith(head, 0xff, 0xd8, 0xff) ||
				startsWith(head, 'G', 'I', 'F', '8') || startsWith(head, 'B', 'M') && head.length >= 26 && head[14] >= 12 && head[15] == 0;
		}

		@Override
		public Volume<?> read(Path path) {
			ij.ImagePlus imp;
			try {
				// ImageJ's Opener recognises these by their first bytes too, and decodes GIF itself (the JDK's reader can lose pixels)
				imp = new ij.io.Opener().openImage(path.toString());
				if (imp == null) imp = ij.io.Opener.openUsingImageIO(path.toString());
			}
			catch (RuntimeException e) {
				throw new SegmentationException(path + " could not be decoded (" + e + "). Fix: re-save it, or convert it to TIFF.", e);
			}
			catch (OutOfMemoryError e) {
				throw new SegmentationException(path + " declares an image larger than the memory there is (" + e.getMessage() + "). " +
					"Fix: re-save or re-copy the file.");
			}
			if (imp == null || imp.getWidth() < 1)
				throw new SegmentationException(path + " could not be decoded as PNG, JPEG, BMP or GIF (damaged or an unsupported " +
					"variant). Fix: re-save it, or convert it to TIFF in Fiji.");
			// palette images hold indices, not intensities: their colours; colour that is grey everywhere: one channel
			if (imp.getType() == ij.ImagePlus.COLOR_256) new ij.process.ImageConverter(imp).convertToRGB();
			if (imp.getType() == ij.ImagePlus.COLOR_RGB && greyEverywhere((int[]) imp.getProcessor().getPixels()))
				new ij.process.ImageConverter(imp).convertToGray8();
			return ImagePlusAdapter.wrap(imp, path.toString());
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			throw new SegmentationException("unetseg does not write " + path.getFileName() + ": labels and probabilities are written as " +
				"TIFF, NIfTI, NRRD or MetaImage. Fix: name the output .tif.");
		}

		@Override
		String outputSuffix(Path input) {
			return ".tif";
		}
	},
	/** A folder of DICOM slices, or one DICOM file, rescaled to physical units; written as NIfTI ({@link DicomSeriesIO}). */
	DICOM(List.of(".dcm"), ".nii.gz") {
		@Override
		boolean recognises(Path path, byte[] head) {
			return DicomSeriesIO.isDicom(path);
		}

		@Override
		public Volume<?> read(Path path) {
			return DicomSeriesIO.read(path);
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			NIFTI.write(volume, path, labelClasses);
		}
	},
	/** Anything else, through Bio-Formats where it is on the class path (Fiji); read only, outputs as TIFF ({@link BioFormatsReader}). */
	BIOFORMATS(List.of(), ".tif") {
		@Override
		boolean recognises(Path path, byte[] head) {
			String what = BioFormatsReader.describe(path, head);
			if (!BioFormatsReader.available() && what.equals("an unknown format"))
				throw new SegmentationException(path + " is not TIFF, NIfTI-1, NRRD or MetaImage (by its content). Fix: convert it to TIFF " +
					"(File > Save As > Tiff in Fiji) or NIfTI, open it in Fiji, where Bio-Formats reads it, and segment the open image, or " +
					"point bin/unetseg at Bio-Formats (BIOFORMATS_JARS=/path/to/Fiji.app/jars/bioformats_package.jar).");
			BioFormatsReader.require(path, what);
			return true;
		}

		@Override
		public Volume<?> read(Path path) {
			return BioFormatsReader.read(path);
		}

		@Override
		public <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
			TIFF.write(volume, path, labelClasses);
		}
	};

	private final List<String> suffixes;
	private final String output;

	ImageFormat(List<String> suffixes, String output) {
		this.suffixes = suffixes;
		this.output = output;
	}

	/**
	 * Whether a file is in this format, by its content (and, for DICOM, its structure).
	 *
	 * @param path the file
	 * @param head its first 512 bytes (fewer for a short file)
	 * @throws IOException if the file cannot be read
	 * @throws SegmentationException when this is the last resort and the file cannot be read at all
	 */
	abstract boolean recognises(Path path, byte[] head) throws IOException;

	/**
	 * Reads a file of this format.
	 *
	 * @param path the file (a folder for a DICOM series)
	 * @return the volume {@code [x, y(, z), c]} with calibration
	 * @throws SegmentationException naming the file if it is damaged or unsupported
	 */
	public abstract Volume<?> read(Path path);

	/**
	 * Writes a volume in this format, atomically (a temporary file moved into place).
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @param path target file
	 * @param labelClasses for label images the number of classes (a lookup table where the format has
	 *     one), else 0
	 * @throws SegmentationException if it cannot be written
	 */
	public abstract <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses);

	/** @return the file name endings of this format, lower case (empty if none); when writing they ask for it */
	public List<String> writeSuffixes() {
		return suffixes;
	}

	/**
	 * @param input an input of this format
	 * @return the suffix of outputs derived from it, e.g. {@code .tif}, {@code .nii.gz}
	 */
	String outputSuffix(Path input) {
		return output;
	}

	private static boolean greyEverywhere(int[] rgb) {
		for (int c : rgb) if ((c >> 16 & 0xff) != (c >> 8 & 0xff) || (c >> 8 & 0xff) != (c & 0xff)) return false;
		return true;
	}

	private static boolean startsWith(byte[] head, int... magic) {
		if (head.length < magic.length) return false;
		for (int i = 0; i < magic.length; i++) if ((head[i] & 0xff) != magic[i]) return false;
		return true;
	}

	/**
	 * @param path a file
	 * @return whether its name is one of the formats' (for listing the images of a folder; hidden files
	 *     excluded); detection itself goes by content
	 */
	public static boolean hasImageName(Path path) {
		if (path.getFileName().toString().startsWith(".")) return false;
		for (ImageFormat f : values()) if (endsWith(path, f.suffixes.toArray(new String[0]))) return true;
		return false;
	}

	static boolean endsWith(Path path, String... suffixes) {
		String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
		for (String s : suffixes) if (name.endsWith(s)) return true;
		return false;
	}

	/**
	 * @param path a target file name
	 * @return the format its name asks for: the first whose {@link #writeSuffixes()} end it, TIFF otherwise
	 */
	public static ImageFormat forWriting(Path path) {
		for (ImageFormat f : values()) if (endsWith(path, f.suffixes.toArray(new String[0]))) return f;
		return TIFF;
	}
}
