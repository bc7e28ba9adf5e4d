package io.github.unetseg.metrics;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Exact Euclidean distance transform with anisotropic voxel spacing, in linear time.
 *
 * <p>Felzenszwalb and Huttenlocher, "Distance Transforms of Sampled Functions", Theory of Computing
 * 8(19), 2012: the squared distance is separable, so it is computed one axis at a time; along each line
 * the lower envelope of parabolas {@code (x - p_q)^2 + f(q)} (with {@code p_q = q * spacing}) is built
 * and read back in O(n). The first axis is done with two sweeps, the others with the envelope. Lines of
 * an axis are independent and are spread over threads (the common fork-join pool).
 *
 * <p>Arrays are flat with the first axis fastest (ImgLib2 order, e.g. {@code [x, y, z]}). The result is
 * the squared distance, in squared physical units, from each voxel to the nearest feature voxel;
 * {@link Float#POSITIVE_INFINITY} everywhere when there is no feature voxel. Same values as
 * {@code scipy.ndimage.distance_transform_edt(~feature, sampling=spacing) ** 2}, to float rounding.
 */
public final class EuclideanDistanceTransform {

	private EuclideanDistanceTransform() {}

	/**
	 * Squared distances to the nearest feature voxel.
	 *
	 * @param feature 1 (or any non-zero value) marks a feature voxel, length {@code prod(dims)}
	 * @param dims size per axis, first axis fastest
	 * @param spacing voxel size per axis in physical units, each &gt; 0
	 * @return squared distances in physical units squared, {@code float[prod(dims)]}
	 * @throws IllegalArgumentException if the lengths do not match
	 */
	public static float[] squared(byte[] feature, int[] dims, double[] spacing) {
		long n = 1;
		for (int d : dims) n *= d;
		if (n != feature.length || spacing.length != dims.length)
			throw new IllegalArgumentException("mask length, dims and spacing do not match");
		float[] f = new float[feature.length];
		firstAxis(feature, f, dims, spacing[0]);
		for (int axis = 1; axis < dims.length; axis++) otherAxis(f, dims, axis, spacing[axis]);
		return f;
	}

	/** Along the first axis: distance to the nearest feature in the row, by a forward and a backward sweep. */
	private static void firstAxis(byte[] feature, float[] f, int[] dims, double s) {
		int nx = dims[0];
		int rows = feature.length / Math.max(1, nx);
		IntStream.range(0, rows).parallel().forEach(row -> {
			int base = row * nx;
			double inf = Double.POSITIVE_INFINITY;
			double last = -inf;
			for (int x = 0; x < nx; x++) {
				if (feature[base + x] != 0) last = x;
				double d = (x - last) * s;
				f[base + x] = last == -inf ? Float.POSITIVE_INFINITY : (float) (d * d);
			}
			last = inf;
			for (int x = nx - 1; x >= 0; x--) {
				if (feature[base + x] != 0) last = x;
				if (last != inf) {
					double d = (last - x) * s;
					float v = (float) (d * d);
					if (v < f[base + x]) f[base + x] = v;
				}
			}
		});
	}

	private static void otherAxis(float[] f, int[] dims, int axis, double s) {
		int n = dims[axis];
		int stride = 1;
		for (int d = 0; d < axis; d++) stride *= dims[d];
		int inner = stride;
		int outer = f.length / (inner * n);
		int lines = inner * outer;
		final int st = stride;
		IntStream.range(0, lines).parallel().forEach(new java.util.function.IntConsumer() {
			final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(() -> new Scratch(n));

			@Override
			public void accept(int line) {
				int start = (line / inner) * inner * n + line % inner;
				Scratch w = scratch.get();
				for (int i = 0; i < n; i++) w.in[i] = f[start + i * st];
				envelope(w, n, s);
				for (int i = 0; i < n; i++) f[start + i * st] = (float) w.out[i];
			}
		});
	}

	private static final class Scratch {
		final double[] in, out, z;
		final int[] v;

		Scratch(int n) {
			in = new double[n];
			out = new double[n];
			z = new double[n + 1];
			v = new int[n];
		}
	}

	/** Felzenszwalb-Huttenlocher lower envelope along one line with sample spacing {@code s}. */
	private static void envelope(Scratch w, int n, double s) {
		double[] f = w.in, d = w.out, z = w.z;
		int[] v = w.v;
		int k = -1;
		for (int q = 0; q < n; q++) {
			if (f[q] == Double.POSITIVE_INFINITY) continue;
			double pq = q * s;
			if (k < 0) {
				k = 0;
				v[0] = q;
				z[0] = Double.NEGATIVE_INFINITY;
				z[1] = Double.POSITIVE_INFINITY;
				continue;
			}
			double sect;
			while (true) {
				double pv = v[k] * s;
				sect = ((f[q] + pq * pq) - (f[v[k]] + pv * pv)) / (2 * (pq - pv));
				// z[0] is -infinity, so k never drops below 0
				if (sect <= z[k]) k--;
				else break;
			}
			k++;
			v[k] = q;
			z[k] = sect;
			z[k + 1] = Double.POSITIVE_INFINITY;
		}
		if (k < 0) {
			Arrays.fill(d, 0, n, Double.POSITIVE_INFINITY);
			return;
		}
		int j = 0;
		for (int q = 0; q < n; q++) {
			double x = q * s;
			while (z[j + 1] < x) j++;
			double dx = x - v[j] * s;
			d[q] = dx * dx + f[v[j]];
		}
	}
}
