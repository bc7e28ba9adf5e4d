package io.github.unetseg.image;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.Type;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Direct, read-only access to the primitive arrays behind an ImgLib2 {@code ArrayImg} or
 * {@code PlanarImg}, for bulk copies that a per-pixel {@code RandomAccess} makes several times slower.
 *
 * <p>Pixels are addressed by their flat index in ImgLib2's order (x fastest, then y, then every further
 * axis, e.g. {@code [x, y, z, c]}); a row of {@code dimension(0)} pixels never crosses an array.
 * Supported pixel types: 8- and 16-bit signed and unsigned integers, 32-bit signed integers, 32- and
 * 64-bit floats; {@link #of} returns {@code null} for anything else (views, cell images, other types),
 * and callers fall back to a {@code RandomAccess}. The arrays are not copied: later writes to the
 * image show through. Concurrent reads are safe.
 */
public final class PixelArrays {

	private enum Kind { UBYTE, BYTE, USHORT, SHORT, INT, FLOAT, DOUBLE }

	private final Kind kind;
	private final Object[] planes;
	private final long planeSize;

	private PixelArrays(Kind kind, Object[] planes, long planeSize) {
		this.kind = kind;
		this.planes = planes;
		this.planeSize = planeSize;
	}

	/**
	 * @param image any image
	 * @return direct access to its storage, or {@code null} if it is not an {@code ArrayImg} or
	 *     {@code PlanarImg} of a supported type (views of them included: those return {@code null} too)
	 */
	public static PixelArrays of(RandomAccessibleInterval<?> image) {
		Object[] planes;
		long planeSize;
		Object type;
		if (image instanceof ArrayImg<?, ?> a && a.update(null) instanceof ArrayDataAccess<?> access) {
			planes = new Object[] { access.getCurrentStorageArray() };
			planeSize = a.size();
			type = a.firstElement();
		}
		else if (image instanceof PlanarImg<?, ?> p && p.numSlices() > 0 && p.getPlane(0) instanceof ArrayDataAccess<?>) {
			planes = new Object[p.numSlices()];
			for (int i = 0; i < planes.length; i++) planes[i] = ((ArrayDataAccess<?>) p.getPlane(i)).getCurrentStorageArray();
			planeSize = image.dimension(0) * (image.numDimensions() > 1 ? image.dimension(1) : 1);
			type = p.firstElement();
		}
		else return null;
		Kind kind = kindOf((Type<?>) type);
		return kind == null ? null : new PixelArrays(kind, planes, planeSize);
	}

	/**
	 * All pixel values as floats in ImgLib2's flat order (x fastest): bulk row copies where the image
	 * has arrays, a cursor otherwise.
	 *
	 * @param image any image of at most 2<sup>31</sup> values
	 * @return its values
	 * @throws IllegalArgumentException for a larger image
	 */
	public static <T extends RealType<T>> float[] floats(RandomAccessibleInterval<T> image) {
		long values = image.size();
		if (values > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("images above 2^31 values are not copied into an array");
		float[] data = new float[(int) values];
		PixelArrays direct = of(image);
		if (direct != null) {
			int row = (int) image.dimension(0);
			for (long at = 0; at < values; at += row) direct.copy(at, row, data, (int) at, 1, 1, 0);
		}
		else {
			int i = 0;
			for (T t : Views.flatIterable(image)) data[i++] = t.getRealFloat();
		}
		return data;
	}

	private static Kind kindOf(Type<?> t) {
		if (t instanceof UnsignedByteType) return Kind.UBYTE;
		if (t instanceof ByteType) return Kind.BYTE;
		if (t instanceof UnsignedShortType) return Kind.USHORT;
		if (t instanceof ShortType) return Kind.SHORT;
		if (t instanceof IntType) return Kind.INT;
		if (t instanceof FloatType) return Kind.FLOAT;
		if (t instanceof DoubleType) return Kind.DOUBLE;
		return null;
	}

	/**
	 * Copies {@code n} consecutive pixels, mapped as {@code value * scale + offset}, into every
	 * {@code dstStride}-th element of {@code dst}.
	 *
	 * @param flatIndex flat index of the first pixel; the run must stay within one row
	 * @param n number of pixels, &gt;= 0
	 * @param dst destination
	 * @param dstOffset index of the first destination element
	 * @param dstStride distance between destination elements, &gt;= 1 (the channel count of an
	 *     interleaved {@code [.., x, channel]} tensor)
	 * @param scale multiplier
	 * @param offset added after scaling
	 */
	public void copy(long flatIndex, int n, float[] dst, int dstOffset, int dstStride, float scale, float offset) {
		Object a = planes[(int) (flatIndex / planeSize)];
		int s = (int) (flatIndex % planeSize);
		int d = dstOffset;
		switch (kind) {
			case UBYTE -> { byte[] v = (byte[]) a; for (int i = 0; i < n; i++, d += dstStride) dst[d] = (v[s + i] & 0xff) * scale + offset; }
			case BYTE -> { byte[] v = (byte[]) a; for (int i = 0; i < n; i++, d += dstStride) dst[d] = v[s + i] * scale + offset; }
			case USHORT -> { short[] v = (short[]) a; for (int i = 0; i < n; i++, d += dstStride) dst[d] = (v[s + i] & 0xffff) * scale + offset; }
			case SHORT -> { short[] v = (short[]) a; for (int i = 0; i < n; i++, d += dstStride) dst[d] = v[s + i] * scale + offset; }
			case INT -> { int[] v = (int[]) a; for (int i = 0; i < n; i++, d += dstStride) dst[d] = v[s + i] * scale + offset; }
			case FLOAT -> { float[] v = (float[]) a; for (int i = 0; i < n; i++, d += dstStride) dst[d] = v[s + i] * scale + offset; }
			case DOUBLE -> { double[] v = (double[]) a; for (int i = 0; i < n; i++, d += dstStride) dst[d] = (float) v[s + i] * scale + offset; }
		}
	}

	/**
	 * Counts the values of every {@code stride}-th pixel, for images of 8- or 16-bit integers: one pass
	 * with no conversion, from which exact percentiles follow.
	 *
	 * @param start flat index of the first counted pixel
	 * @param stride distance between counted pixels, &gt;= 1
	 * @param count number of pixels counted
	 * @return the counts, or {@code null} for other pixel types
	 */
	public Histogram histogram(long start, long stride, int count) {
		int base = switch (kind) {
			case UBYTE, USHORT -> 0;
			case BYTE -> Byte.MIN_VALUE;
			case SHORT -> Short.MIN_VALUE;
			default -> 1;
		};
		if (base > 0) return null;
		int[] counts = new int[kind == Kind.UBYTE || kind == Kind.BYTE ? 256 : 65536];
		long i = start;
		for (int k = 0; k < count;) {
			int plane = (int) (i / planeSize), at = (int) (i % planeSize);
			// all samples inside this array in one tight loop
			int here = (int) Math.min(count - k, (planeSize - 1 - at) / stride + 1);
			switch (kind) {
				case UBYTE -> { byte[] v = (byte[]) planes[plane]; for (int j = 0; j < here; j++, at += stride) counts[v[at] & 0xff]++; }
				case BYTE -> { byte[] v = (byte[]) planes[plane]; for (int j = 0; j < here; j++, at += stride) counts[v[at] + 128]++; }
				case USHORT -> { short[] v = (short[]) planes[plane]; for (int j = 0; j < here; j++, at += stride) counts[v[at] & 0xffff]++; }
				default -> { short[] v = (short[]) planes[plane]; for (int j = 0; j < here; j++, at += stride) counts[v[at] + 32768]++; }
			}
			k += here;
			i += here * stride;
		}
		return new Histogram(base, counts);
	}

	/**
	 * Counts of consecutive integer values.
	 *
	 * @param base the value counted in {@code counts[0]}
	 * @param counts how often each value {@code base + i} occurs
	 */
	public record Histogram(int base, int[] counts) {}

	/**
	 * @param flatIndex flat index of a pixel
	 * @return its value as float
	 */
	public float get(long flatIndex) {
		Object a = planes[(int) (flatIndex / planeSize)];
		int s = (int) (flatIndex % planeSize);
		return switch (kind) {
			case UBYTE -> ((byte[]) a)[s] & 0xff;
			case BYTE -> ((byte[]) a)[s];
			case USHORT -> ((short[]) a)[s] & 0xffff;
			case SHORT -> ((short[]) a)[s];
			case INT -> ((int[]) a)[s];
			case FLOAT -> ((float[]) a)[s];
			case DOUBLE -> (float) ((double[]) a)[s];
		};
	}

	/**
	 * Mirror padding without repeating the edge pixel (ImgLib2's {@code extendMirrorSingle}, numpy's
	 * {@code "reflect"}), for any distance outside the axis.
	 *
	 * @param p position along an axis, any value
	 * @param n axis length, &gt;= 1
	 * @return the position inside {@code [0, n)} whose value {@code p} takes
	 */
	public static long mirror(long p, long n) {
		if (n == 1) return 0;
		long period = 2L * (n - 1);
		long q = Math.floorMod(p, period);
		return q < n ? q : period - q;
	}
}
