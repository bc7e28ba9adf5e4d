package io.github.unetseg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;

/**
 * NumPy's {@code .npy} files, the test tensors of bioimage.io model packages: versions 1.0, 2.0 and 3.0
 * of the format (NEP 1, {@code numpy/lib/format.py}), C order, dtypes {@code f4 f8 i1 i2 i4 i8 u1 u2
 * u4 u8 b1} in either byte order.
 *
 * <p>An array holds its values as doubles in C order (last axis fastest, so a bioimage.io tensor
 * {@code [b, c, y, x]} has x fastest), with its shape and dtype. Fortran-ordered files are refused
 * with the fix, as are other dtypes and more than 2<sup>31</sup> values.
 */
public final class Npy {

	private static final byte[] MAGIC = { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y' };
	private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fiub])(\\d+)'");
	private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
	private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

	private Npy() {}

	/**
	 * An array read from or written to a {@code .npy} file.
	 *
	 * @param shape sizes per axis (empty for a scalar), C order
	 * @param dtype NumPy's type string without byte order, e.g. {@code f4}, {@code u1}
	 * @param values the values in C order, {@code prod(shape)} of them
	 */
	public record Array(long[] shape, String dtype, double[] values) {

		/** @throws IllegalArgumentException if the value count does not fit the shape */
		public Array {
			long n = 1;
			for (long s : shape) n *= s;
			if (n != values.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " +
				values.length);
		}

		/** @return the values as floats */
		public float[] floats() {
			float[] f = new float[values.length];
			for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
			return f;
		}
	}

	/**
	 * Reads a file.
	 *
	 * @param file a {@code .npy} file
	 * @return its array
	 * @throws SegmentationException naming the file and the fix when it is not a {@code .npy} file of a
	 *     supported version and dtype, is Fortran-ordered, truncated, or larger than 2<sup>31</sup> values
	 */
	public static Array read(Path file) {
		byte[] all;
		try {
			all = Files.readAllBytes(file);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + file + ": " + e.getMessage() + ". Fix: check the path.", e);
		}
		if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC))
			throw bad(file, "does not start with NumPy's magic string \\x93NUMPY", "save it with numpy.save");
		int major = all[6];
		ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
		int headerLength, start;
		if (major == 1) {
			headerLength = b.getShort(8) & 0xffff;
			start = 10;
		}
		else if (major == 2 || major == 3) {
			headerLength = b.getInt(8);
			start = 12;
		}
		else throw bad(file, "has format version " + major + "." + all[7], "save it with numpy.save (versions 1.0-3.0 are read)");
		if (headerLength < 0 || start + (long) headerLength > all.length) throw bad(file, "has a truncated header", "save it again");
		String header = new String(all, start, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
		Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
		if (!d.find() || !f.find() || !s.find())
			throw bad(file, "has a header without a simple descr, fortran_order or shape (" + header.trim() + ")",
				"save a plain numeric array (no structured dtype)");
		if (f.group(1).equals("True"))
			throw bad(file, "is stored in Fortran order", "save it in C order, e.g. numpy.save(f, numpy.ascontiguousarray(a))");
		String kind = d.group(2) + d.group(3);
		if (!kind.matches("f4|f8|i1|i2|i4|i8|u1|u2|u4|u8|b1"))
			throw bad(file, "has dtype " + d.group(1) + kind, "convert it to float32 (<f4), or an integer type of 1-8 bytes");
		ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
		long[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
		long count = 1;
		for (long n : shape) count *= n;
		int size = Integer.parseInt(d.group(3));
		if (count > Integer.MAX_VALUE - 8) throw bad(file, "holds " + count + " values", "split it: arrays up to 2^31 values are read");
		int data = start + headerLength;
		if (data + count * size > all.length)
			throw bad(file, "is truncated: shape " + Arrays.toString(shape) + " of " + kind + " needs " + count * size + " bytes of data, " +
				"the file has " + (all.length - data), "copy or save it again");
		ByteBuffer v = ByteBuffer.wrap(all, data, (int) (count * size)).slice().order(order);
		double[] values = new double[(int) count];
		for (int i = 0; i < values.length; i++) {
			int at = i * size;
			values[i] = switch (kind) {
				case "f4" -> v.getFloat(at);
				case "f8" -> v.getDouble(at);
				case "i1" -> v.get(at);
				case "u1", "b1" -> v.get(at) & 0xff;
				case "i2" -> v.getShort(at);
				case "u2" -> v.getShort(at) & 0xffff;
				case "i4" -> v.getInt(at);
				case "u4" -> v.getInt(at) & 0xffffffffL;
				case "i8" -> v.getLong(at);
				default -> unsigned(v.getLong(at));
			};
		}
		return new Array(shape, kind, values);
	}

	/**
	 * Writes an array as format 1.0 (2.0 when the header needs it), little-endian, C order, header
	 * padded to 64 bytes as NumPy writes it: the same bytes as {@code numpy.save}. The file is written
	 * to a temporary name and moved into place.
	 *
	 * @param file the target
	 * @param array the array; its dtype decides the stored type (values are rounded for integer types)
	 * @throws SegmentationException naming the file and the fix if it cannot be written
	 * @throws IllegalArgumentException for an unsupported dtype or values out of its range
	 */
	public static void write(Path file, Array array) {
		String kind = array.dtype();
		if (!kind.matches("f4|f8|i1|i2|i4|i8|u1|u2|u4|u8|b1")) throw new IllegalArgumentException("unsupported dtype " + kind);
		int size = Integer.parseInt(kind.substring(1));
		StringBuilder shape = new StringBuilder("(");
		for (int i = 0; i < array.shape().length; i++) shape.append(i == 0 ? "" : ", ").append(array.shape()[i]);
		if (array.shape().length == 1) shape.append(',');
		shape.append(')');
		String dict = "{'descr': '" + (size == 1 ? "|" : "<") + kind + "', 'fortran_order': False, 'shape': " + shape + ", }";
		int major = dict.length() + 11 > 65535 ? 2 : 1;
		int prefix = major == 1 ? 10 : 12;
		int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
		String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
		ByteBuffer out = ByteBuffer.allocate(total + array.values().length * size).order(ByteOrder.LITTLE_ENDIAN);
		out.put(MAGIC).put((byte) major).put((byte) 0);
		if (major == 1) out.putShort((short) header.length());
		else out.putInt(header.length());
		out.put(header.getBytes(StandardCharsets.ISO_8859_1));
		for (double x : array.values()) {
			switch (kind) {
				case "f4" -> out.putFloat((float) x);
				case "f8" -> out.putDouble(x);
				case "i1", "u1", "b1" -> out.put((byte) integer(x, kind));
				case "i2", "u2" -> out.putShort((short) integer(x, kind));
				case "i4", "u4" -> out.putInt((int) integer(x, kind));
				default -> out.putLong(integer(x, kind));
			}
		}
		AtomicFiles.write(file, tmp -> Files.write(tmp, out.array()));
	}

	private static long integer(double x, String kind) {
		long v = Math.round(x);
		int bits = 8 * Integer.parseInt(kind.substring(1));
		boolean signed = kind.charAt(0) == 'i';
		double lo = kind.equals("b1") ? 0 : signed ? -Math.pow(2, bits - 1) : 0;
		double hi = kind.equals("b1") ? 1 : signed ? Math.pow(2, bits - 1) - 1 : Math.pow(2, bits) - 1;
		if (!(v >= lo && v <= hi)) throw new IllegalArgumentException(String.format(Locale.ROOT, "%s is out of the range of %s", x, kind));
		return v;
	}

	private static double unsigned(long v) {
		return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
	}

	private static SegmentationException bad(Path file, String problem, String fix) {
		return new SegmentationException(file + " " + problem + ". Fix: " + fix + ".");
	}
}
