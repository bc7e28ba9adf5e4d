package io.github.unetseg.io;

import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImg;

/**
 * Reads the formats only Bio-Formats knows (CZI, LIF, ND2, compressed DICOM, ...) through
 * {@code loci.formats.ImageReader} found at run time, without a compile-time dependency: Bio-Formats is
 * not on Maven Central, but it is always present in Fiji. Planes are read with
 * {@code openBytes(no, x, y, width, height)}, the tile-wise API, one plane region at a time; the first
 * series and time point are read. Physical pixel sizes come from the OME metadata store when Bio-Formats
 * provides them. Where Bio-Formats is absent, {@link #require} names the format and says that Fiji (or
 * Bio-Formats) is needed.
 */
public final class BioFormatsReader {

	/** The Bio-Formats class that reads every format it knows. */
	static final String READER_CLASS = "loci.formats.ImageReader";

	/**
	 * System property naming another class with IFormatReader's methods to use instead (for tests with a
	 * test double, or a specific Bio-Formats reader).
	 */
	public static final String READER_PROPERTY = "unetseg.bioformats.reader";

	private BioFormatsReader() {}

	private static String readerClass() {
		return System.getProperty(READER_PROPERTY, READER_CLASS);
	}

	/** @return true if Bio-Formats (or the reader named by {@value #READER_PROPERTY}) is on the class path */
	public static boolean available() {
		try {
			Class.forName(readerClass(), false, BioFormatsReader.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError e) {
			return false;
		}
	}

	/**
	 * @param path a file no reader of unetseg understands
	 * @param format what the file looks like (e.g. "Zeiss CZI"), for the message
	 * @throws SegmentationException if Bio-Formats is absent
	 */
	static void require(Path path, String format) {
		if (!available())
			throw new SegmentationException(path + " looks like " + format + ", which unetseg reads only through Bio-Formats, and " +
				"Bio-Formats is not on the class path. Fix: segment it in Fiji (Segment Image... or Segment Folder...), point bin/unetseg " +
				"at Bio-Formats (BIOFORMATS_JARS=/path/to/Fiji.app/jars/bioformats_package.jar), or convert it to TIFF, NIfTI, NRRD or " +
				"MetaImage.");
	}

	/**
	 * Reads the first series and time point; a file with several series gets a warning naming the count.
	 *
	 * @param path the file
	 * @return the volume {@code [x, y(, z), c]}; 3D when the file has several z planes
	 * @throws SegmentationException if Bio-Formats cannot read it, it is too large, or its pixel type is
	 *     unsupported
	 */
	public static Volume<?> read(Path path) {
		try (BioFormatsImage image = BioFormatsImage.open(path, 0)) {
			if (image.seriesCount() > 1)
				System.err.println("warning: " + path + " holds " + image.seriesCount() + " series; the first (" + image.describe() + ") is " +
					"segmented. To segment another, open it in Fiji (Bio-Formats importer) and save it as TIFF.");
			if (image.timePoints() > 1) System.err.println("warning: " + path + " has " + image.timePoints() + " time points; the first is segmented");
			return image.read(new long[image.spatialSize().length], image.spatialSize());
		}
	}

	/** Creates {@code loci.formats.ImageReader} (or the class of {@value #READER_PROPERTY}). */
	static Object newReader(Path path) {
		Object reader;
		try {
			reader = Class.forName(readerClass(), true, BioFormatsReader.class.getClassLoader()).getConstructor().newInstance();
		}
		catch (ReflectiveOperationException | LinkageError e) {
			throw new SegmentationException("Bio-Formats could not be started to read " + path + " (" + e + "). Fix: update Fiji, or give " +
				"bin/unetseg a complete Bio-Formats (BIOFORMATS_JARS).", e);
		}
		// physical sizes reach only an OME-XML store (the reader's default store discards them); set before setId
		try {
			Object store = Class.forName("loci.formats.MetadataTools", true, BioFormatsReader.class.getClassLoader())
				.getMethod("createOMEXMLMetadata").invoke(null);
			call(reader, "setMetadataStore", store);
		}
		catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
			// a stand-in reader, or Bio-Formats without OME-XML support: no physical sizes
		}
		return reader;
	}

	/** The unetseg element type of a Bio-Formats pixel type ({@code loci.formats.FormatTools}). */
	static RawVolumes.Element element(Path path, int type) {
		return switch (type) {
			case 0 -> RawVolumes.Element.INT8;
			case 1 -> RawVolumes.Element.UINT8;
			case 2 -> RawVolumes.Element.INT16;
			case 3 -> RawVolumes.Element.UINT16;
			case 4 -> RawVolumes.Element.INT32;
			case 5 -> RawVolumes.Element.UINT32;
			case 6 -> RawVolumes.Element.FLOAT32;
			case 7 -> RawVolumes.Element.FLOAT64;
			default -> throw new SegmentationException(path + " has Bio-Formats pixel type " + type + ", which unetseg does not read. " +
				"Fix: convert it to 8/16/32-bit in Fiji.");
		};
	}

	static Volume<?> volume(byte[] raw, long[] size, int channels, RawVolumes.Element e, ByteOrder order, Calibration cal) {
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = channels;
		return wrap(RawVolumes.image(e, raw, order, dims), cal);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> wrap(ArrayImg img, Calibration cal) {
		return new Volume<>(img, cal);
	}

	/** Physical pixel sizes from the OME metadata store, in micrometres; uncalibrated where absent. */
	static Calibration calibration(Object reader, int series, int dims) {
		try {
			Object store = call(reader, "getMetadataStore");
			String[] getters = { "getPixelsPhysicalSizeX", "getPixelsPhysicalSizeY", "getPixelsPhysicalSizeZ" };
			double[] s = new double[dims];
			List<String> units = new ArrayList<>();
			for (int d = 0; d < dims; d++) {
				Object length = call(store, getters[d], series);
				if (length == null) return Calibration.uncalibrated(dims);
				s[d] = ((Number) call(length, "value")).doubleValue();
				units.add(String.valueOf(call(call(length, "unit"), "getSymbol")));
				if (!(s[d] > 0)) return Calibration.uncalibrated(dims);
			}
			return Calibration.of(units.get(0), s);
		}
		catch (ReflectiveOperationException | RuntimeException e) {
			return Calibration.uncalibrated(dims);
		}
	}

	static Object call(Object target, String name, Object... args) throws ReflectiveOperationException {
		for (Method m : target.getClass().getMethods()) {
			if (!m.getName().equals(name) || m.getParameterCount() != args.length) continue;
			Class<?>[] p = m.getParameterTypes();
			boolean ok = true;
			for (int i = 0; i < p.length && ok; i++)
				ok = p[i] == int.class ? args[i] instanceof Integer : p[i] == String.class ? args[i] instanceof String : !p[i].isPrimitive();
			if (ok) return m.invoke(target, args);
		}
		throw new NoSuchMethodException(target.getClass().getName() + "." + name + " with " + args.length + " argument(s)");
	}

	/**
	 * A name for what a file looks like, from its first bytes and name, for messages.
	 *
	 * @param path the file
	 * @param head its first bytes
	 * @return e.g. {@code "Zeiss CZI"}, or {@code "an unknown format"}
	 */
	static String describe(Path path, byte[] head) {
		String s = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
		String n = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
		if (s.startsWith("ZISRAWFILE")) return "Zeiss CZI";
		if (head.length > 132 && s.startsWith("DICM", 128)) return "DICOM";
		if (n.endsWith(".lif")) return "Leica LIF";
		if (n.endsWith(".nd2")) return "Nikon ND2";
		if (n.endsWith(".ims")) return "Imaris";
		if (n.endsWith(".lsm")) return "Zeiss LSM";
		if (n.endsWith(".dcm")) return "DICOM";
		if (n.endsWith(".ics") || n.endsWith(".ids")) return "ICS";
		return "an unknown format";
	}
}
