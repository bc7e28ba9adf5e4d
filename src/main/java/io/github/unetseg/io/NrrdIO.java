package io.github.unetseg.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.zip.GZIPOutputStream;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;

/**
 * NRRD ({@code .nrrd}, attached data, or {@code .nhdr} with a detached {@code data file}), as 3D Slicer
 * and ITK write it: raw or gzip encoding, both byte orders, 2 to 4 axes of which one may be a
 * non-spatial (vector/list) axis, read as channels. Spacing comes from {@code spacings} or from the
 * lengths of {@code space directions}; the unit from {@code space units} or {@code units}, else
 * millimetres when a {@code space} is declared.
 * Orientation ({@code space directions}, {@code space origin}) is not kept: NRRD's LPS/RAS conventions
 * differ from NIfTI's. Format reference: <a href="http://teem.sourceforge.net/nrrd/format.html">teem NRRD format</a>.
 */
public final class NrrdIO {

	private NrrdIO() {}

	static boolean isNrrd(byte[] head) {
		return head.length >= 8 && new String(head, 0, 7, StandardCharsets.US_ASCII).equals("NRRD000");
	}

	/**
	 * @param path a {@code .nrrd} or {@code .nhdr} file
	 * @return the volume {@code [x, y(, z), c]} with spacing
	 * @throws SegmentationException for unreadable, truncated or unsupported files, naming the field
	 */
	public static Volume<?> read(Path path) {
		return RawVolumes.read(layout(path));
	}

	/**
	 * Reads the header: where the voxels are and how they are laid out.
	 *
	 * @param path a {@code .nrrd} or {@code .nhdr} file
	 * @return the layout
	 * @throws SegmentationException for unreadable or unsupported headers, naming the field
	 */
	static RawVolumes.Layout layout(Path path) {
		try (RawVolumes.Counting in = new RawVolumes.Counting(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
			Map<String, String> h = header(path, in);
			String type = RawVolumes.lower(require(path, h, "type"));
			RawVolumes.Element e = element(path, type);
			int dim = integer(path, h, "dimension");
			if (dim < 2 || dim > 4) throw RawVolumes.fail(path, "has dimension " + dim, "unetseg reads 2 to 4 axes");
			String[] sizes = require(path, h, "sizes").trim().split("\\s+");
			if (sizes.length != dim) throw RawVolumes.fail(path, "lists " + sizes.length + " sizes for dimension " + dim, "fix 'sizes'");
			long[] all = new long[dim];
			for (int i = 0; i < dim; i++) all[i] = parseLong(path, "sizes", sizes[i]);
			String[] kinds = h.containsKey("kinds") ? h.get("kinds").trim().split("\\s+") : new String[0];
			String directions = h.getOrDefault("space directions", "");
			int channelAxis = -1;
			for (int i = 0; i < kinds.length && i < dim; i++) {
				String k = RawVolumes.lower(kinds[i]);
				if (!k.equals("domain") && !k.equals("space") && !k.equals("time")) channelAxis = i;
			}
			if (channelAxis < 0 && directions.trim().startsWith("none")) channelAxis = 0;
			if (channelAxis < 0 && dim == 4) channelAxis = 3;
			if (channelAxis > 0 && channelAxis < dim - 1)
				throw RawVolumes.fail(path, "has its channel axis in the middle (axis " + channelAxis + ")", "resave with channels first or last");
			int spatial = channelAxis < 0 ? dim : dim - 1;
			if (spatial < 2 || spatial > 3) throw RawVolumes.fail(path, "has " + spatial + " spatial axes", "unetseg reads 2D and 3D images");
			long[] size = new long[spatial];
			for (int i = 0, k = 0; i < dim; i++) if (i != channelAxis) size[k++] = all[i];
			int channels = channelAxis < 0 ? 1 : (int) all[channelAxis];
			ByteOrder order = e.bytes > 1 && RawVolumes.lower(h.getOrDefault("endian", "little")).equals("big") ? ByteOrder.BIG_ENDIAN
				: ByteOrder.LITTLE_ENDIAN;
			Calibration cal = calibration(path, h, spatial, channelAxis, dim);
			String encoding = RawVolumes.lower(h.getOrDefault("encoding", "raw"));
			String compression = switch (encoding) {
				case "raw" -> null;
				case "gzip", "gz" -> "gzip";
				default -> throw RawVolumes.fail(path, "uses the encoding '" + encoding + "'", "resave it with raw or gzip encoding");
			};
			String file = h.containsKey("data file") ? h.get("data file") : h.get("datafile");
			Path data = path;
			long offset = in.count();
			if (file != null) {
				data = path.resolveSibling(file.trim());
				if (!Files.isRegularFile(data)) throw RawVolumes.fail(path, "points to the data file " + data + ", which does not exist",
					"keep the .nhdr and its data file together");
				offset = 0;
			}
			return new RawVolumes.Layout(path, data, offset, size, channels, channelAxis == 0, e, order, cal, compression);
		}
		catch (EOFException ex) {
			throw RawVolumes.fail(path, "is truncated (its header ends early)", "re-copy or re-export the file");
		}
		catch (IOException ex) {
			throw new SegmentationException("Cannot read " + path + ": " + ex.getMessage() + ". Fix: check the path and permissions.", ex);
		}
	}

	private static Map<String, String> header(Path path, InputStream in) throws IOException {
		Map<String, String> h = new LinkedHashMap<>();
		String magic = line(path, in);
		if (magic == null || !magic.startsWith("NRRD000")) throw RawVolumes.fail(path, "does not start with NRRD000x", "check the file type");
		for (int n = 0;; n++) {
			if (n > 10_000) throw RawVolumes.fail(path, "has a header of more than 10000 lines", "check the file");
			String l = line(path, in);
			if (l == null || l.isEmpty()) break;
			if (l.startsWith("#")) continue;
			int c = l.indexOf(':');
			if (c < 0) continue;
			String key = RawVolumes.lower(l.substring(0, c));
			String value = l.substring(c + 1).startsWith("=") ? l.substring(c + 2) : l.substring(c + 1);
			h.put(key, value.trim());
		}
		return h;
	}

	/** One header line (ASCII, LF or CRLF), or null at the end; at most 64 KiB. */
	static String line(Path path, InputStream in) throws IOException {
		ByteArrayOutputStream b = new ByteArrayOutputStream();
		int c;
		while ((c = in.read()) >= 0 && c != '\n') {
			if (b.size() > 65536) throw RawVolumes.fail(path, "has a header line longer than 64 KiB", "check the file type");
			if (c != '\r') b.write(c);
		}
		if (c < 0 && b.size() == 0) return null;
		return b.toString(StandardCharsets.ISO_8859_1);
	}

	private static String require(Path path, Map<String, String> h, String key) {
		String v = h.get(key);
		if (v == null) throw RawVolumes.fail(path, "has no '" + key + "' field", "add it or re-export the file");
		return v;
	}

	private static int integer(Path path, Map<String, String> h, String key) {
		return (int) parseLong(path, key, require(path, h, key).trim());
	}

	private static long parseLong(Path path, String key, String v) {
		try {
			return Long.parseLong(v.trim());
		}
		catch (NumberFormatException e) {
			throw RawVolumes.fail(path, "has '" + key + "' = " + v + ", not a whole number", "fix '" + key + "'");
		}
	}

	private static RawVolumes.Element element(Path path, String type) {
		return switch (type) {
			case "signed char", "int8", "int8_t" -> RawVolumes.Element.INT8;
			case "uchar", "unsigned char", "uint8", "uint8_t" -> RawVolumes.Element.UINT8;
			case "short", "short int", "signed short", "signed short int", "int16", "int16_t" -> RawVolumes.Element.INT16;
			case "ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t" -> RawVolumes.Element.UINT16;
			case "int", "signed int", "int32", "int32_t" -> RawVolumes.Element.INT32;
			case "uint", "unsigned int", "uint32", "uint32_t" -> RawVolumes.Element.UINT32;
			case "float" -> RawVolumes.Element.FLOAT32;
			case "double" -> RawVolumes.Element.FLOAT64;
			default -> throw RawVolumes.fail(path, "has the voxel type '" + type + "'", "convert it to an 8/16/32-bit integer or float type");
		};
	}

	private static Calibration calibration(Path path, Map<String, String> h, int spatial, int channelAxis, int dim) {
		double[] spacing = new double[spatial];
		java.util.Arrays.fill(spacing, 1);
		boolean physical = h.containsKey("space") || h.containsKey("space dimension");
		if (h.containsKey("spacings")) {
			String[] sp = h.get("spacings").trim().split("\\s+");
			for (int i = 0, k = 0; i < sp.length && i < dim; i++) {
				if (i == channelAxis) continue;
				try {
					double v = Double.parseDouble(sp[i]);
					if (v > 0 && Double.isFinite(v)) spacing[k] = v;
				}
				catch (NumberFormatException e) {
					// "nan" for a non-spatial axis
				}
				k++;
			}
		}
		else if (h.containsKey("space directions")) {
			java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(([^)]*)\\)|none").matcher(h.get("space directions"));
			int i = 0, k = 0;
			while (m.find() && k < spatial) {
				if (i != channelAxis && m.group(1) != null) {
					double sum = 0;
					for (String c : m.group(1).split(",")) {
						try {
							double v = Double.parseDouble(c.trim());
							sum += v * v;
						}
						catch (NumberFormatException ex) {
							throw RawVolumes.fail(path, "has an unreadable 'space directions' vector (" + m.group(1) + ")", "fix 'space directions'");
						}
					}
					if (sum > 0 && Double.isFinite(sum)) spacing[k] = Math.sqrt(sum);
					k++;
				}
				i++;
			}
			physical = true;
		}
		String units = h.containsKey("space units") ? h.get("space units") : h.get("units");
		if (units != null) {
			java.util.regex.Matcher u = java.util.regex.Pattern.compile("\"([^\"]+)\"").matcher(units);
			if (u.find() && !u.group(1).isBlank()) return new Calibration(spacing, u.group(1).trim(), null);
		}
		return new Calibration(spacing, physical ? "mm" : "pixel", null);
	}

	/**
	 * Writes a volume as NRRD with attached, gzip-encoded data (channels as the last axis, kind
	 * {@code list}), spacing in {@code spacings}; atomically.
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @param path target {@code .nrrd}
	 * @throws SegmentationException if it cannot be written
	 */
	public static <T extends RealType<T>> void write(Volume<T> volume, Path path) {
		RawVolumes.Element e = RawVolumes.Element.of(volume.image().getType());
		String type = switch (e) {
			case INT8 -> "int8";
			case UINT8 -> "uint8";
			case INT16 -> "int16";
			case UINT16 -> "uint16";
			case INT32 -> "int32";
			case UINT32 -> "uint32";
			case FLOAT32 -> "float";
			case FLOAT64 -> "double";
		};
		long[] size = volume.spatialSize();
		int c = volume.channels();
		StringBuilder h = new StringBuilder("NRRD0004\n# written by unetseg\n");
		h.append("type: ").append(type).append('\n');
		h.append("dimension: ").append(size.length + (c > 1 ? 1 : 0)).append('\n');
		h.append("sizes:");
		for (long s : size) h.append(' ').append(s);
		if (c > 1) h.append(' ').append(c);
		h.append('\n');
		h.append("spacings:");
		for (int d = 0; d < size.length; d++) h.append(' ').append(String.format(Locale.ROOT, "%.10g", volume.calibration().spacing(d)));
		if (c > 1) h.append(" nan");
		h.append('\n');
		h.append("units:").append((" \"" + volume.calibration().unit() + "\"").repeat(size.length)).append(c > 1 ? " \"\"" : "").append('\n');
		if (c > 1) h.append("kinds:").append(" domain".repeat(size.length)).append(" list\n");
		h.append("endian: little\nencoding: gzip\n\n");
		AtomicFiles.write(path, tmp -> {
			try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
				raw.write(h.toString().getBytes(StandardCharsets.US_ASCII));
				GZIPOutputStream gz = RawVolumes.gzip(raw, e);
				RawVolumes.write(volume.image(), gz, e, ByteOrder.LITTLE_ENDIAN);
				gz.finish();
			}
		});
	}
}
