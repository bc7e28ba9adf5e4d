package io.github.unetseg.io;

import java.lang.reflect.InvocationTargetException;
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
				"Bio-Formats is not on the class path. Fix: segment it in Fiji (Segment Image... or Segment Folder...), or convert it " +
				"to TIFF, NIfTI, NRRD or MetaImage.");
	}

	/**
	 * Reads the first series and time point.
	 *
	 * @param path the file
	 * @return the volume {@code [x, y(, z), c]}; 3D when the file has several z planes
	 * @throws SegmentationException if Bio-Formats cannot read it, it is too large, or its pixel type is
	 *     unsupported
	 */
	public static Volume<?> read(Path path) {
		Object reader;
		try {
			reader = Class.forName(readerClass(), true, BioFormatsReader.class.getClassLoader()).getConstructor().newInstance();
		}
		catch (ReflectiveOperationException | LinkageError e) {
			throw new SegmentationException("Bio-Formats could not be started to read " + path + " (" + e + "). Fix: update Fiji.", e);
		}
		try {
			call(reader, "setId", path.toString());
			call(reader, "setSeries", 0);
			int w = (int) call(reader, "getSizeX"), h = (int) call(reader, "getSizeY"), z = (int) call(reader, "getSizeZ");
			int c = (int) call(reader, "getSizeC"), t = (int) call(reader, "getSizeT");
			int rgb = (int) call(reader, "getRGBChannelCount");
			if (rgb != 1)
				throw new SegmentationException(path + " stores " + rgb + " samples per pixel (RGB). Fix: open it in Fiji and split or " +
					"convert the channels (Image > Color > Split Channels), then segment.");
			int type = (int) call(reader, "getPixelType");
			boolean little = (boolean) call(reader, "isLittleEndian");
			RawVolumes.Element e = switch (type) {
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
			long[] size = z > 1 ? new long[] { w, h, z } : new long[] { w, h };
			long voxels = RawVolumes.voxels(path, size, c, e);
			byte[] all = new byte[(int) (voxels * e.bytes)];
			int planeBytes = w * h * e.bytes;
			// ImgLib2's [x, y, z, c]: planes z fastest, then channel
			for (int ch = 0; ch < c; ch++)
				for (int sl = 0; sl < z; sl++) {
					int no = (int) call(reader, "getIndex", sl, ch, 0);
					byte[] plane = (byte[]) call(reader, "openBytes", no, 0, 0, w, h);
					if (plane.length != planeBytes)
						throw new SegmentationException("Bio-Formats returned " + plane.length + " bytes for a plane of " + path + ", expected " +
							planeBytes + ". Fix: convert the file in Fiji.");
					System.arraycopy(plane, 0, all, (ch * z + sl) * planeBytes, planeBytes);
				}
			if (t > 1) System.err.println("warning: " + path + " has " + t + " time points; the first is segmented");
			Calibration cal = calibration(reader, z > 1 ? 3 : 2);
			return volume(all, size, c, e, little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN, cal);
		}
		catch (ReflectiveOperationException ex) {
			Throwable cause = ex instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : ex;
			throw new SegmentationException("Bio-Formats could not read " + path + ": " + cause.getMessage() + ". Fix: check that Fiji " +
				"opens it (File > Open), or convert it to TIFF.", cause);
		}
		finally {
			try {
				call(reader, "close");
			}
			catch (ReflectiveOperationException e) {
				// closing a reader that failed to open; the original error is what matters
			}
		}
	}

	private static Volume<?> volume(byte[] raw, long[] size, int channels, RawVolumes.Element e, ByteOrder order, Calibration cal) {
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = channels;
		return wrap(RawVolumes.image(e, raw, order, dims), cal);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> wrap(ArrayImg img, Calibration cal) {
		return new Volume<>(img, cal);
	}

	/** Physical pixel sizes from the OME metadata store, in micrometres; uncalibrated where absent. */
	private static Calibration calibration(Object reader, int dims) {
		try {
			Object store = call(reader, "getMetadataStore");
			String[] getters = { "getPixelsPhysicalSizeX", "getPixelsPhysicalSizeY", "getPixelsPhysicalSizeZ" };
			double[] s = new double[dims];
			List<String> units = new ArrayList<>();
			for (int d = 0; d < dims; d++) {
				Object length = call(store, getters[d], 0);
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

	private static Object call(Object target, String name, Object... args) throws ReflectiveOperationException {
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
		return "an unknown format";
	}
}
