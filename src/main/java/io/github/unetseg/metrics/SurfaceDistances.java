package io.github.unetseg.metrics;

import java.util.Arrays;

/**
 * Distances between the boundaries of two binary masks on the same grid, in physical units.
 *
 * <p>A boundary voxel is a foreground voxel with a background face neighbour (4-neighbourhood in 2D,
 * 6 in 3D), voxels outside the image counting as background: {@code mask XOR erode(mask)} with
 * scipy's default cross-shaped structuring element, as MONAI's {@code get_mask_edges} does. The
 * directed distances from each boundary voxel of one mask to the nearest boundary voxel of the other
 * are read from an {@link EuclideanDistanceTransform} of the other boundary, computed on the bounding
 * box of both masks only (all boundary voxels lie inside it, so the distances are exact).
 *
 * @param aToB distance from every boundary voxel of A to B's boundary, sorted ascending
 * @param bToA distance from every boundary voxel of B to A's boundary, sorted ascending
 */
public record SurfaceDistances(double[] aToB, double[] bToA) {

	/**
	 * Computes the directed distance sets.
	 *
	 * @param a mask A (non-zero = foreground), first axis fastest
	 * @param b mask B, same length
	 * @param dims size per axis
	 * @param spacing voxel size per axis, physical units
	 * @return the sorted distances; an empty array where a mask is empty
	 */
	public static SurfaceDistances of(byte[] a, byte[] b, int[] dims, double[] spacing) {
		int n = dims.length;
		int[] lo = new int[n], hi = new int[n];
		Arrays.fill(lo, Integer.MAX_VALUE);
		Arrays.fill(hi, -1);
		int[] pos = new int[n];
		for (int i = 0; i < a.length; i++) {
			if (a[i] != 0 || b[i] != 0) {
				int r = i;
				for (int d = 0; d < n; d++) {
					pos[d] = r % dims[d];
					r /= dims[d];
					if (pos[d] < lo[d]) lo[d] = pos[d];
					if (pos[d] > hi[d]) hi[d] = pos[d];
				}
			}
		}
		if (hi[0] < 0) return new SurfaceDistances(new double[0], new double[0]);
		int[] box = new int[n];
		int size = 1;
		for (int d = 0; d < n; d++) {
			box[d] = hi[d] - lo[d] + 1;
			size *= box[d];
		}
		byte[] ca = crop(a, dims, lo, box, size), cb = crop(b, dims, lo, box, size);
		byte[] ea = boundary(ca, box), eb = boundary(cb, box);
		return new SurfaceDistances(directed(ea, eb, box, spacing), directed(eb, ea, box, spacing));
	}

	private static byte[] crop(byte[] src, int[] dims, int[] lo, int[] box, int size) {
		byte[] out = new byte[size];
		int n = dims.length;
		int[] p = new int[n];
		for (int i = 0; i < size; i += box[0]) {
			long srcIdx = 0, stride = 1;
			for (int d = 0; d < n; d++) {
				srcIdx += (long) (lo[d] + (d == 0 ? 0 : p[d])) * stride;
				stride *= dims[d];
			}
			System.arraycopy(src, (int) srcIdx, out, i, box[0]);
			for (int d = 1; d < n; d++) {
				if (++p[d] < box[d]) break;
				p[d] = 0;
			}
		}
		return out;
	}

	/** Foreground voxels with a background (or outside) face neighbour. */
	static byte[] boundary(byte[] m, int[] dims) {
		int n = dims.length;
		byte[] e = new byte[m.length];
		int[] stride = new int[n];
		stride[0] = 1;
		for (int d = 1; d < n; d++) stride[d] = stride[d - 1] * dims[d - 1];
		int[] p = new int[n];
		for (int i = 0; i < m.length; i++) {
			if (m[i] != 0) {
				boolean edge = false;
				for (int d = 0; d < n && !edge; d++)
					edge = p[d] == 0 || p[d] == dims[d] - 1 || m[i - stride[d]] == 0 || m[i + stride[d]] == 0;
				if (edge) e[i] = 1;
			}
			for (int d = 0; d < n; d++) {
				if (++p[d] < dims[d]) break;
				p[d] = 0;
			}
		}
		return e;
	}

	private static double[] directed(byte[] from, byte[] to, int[] dims, double[] spacing) {
		int count = 0;
		for (byte v : from) count += v;
		double[] out = new double[count];
		if (count == 0) return out;
		boolean any = false;
		for (byte v : to) if (v != 0) { any = true; break; }
		if (!any) {
			Arrays.fill(out, Double.POSITIVE_INFINITY);
			return out;
		}
		float[] sq = EuclideanDistanceTransform.squared(to, dims, spacing);
		int k = 0;
		for (int i = 0; i < from.length; i++) if (from[i] != 0) out[k++] = Math.sqrt(sq[i]);
		Arrays.sort(out);
		return out;
	}

	/** @return the symmetric Hausdorff distance, the largest directed distance; NaN if a set is empty */
	public double hausdorff() {
		if (aToB.length == 0 || bToA.length == 0) return Double.NaN;
		return Math.max(aToB[aToB.length - 1], bToA[bToA.length - 1]);
	}

	/**
	 * MONAI's percentile Hausdorff distance ({@code compute_hausdorff_distance(percentile=95)}): the
	 * given percentile of each directed set (numpy's linear interpolation), then the larger of the two.
	 *
	 * @param percentile in {@code [0, 100]}
	 * @return the distance; NaN if a set is empty
	 */
	public double percentileHausdorff(double percentile) {
		if (aToB.length == 0 || bToA.length == 0) return Double.NaN;
		return Math.max(percentile(aToB, percentile), percentile(bToA, percentile));
	}

	/** @return mean of all distances of both sets together (MONAI's symmetric average surface distance) */
	public double assd() {
		if (aToB.length == 0 || bToA.length == 0) return Double.NaN;
		double s = 0;
		for (double d : aToB) s += d;
		for (double d : bToA) s += d;
		return s / (aToB.length + bToA.length);
	}

	/**
	 * @param tolerance distance in physical units
	 * @return share of boundary voxels of both masks within {@code tolerance} of the other boundary
	 */
	public double surfaceDice(double tolerance) {
		if (aToB.length == 0 && bToA.length == 0) return Double.NaN;
		return (double) (countAtMost(aToB, tolerance) + countAtMost(bToA, tolerance)) / (aToB.length + bToA.length);
	}

	private static int countAtMost(double[] sorted, double t) {
		int i = Arrays.binarySearch(sorted, t);
		if (i < 0) return -i - 1;
		while (i + 1 < sorted.length && sorted[i + 1] == t) i++;
		return i + 1;
	}

	/** numpy's default ('linear') percentile of sorted values. */
	static double percentile(double[] sorted, double p) {
		double pos = p / 100 * (sorted.length - 1);
		int i = (int) Math.floor(pos);
		if (i >= sorted.length - 1) return sorted[sorted.length - 1];
		return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
	}
}
