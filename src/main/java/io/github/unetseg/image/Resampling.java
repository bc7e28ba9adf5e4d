package io.github.unetseg.image;

import java.util.Arrays;
import java.util.stream.IntStream;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Rescaling of images and label images to another pixel grid, for models that expect objects of a
 * given size in pixels (an instance model's {@code objectDiameter}, as StarDist's {@code scale} and
 * Cellpose's {@code diameter}).
 *
 * <p>Grids are aligned at pixel centres ({@code scipy.ndimage.zoom(grid_mode=True)}, ImageJ's
 * "Scale" with averaging off): output pixel {@code i} of an axis scaled by {@code f} samples input
 * position {@code (i + 0.5) / f - 0.5}, clamped to the image.
 */
public final class Resampling {

	private Resampling() {}

	/**
	 * The size of an image scaled by a factor per axis: {@code max(1, round(size * factor))}.
	 *
	 * @param size spatial size {@code [x, y(, z)]}
	 * @param factor scale per axis, &gt; 0
	 * @return the scaled size
	 */
	public static long[] scaledSize(long[] size, double[] factor) {
		long[] out = new long[size.length];
		for (int d = 0; d < size.length; d++) out[d] = Math.max(1, Math.round(size[d] * factor[d]));
		return out;
	}

	/**
	 * Resamples every channel with (bi/tri)linear interpolation to a new spatial size. Calibration
	 * spacing is scaled by {@code oldSize / newSize}, and a 3D image's affine with it (voxels keep their
	 * world positions).
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @param newSize spatial size {@code [x, y(, z)]}, each &gt;= 1
	 * @return a float image {@code [x, y(, z), c]}
	 * @throws IllegalArgumentException if the size has the wrong length or the image or the result exceeds 2<sup>31</sup> values
	 */
	public static <T extends RealType<T>> Volume<FloatType> linear(Volume<T> volume, long[] newSize) {
		int n = volume.spatialDims();
		if (newSize.length != n) throw new IllegalArgumentException("new size needs " + n + " values");
		long[] in = volume.spatialSize();
		int c = volume.channels();
		long[] dims = Arrays.copyOf(newSize, n + 1);
		dims[n] = c;
		long total = 1;
		for (long d : dims) total *= d;
		if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("the rescaled image would exceed 2^31 values");
		if (volume.voxelCount() * c > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("images above 2^31 values are not resampled in memory");
		float[] data = PixelArrays.floats(volume.image());
		// trilinear weights are products of per-axis weights: three 1D passes give the same values
		long[] size = Arrays.copyOf(in, 3);
		if (n == 2) size[2] = 1;
		for (int d = 0; d < n; d++) {
			if (newSize[d] == size[d]) continue;
			data = resampleAxis(data, size, c, d, (int) newSize[d]);
			size[d] = newSize[d];
		}
		ArrayImg<FloatType, FloatArray> out = ArrayImgs.floats(data, dims);
		return new Volume<>(out, rescaled(volume.calibration(), in, newSize));
	}

	/**
	 * Linear interpolation along one axis, pixel centres aligned and positions clamped to the image.
	 *
	 * @param data values {@code [x, y, z, c]}, x fastest
	 * @param size spatial size {@code [x, y, z]} ({@code z = 1} in 2D)
	 * @param channels channel count
	 * @param axis 0, 1 or 2
	 * @param m new size along {@code axis}
	 * @return values of the new size
	 */
	private static float[] resampleAxis(float[] data, long[] size, int channels, int axis, int m) {
		int len = (int) size[axis];
		int stride = axis == 0 ? 1 : axis == 1 ? (int) size[0] : (int) (size[0] * size[1]);
		int[] lo = new int[m], hi = new int[m];
		float[] w = new float[m];
		double f = (double) m / len;
		for (int i = 0; i < m; i++) {
			double p = Math.max(0, Math.min(len - 1, (i + 0.5) / f - 0.5));
			lo[i] = (int) Math.floor(p);
			hi[i] = Math.min(lo[i] + 1, len - 1);
			w[i] = (float) (p - lo[i]);
		}
		// lines along the axis: `inner` consecutive ones share each step, `outer` blocks of them
		int inner = stride, outer = (int) (data.length / ((long) len * stride));
		float[] out = new float[(int) ((long) outer * m * inner)];
		IntStream.range(0, outer).parallel().forEach(b -> {
			int src = b * len * inner, dst = b * m * inner;
			for (int i = 0; i < m; i++) {
				int a = src + lo[i] * inner, z = src + hi[i] * inner, o = dst + i * inner;
				float wi = w[i], vi = 1 - wi;
				for (int j = 0; j < inner; j++) out[o + j] = vi * data[a + j] + wi * data[z + j];
			}
		});
		return out;
	}

	/**
	 * The calibration of a grid resampled from {@code in} to {@code out} voxels, pixel centres aligned:
	 * spacing scaled by {@code in / out}; an affine's columns scaled the same way and its origin moved to
	 * where the new first voxel's centre lies ({@code 0.5 in/out - 0.5} old voxels), so every voxel keeps
	 * its world position.
	 */
	private static Calibration rescaled(Calibration cal, long[] in, long[] out) {
		int n = in.length;
		double[] spacing = new double[n];
		for (int d = 0; d < n; d++) spacing[d] = cal.spacing(d) * in[d] / out[d];
		double[] a = cal.affine();
		if (a != null && n == 3)
			for (int row = 0; row < 3; row++)
				for (int d = 0; d < 3; d++) {
					double f = (double) in[d] / out[d], col = a[4 * row + d];
					a[4 * row + d] = col * f;
					a[4 * row + 3] += col * (0.5 * f - 0.5);
				}
		return new Calibration(spacing, cal.unit(), n == 3 ? a : null);
	}

	/**
	 * Resamples a one-channel label image by nearest neighbour to a new spatial size; calibration
	 * spacing is scaled by {@code oldSize / newSize}.
	 *
	 * @param labels label image {@code [x, y(, z), 1]} with integer values
	 * @param newSize spatial size {@code [x, y(, z)]}, each &gt;= 1
	 * @return an int image {@code [x, y(, z), 1]}
	 * @throws IllegalArgumentException if the image has several channels, the size has the wrong
	 *     length, or either image exceeds 2<sup>31</sup> voxels
	 */
	public static <T extends RealType<T>> Volume<net.imglib2.type.numeric.integer.IntType> nearest(Volume<T> labels, long[] newSize) {
		int n = labels.spatialDims();
		if (labels.channels() != 1) throw new IllegalArgumentException("labels need one channel, got " + labels.channels());
		if (newSize.length != n) throw new IllegalArgumentException("new size needs " + n + " values");
		long[] in = labels.spatialSize();
		if (labels.voxelCount() > Integer.MAX_VALUE - 8 || Arrays.stream(newSize).reduce(1, (a, b) -> a * b) > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("label images above 2^31 voxels are not resampled in memory");
		int[] flat = new int[(int) labels.voxelCount()];
		int i = 0;
		for (T t : Views.flatIterable(labels.image())) flat[i++] = (int) Math.round(t.getRealDouble());
		int[] size = { (int) in[0], (int) in[1], n == 3 ? (int) in[2] : 1 };
		int[] to = { (int) newSize[0], (int) newSize[1], n == 3 ? (int) newSize[2] : 1 };
		long[] dims = Arrays.copyOf(newSize, n + 1);
		dims[n] = 1;
		return new Volume<>(ArrayImgs.ints(nearest(flat, size, to), dims), rescaled(labels.calibration(), in, newSize));
	}

	/**
	 * Resamples a label image by nearest neighbour (the input pixel whose centre is nearest).
	 *
	 * @param labels flat labels, first axis fastest
	 * @param size their size {@code [x, y, z]} ({@code z = 1} in 2D)
	 * @param newSize the new size {@code [x, y, z]}
	 * @return flat labels of the new size
	 */
	public static int[] nearest(int[] labels, int[] size, int[] newSize) {
		int[][] map = new int[3][];
		for (int d = 0; d < 3; d++) {
			map[d] = new int[newSize[d]];
			double f = (double) newSize[d] / size[d];
			for (int i = 0; i < newSize[d]; i++)
				map[d][i] = (int) Math.max(0, Math.min(size[d] - 1, Math.floor((i + 0.5) / f)));
		}
		int[] out = new int[newSize[0] * newSize[1] * newSize[2]];
		int o = 0;
		for (int z = 0; z < newSize[2]; z++)
			for (int y = 0; y < newSize[1]; y++) {
				int row = size[0] * (map[1][y] + size[1] * map[2][z]);
				for (int x = 0; x < newSize[0]; x++) out[o++] = labels[row + map[0][x]];
			}
		return out;
	}
}
