package io.github.unetseg.data;

import java.util.Arrays;

import io.github.unetseg.metrics.EuclideanDistanceTransform;
import io.github.unetseg.objects.InstanceDecoder;

/**
 * Training targets of an instance model, derived from an instance label image (0 = background,
 * 1..N = one object each): three classes per voxel (or distance levels, {@link #distanceLevels}) and the
 * U-Net paper's separation weights.
 *
 * <p>Classes: {@link #BACKGROUND}, {@link #INTERIOR} and {@link #BOUNDARY}, where a boundary voxel is an
 * object voxel with a face neighbour (4-connectivity in 2D, 6 in 3D) of another value, background or
 * another object; voxels at the image border are not boundary for that reason alone. Two touching
 * objects are therefore separated by two voxels of boundary, and the interiors of touching objects do
 * not touch, which is what the seeded watershed of {@code objects.InstanceDecoder} relies on.
 *
 * <p>Separation weights (Ronneberger, Fischer and Brox, "U-Net: Convolutional Networks for Biomedical
 * Image Segmentation", MICCAI 2015, eq. 2): {@code w(x) = w_c(x) + w0 exp(-(d1(x) + d2(x))^2 / (2
 * sigma^2))} for background voxels, where {@code d1}, {@code d2} are the distances in voxels to the
 * nearest and second-nearest object, with {@code w0 = 10}, {@code sigma = 5} voxels; object voxels get
 * the separation term 0 (as the paper's reference weight maps). This class computes the separation term;
 * the class-balancing {@code w_c} is added at sampling time ({@link PatchSampler}) from the class
 * frequencies of the whole training set. Distances are exact (per object, {@link EuclideanDistanceTransform}
 * in its bounding box grown by the distance beyond which the term is below 10<sup>-3</sup>).
 *
 * <p>Arrays are flat, first axis fastest ({@code [x, y(, z)]}); a 2D image has {@code size[2] == 1}.
 */
public final class InstanceTargets {

	/** Class index of background voxels. */
	public static final short BACKGROUND = 0;
	/** Class index of object voxels away from the object's border. */
	public static final short INTERIOR = 1;
	/** Class index of object voxels on the object's border. */
	public static final short BOUNDARY = 2;
	/** The class names of an instance model, in class-index order. */
	public static final java.util.List<String> CLASS_NAMES = java.util.List.of("background", "interior", "boundary");
	/** Distance levels of an instance model trained with target {@code distance}. */
	public static final int DISTANCE_LEVELS = 8;
	/** Separation weight {@code w0} of eq. 2. */
	public static final double W0 = 10;
	/** Width {@code sigma} of eq. 2, in voxels. */
	public static final double SIGMA = 5;

	private InstanceTargets() {}

	/**
	 * The three-class map of an instance label image.
	 *
	 * @param instances object ids, {@code prod(size)} values, 0 = background
	 * @param size {@code [x, y, z]} ({@code z = 1} in 2D)
	 * @return class indices ({@link #BACKGROUND}, {@link #INTERIOR}, {@link #BOUNDARY}), same layout
	 * @throws IllegalArgumentException if the length does not match the size
	 */
	public static short[] classes(int[] instances, int[] size) {
		int nx = size[0], ny = size[1], nz = size[2];
		if ((long) nx * ny * nz != instances.length) throw new IllegalArgumentException("labels and size do not match");
		short[] out = new short[instances.length];
		int sxy = nx * ny;
		for (int z = 0, i = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++, i++) {
					int v = instances[i];
					if (v == 0) continue;
					boolean border = x > 0 && instances[i - 1] != v || x < nx - 1 && instances[i + 1] != v
						|| y > 0 && instances[i - nx] != v || y < ny - 1 && instances[i + nx] != v
						|| z > 0 && instances[i - sxy] != v || z < nz - 1 && instances[i + sxy] != v;
					out[i] = border ? BOUNDARY : INTERIOR;
				}
		return out;
	}

	/**
	 * The distance-level classes of an instance label image (target {@code distance} of
	 * {@code objects.InstanceDecoder.Target}): 0 on background, and on an object voxel the level
	 * {@code 1 + floor((L - 1) (d - 1) / (d_max - 1))} of its distance {@code d >= 1} to the nearest voxel of
	 * another value (background or another object; the image border does not count, as objects may go on
	 * beyond it), {@code d_max} the largest such distance in its object, so that every object, small or
	 * large, runs from level 1 on its border to level {@code L} at its centre; an object without inner voxels
	 * ({@code d_max = 1}) is all level {@code L} (the energy levels of Bai and Urtasun, "Deep
	 * Watershed Transform for Instance Segmentation", CVPR 2017, normalised per object). Distances are exact
	 * Euclidean distances in voxels ({@link EuclideanDistanceTransform} in the object's bounding box grown by
	 * one voxel).
	 *
	 * @param instances object ids, {@code prod(size)} values, 0 = background
	 * @param size {@code [x, y, z]} ({@code z = 1} in 2D)
	 * @param levels {@code L}, the number of levels, 2..32767
	 * @return class indices 0..L, same layout
	 * @throws IllegalArgumentException if the length does not match the size, or for another number of levels
	 */
	public static short[] distanceLevels(int[] instances, int[] size, int levels) {
		int nx = size[0], ny = size[1], nz = size[2];
		if ((long) nx * ny * nz != instances.length) throw new IllegalArgumentException("labels and size do not match");
		if (levels < 2 || levels > Short.MAX_VALUE) throw new IllegalArgumentException("levels must be in 2..32767, got " + levels);
		short[] out = new short[instances.length];
		int[][] box = boxes(instances, size);
		int[] lo = new int[3], dims = new int[3];
		for (int id = 1; id < box.length; id++) {
			int[] b = box[id];
			if (b == null) continue;
			for (int d = 0; d < 3; d++) {
				lo[d] = Math.max(0, b[d] - 1);
				dims[d] = Math.min(size[d] - 1, b[d + 3] + 1) - lo[d] + 1;
			}
			// the EDT's features: voxels of another value in the grown box
			byte[] other = new byte[dims[0] * dims[1] * dims[2]];
			boolean any = false;
			for (int z = 0, j = 0; z < dims[2]; z++)
				for (int y = 0; y < dims[1]; y++)
					for (int x = 0; x < dims[0]; x++, j++)
						if (instances[(lo[0] + x) + nx * ((lo[1] + y) + ny * (lo[2] + z))] != id) {
							other[j] = 1;
							any = true;
						}
			float[] sq = any ? EuclideanDistanceTransform.squared(other, nz == 1 ? new int[] { dims[0], dims[1] } : dims.clone(), nz == 1
				? new double[] { 1, 1 } : new double[] { 1, 1, 1 }) : null;
			float max = 0;
			for (int j = 0; sq != null && j < sq.length; j++) if (other[j] == 0) max = Math.max(max, sq[j]);
			double dMax = Math.sqrt(max), scale = dMax > 1 ? (levels - 1) / (dMax - 1) : 0;
			for (int z = 0, j = 0; z < dims[2]; z++)
				for (int y = 0; y < dims[1]; y++)
					for (int x = 0; x < dims[0]; x++, j++) {
						if (other[j] != 0) continue;
						// an object that fills the whole image has no border, one without inner voxels no inside: all centre
						int level = sq == null || scale == 0 ? levels : 1 + (int) Math.floor((Math.sqrt(sq[j]) - 1) * scale + 1e-9);
						out[(lo[0] + x) + nx * ((lo[1] + y) + ny * (lo[2] + z))] = (short) Math.max(1, Math.min(levels, level));
					}
		}
		return out;
	}

	/** Bounding boxes per object id ({@code [xmin, ymin, zmin, xmax, ymax, zmax]}, null for ids not present). */
	private static int[][] boxes(int[] instances, int[] size) {
		int max = 0;
		for (int v : instances) max = Math.max(max, v);
		int[][] box = new int[max + 1][];
		for (int z = 0, i = 0; z < size[2]; z++)
			for (int y = 0; y < size[1]; y++)
				for (int x = 0; x < size[0]; x++, i++) {
					int v = instances[i];
					if (v == 0) continue;
					int[] b = box[v];
					if (b == null) box[v] = new int[] { x, y, z, x, y, z };
					else {
						b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.min(b[2], z);
						b[3] = Math.max(b[3], x); b[4] = Math.max(b[4], y); b[5] = Math.max(b[5], z);
					}
				}
		return box;
	}

	/**
	 * The inverse of {@link #classNames}.
	 *
	 * @param classNames an instance model's class names
	 * @return 0 for background, interior, boundary; {@code L} for background and {@code distance1 .. distanceL}
	 * @throws IllegalArgumentException for other names
	 */
	public static int levels(java.util.List<String> classNames) {
		if (classNames.equals(CLASS_NAMES)) return 0;
		int levels = classNames.size() - 1;
		if (levels >= 2 && classNames.equals(classNames(levels))) return levels;
		throw new IllegalArgumentException("an instance model's classes are " + CLASS_NAMES + " or background, distance1 .. distanceL, got " +
			classNames);
	}

	/**
	 * The class names of an instance model trained with a target.
	 *
	 * @param target {@code boundary} or {@code distance} ({@link InstanceDecoder.Target#parse})
	 * @return {@link #CLASS_NAMES}, or background and {@link #DISTANCE_LEVELS} distance levels
	 * @throws IllegalArgumentException for another target
	 */
	public static java.util.List<String> classNames(String target) {
		return classNames(InstanceDecoder.Target.parse(target) == InstanceDecoder.Target.DISTANCE ? DISTANCE_LEVELS : 0);
	}

	/**
	 * The class names of an instance model.
	 *
	 * @param levels 0 for the three classes background, interior, boundary; else the number of distance levels
	 * @return background first, then {@code interior, boundary} or {@code distance1 .. distanceL}
	 */
	public static java.util.List<String> classNames(int levels) {
		if (levels == 0) return CLASS_NAMES;
		java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of("background"));
		for (int l = 1; l <= levels; l++) names.add("distance" + l);
		return java.util.List.copyOf(names);
	}

	/**
	 * The separation term {@code w0 exp(-(d1 + d2)^2 / (2 sigma^2))} of eq. 2 on background voxels (0 on
	 * objects, and where fewer than two objects are within reach).
	 *
	 * @param instances object ids, {@code prod(size)} values, 0 = background
	 * @param size {@code [x, y, z]} ({@code z = 1} in 2D)
	 * @return the term per voxel, in {@code [0, w0]}
	 */
	public static float[] separation(int[] instances, int[] size) {
		int nx = size[0], ny = size[1], nz = size[2];
		int n = instances.length;
		int[][] box = boxes(instances, size);
		int max = box.length - 1;
		if (max == 0) return new float[n];
		// beyond d1 + d2 = reach the term is below 1e-3: d2 >= d1, so only objects within reach of a voxel count
		int reach = (int) Math.ceil(SIGMA * Math.sqrt(2 * Math.log(W0 * 1000)));
		float[] d1 = new float[n], d2 = new float[n];
		Arrays.fill(d1, Float.POSITIVE_INFINITY);
		Arrays.fill(d2, Float.POSITIVE_INFINITY);
		int[] lo = new int[3], hi = new int[3], dims = new int[3];
		for (int id = 1; id <= max; id++) {
			int[] b = box[id];
			if (b == null) continue;
			for (int d = 0; d < 3; d++) {
				int r = size[d] == 1 ? 0 : reach;
				lo[d] = Math.max(0, b[d] - r);
				hi[d] = Math.min(size[d] - 1, b[d + 3] + r);
				dims[d] = hi[d] - lo[d] + 1;
			}
			byte[] feature = new byte[dims[0] * dims[1] * dims[2]];
			for (int z = 0, j = 0; z < dims[2]; z++)
				for (int y = 0; y < dims[1]; y++)
					for (int x = 0; x < dims[0]; x++, j++)
						if (instances[(lo[0] + x) + nx * ((lo[1] + y) + ny * (lo[2] + z))] == id) feature[j] = 1;
			int[] edtDims = nz == 1 ? new int[] { dims[0], dims[1] } : dims.clone();
			float[] sq = EuclideanDistanceTransform.squared(feature, edtDims, nz == 1 ? new double[] { 1, 1 } : new double[] { 1, 1, 1 });
			for (int z = 0, j = 0; z < dims[2]; z++)
				for (int y = 0; y < dims[1]; y++)
					for (int x = 0; x < dims[0]; x++, j++) {
						int i = (lo[0] + x) + nx * ((lo[1] + y) + ny * (lo[2] + z));
						if (instances[i] != 0) continue;
						float d = (float) Math.sqrt(sq[j]);
						if (d < d1[i]) {
							d2[i] = d1[i];
							d1[i] = d;
						}
						else if (d < d2[i]) d2[i] = d;
					}
		}
		float[] w = new float[n];
		double twoSigma2 = 2 * SIGMA * SIGMA;
		for (int i = 0; i < n; i++) {
			if (instances[i] != 0 || d2[i] == Float.POSITIVE_INFINITY) continue;
			double s = d1[i] + d2[i];
			w[i] = (float) (W0 * Math.exp(-s * s / twoSigma2));
		}
		return w;
	}

	/**
	 * Equivalent diameters of the objects of a label image: {@code 2 sqrt(area / pi)} in 2D,
	 * {@code cbrt(6 volume / pi)} in 3D, in voxels.
	 *
	 * @param instances object ids, 0 = background
	 * @param threeD whether the image is 3D
	 * @return one diameter per id present, in id order
	 */
	public static double[] diameters(int[] instances, boolean threeD) {
		int max = 0;
		for (int v : instances) max = Math.max(max, v);
		long[] count = new long[max + 1];
		for (int v : instances) count[v]++;
		return java.util.stream.IntStream.rangeClosed(1, max).filter(k -> count[k] > 0)
			.mapToDouble(k -> threeD ? Math.cbrt(6 * count[k] / Math.PI) : 2 * Math.sqrt(count[k] / Math.PI)).toArray();
	}
}
