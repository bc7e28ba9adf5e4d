package io.github.unetseg.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;

/**
 * MetaImage ({@code .mha} with the data after the header, {@code .mhd} with a separate data file), the
 * format of ITK, elastix and many CT/MRI challenges: {@code NDims} 2 or 3, {@code DimSize},
 * {@code ElementType} (MET_CHAR to MET_DOUBLE), {@code ElementSpacing} (or {@code ElementSize}),
 * {@code ElementNumberOfChannels} (interleaved channels), {@code BinaryDataByteOrderMSB},
 * {@code CompressedData} (zlib), {@code ElementDataFile} ({@code LOCAL} or a file name). Spacing is in
 * millimetres, as ITK assumes. Orientation ({@code TransformMatrix}, {@code Offset}) is not kept.
 * Format reference: ITK's MetaIO documentation.
 */
public final class MetaImageIO {

	private MetaImageIO() {}

	static boolean isMetaImage(byte[] head) {
		String s = new String(head, StandardCharsets.ISO_8859_1);
		return (s.startsWith("ObjectType") || s.startsWith("NDims")) && s.contains("NDims");
	}

	/**
	 * @param path a {@code .mha} or {@code .mhd} file
	 * @return the volume {@code [x, y(, z), c]} with spacing in mm
	 * @throws SegmentationException for unreadable, truncated or unsupported files, naming the field
	 */
	public static Volume<?> read(Path path) {
		return RawVolumes.read(layout(path));
	}

	/**
	 * Reads the header: where the voxels are and how they are laid out.
	 *
	 * @param path a {@code .mha} or {@code .mhd} file
	 * @return the layout
	 * @throws SegmentationException for unreadable or unsupported headers, naming the field
	 */
	static RawVolumes.Layout layout(Path path) {
		try (RawVolumes.Counting in = new RawVolumes.Counting(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
			Map<String, String> h = new LinkedHashMap<>();
			for (int n = 0;; n++) {
				if (n > 1000) throw RawVolumes.fail(path, "has no ElementDataFile in its first 1000 header lines", "check the file");
				String l = NrrdIO.line(path, in);
				if (l == null) throw RawVolumes.fail(path, "ends before its ElementDataFile line", "re-export the file");
				int eq = l.indexOf('=');
				if (eq < 0) continue;
				String key = RawVolumes.lower(l.substring(0, eq)), value = l.substring(eq + 1).trim();
				h.put(key, value);
				if (key.equals("elementdatafile")) break;
			}
			int n = (int) number(path, h, "ndims");
			if (n < 2 || n > 3) throw RawVolumes.fail(path, "has NDims = " + n, "unetseg reads 2D and 3D images");
			String[] ds = require(path, h, "dimsize").split("\\s+");
			if (ds.length != n) throw RawVolumes.fail(path, "lists " + ds.length + " DimSize values for NDims " + n, "fix DimSize");
			long[] size = new long[n];
			for (int i = 0; i < n; i++) size[i] = (long) parse(path, "DimSize", ds[i]);
			RawVolumes.Element e = switch (require(path, h, "elementtype").toUpperCase(Locale.ROOT)) {
				case "MET_CHAR" -> RawVolumes.Element.INT8;
				case "MET_UCHAR" -> RawVolumes.Element.UINT8;
				case "MET_SHORT" -> RawVolumes.Element.INT16;
				case "MET_USHORT" -> RawVolumes.Element.UINT16;
				case "MET_INT", "MET_LONG" -> RawVolumes.Element.INT32;
				case "MET_UINT", "MET_ULONG" -> RawVolumes.Element.UINT32;
				case "MET_FLOAT" -> RawVolumes.Element.FLOAT32;
				case "MET_DOUBLE" -> RawVolumes.Element.FLOAT64;
				default -> throw RawVolumes.fail(path, "has ElementType " + h.get("elementtype"), "convert it to an integer or float type");
			};
			int channels = h.containsKey("elementnumberofchannels") ? (int) number(path, h, "elementnumberofchannels") : 1;
			double[] spacing = new double[n];
			java.util.Arrays.fill(spacing, 1);
			String sp = h.containsKey("elementspacing") ? h.get("elementspacing") : h.get("elementsize");
			if (sp != null) {
				String[] v = sp.split("\\s+");
				for (int i = 0; i < n && i < v.length; i++) {
					double x = parse(path, "ElementSpacing", v[i]);
					if (x > 0 && Double.isFinite(x)) spacing[i] = x;
				}
			}
			boolean msb = Boolean.parseBoolean(h.getOrDefault("binarydatabyteordermsb", h.getOrDefault("elementbyteordermsb", "false")));
			boolean compressed = Boolean.parseBoolean(h.getOrDefault("compresseddata", "false"));
			String file = h.get("elementdatafile");
			Path data = path;
			long offset = in.count();
			if (!file.equalsIgnoreCase("LOCAL")) {
				if (file.contains("%") || file.equalsIgnoreCase("LIST"))
					throw RawVolumes.fail(path, "splits its data over several files (" + file + ")", "resave it as a single .mha");
				data = path.resolveSibling(file);
				if (!Files.isRegularFile(data)) throw RawVolumes.fail(path, "points to the data file " + data + ", which does not exist",
					"keep the .mhd and its data file together");
				offset = 0;
			}
			return new RawVolumes.Layout(path, data, offset, size, channels, true, e, msb ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
				new Calibration(spacing, "mm", null), compressed ? "zlib" : null);
		}
		catch (EOFException ex) {
			throw RawVolumes.fail(path, "is truncated (its header ends early)", "re-copy or re-export the file");
		}
		catch (IOException ex) {
			throw new SegmentationException("Cannot read " + path + ": " + ex.getMessage() + ". Fix: check the path and permissions.", ex);
		}
	}

	private static String require(Path path, Map<String, String> h, String key) {
		String v = h.get(key);
		if (v == null || v.isBlank()) throw RawVolumes.fail(path, "has no " + key + " field", "add it or re-export the file");
		return v.trim();
	}

	private static double number(Path path, Map<String, String> h, String key) {
		return parse(path, key, require(path, h, key));
	}

	private static double parse(Path path, String key, String v) {
		try {
			return Double.parseDouble(v.trim());
		}
		catch (NumberFormatException ex) {
			throw RawVolumes.fail(path, "has " + key + " = " + v + ", not a number", "fix " + key);
		}
	}

	/**
	 * Writes a single-file MetaImage ({@code .mha}, zlib-compressed data after the header); several
	 * channels are interleaved ({@code ElementNumberOfChannels}), as MetaImage stores them. Atomic.
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @param path target {@code .mha}
	 * @throws SegmentationException if it cannot be written
	 */
	public static <T extends RealType<T>> void write(Volume<T> volume, Path path) {
		RawVolumes.Element e = RawVolumes.Element.of(volume.image().getType());
		String type = switch (e) {
			case INT8 -> "MET_CHAR";
			case UINT8 -> "MET_UCHAR";
			case INT16 -> "MET_SHORT";
			case UINT16 -> "MET_USHORT";
			case INT32 -> "MET_INT";
			case UINT32 -> "MET_UINT";
			case FLOAT32 -> "MET_FLOAT";
			case FLOAT64 -> "MET_DOUBLE";
		};
		long[] size = volume.spatialSize();
		int c = volume.channels();
		StringBuilder h = new StringBuilder("ObjectType = Image\nNDims = " + size.length + "\nBinaryData = True\n" +
			"BinaryDataByteOrderMSB = False\nCompressedData = True\nDimSize =");
		for (long s : size) h.append(' ').append(s);
		h.append("\nElementSpacing =");
		for (int d = 0; d < size.length; d++) h.append(' ').append(String.format(Locale.ROOT, "%.10g", volume.calibration().spacing(d)));
		if (c > 1) h.append("\nElementNumberOfChannels = ").append(c);
		h.append("\nElementType = ").append(type).append("\nElementDataFile = LOCAL\n");
		// MetaImage interleaves channels: iterate with the channel axis first
		net.imglib2.RandomAccessibleInterval<T> interleaved = c > 1 ? net.imglib2.view.Views.moveAxis(volume.image(), size.length, 0)
			: volume.image();
		AtomicFiles.write(path, tmp -> {
			try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
				raw.write(h.toString().getBytes(StandardCharsets.US_ASCII));
				DeflaterOutputStream z = RawVolumes.zlib(raw, e);
				RawVolumes.write(interleaved, z, e, ByteOrder.LITTLE_ENDIAN);
				z.finish();
			}
		});
	}
}
