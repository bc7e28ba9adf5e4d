package io.github.unetseg.image;

import java.util.Arrays;

/**
 * Post-processing of label images, as nnU-Net's {@code postprocessing} step offers it (and decides per
 * class by cross-validation): keep only the largest connected component of each class (its
 * {@code remove_all_but_largest_component}), and fill holes (regions of background completely enclosed by
 * one class, as {@code scipy.ndimage.binary_fill_holes}). Labels are flat, x fastest, {@code [x, y, z]}
 * with {@code z = 1} for 2D; class 0 is background.
 *
 * <p>Components of a class are connected through faces, edges and corners (8 neighbours in 2D, 26 in
 * 3D, scikit-image's default); background regions through faces only (4 / 6), so a hole is enclosed
 * when it cannot reach the image border without crossing the class.
 */
public final class LabelCleanup {

	private LabelCleanup() {}

	/**
	 * Keeps only the largest connected component of each foreground class; the other components become
	 * background. Ties keep the component met first in raster order.
	 *
	 * @param labels class indices, changed in place
	 * @param size {@code [x, y, z]}
	 * @return the number of voxels set to background
	 */
	public static long keepLargestComponents(short[] labels, int[] size) {
		return keepLargestComponents(labels, size, null);
	}

	/**
	 * Keeps only the largest connected component of some classes (nnU-Net decides per class); the other
	 * components of those classes become background, other classes are left as they are.
	 *
	 * @param labels class indices, changed in place
	 * @param size {@code [x, y, z]}
	 * @param classes per class index whether to clean it, or {@code null} for every foreground class;
	 *     classes beyond its length are left alone
	 * @return the number of voxels set to background
	 */
	public static long keepLargestComponents(short[] labels, int[] size, boolean[] classes) {
		int n = labels.length;
		int[] component = new int[n];
		Arrays.fill(component, -1);
		int[] queue = new int[n];
		int max = 0;
		for (short l : labels) max = Math.max(max, l);
		// per class: the largest component's id and size
		int[] bestId = new int[max + 1], bestSize = new int[max + 1];
		Arrays.fill(bestId, -1);
		int next = 0;
		for (int start = 0; start < n; start++) {
			if (labels[start] <= 0 || component[start] >= 0 || !chosen(classes, labels[start])) continue;
			int count = flood(labels, size, component, queue, start, next, true, labels[start]);
			if (count > bestSize[labels[start]]) {
				bestSize[labels[start]] = count;
				bestId[labels[start]] = next;
			}
			next++;
		}
		long removed = 0;
		for (int i = 0; i < n; i++)
			if (labels[i] > 0 && chosen(classes, labels[i]) && component[i] != bestId[labels[i]]) {
				labels[i] = 0;
				removed++;
			}
		return removed;
	}

	private static boolean chosen(boolean[] classes, int label) {
		return classes == null || label < classes.length && classes[label];
	}

	/**
	 * Fills every background region that is enclosed by one class (touches no image border and no other
	 * class) with that class.
	 *
	 * @param labels class indices, changed in place
	 * @param size {@code [x, y, z]}
	 * @return the number of voxels filled
	 */
	public static long fillHoles(short[] labels, int[] size) {
		int n = labels.length;
		int[] region = new int[n];
		Arrays.fill(region, -1);
		int[] queue = new int[n];
		long filled = 0;
		int next = 0;
		for (int start = 0; start < n; start++) {
			if (labels[start] != 0 || region[start] >= 0) continue;
			int count = flood(labels, size, region, queue, start, next, false, (short) 0);
			// the region's neighbours: one class and no border means a hole of that class
			int enclosing = enclosing(labels, size, queue, count);
			if (enclosing > 0) {
				for (int q = 0; q < count; q++) labels[queue[q]] = (short) enclosing;
				filled += count;
			}
			next++;
		}
		return filled;
	}

	/** Breadth-first flood of the voxels of {@code value} from {@code start}; leaves the region in {@code queue[0..count)}. */
	private static int flood(short[] labels, int[] size, int[] mark, int[] queue, int start, int id, boolean full, short value) {
		int sx = size[0], sy = size[1], sz = size[2];
		int head = 0, tail = 0;
		queue[tail++] = start;
		mark[start] = id;
		while (head < tail) {
			int i = queue[head++];
			int x = i % sx, y = i / sx % sy, z = i / (sx * sy);
			for (int dz = -1; dz <= 1; dz++) {
				int zz = z + dz;
				if (zz < 0 || zz >= sz) continue;
				for (int dy = -1; dy <= 1; dy++) {
					int yy = y + dy;
					if (yy < 0 || yy >= sy) continue;
					for (int dx = -1; dx <= 1; dx++) {
						int xx = x + dx;
						if (xx < 0 || xx >= sx || (dx | dy | dz) == 0) continue;
						if (!full && Math.abs(dx) + Math.abs(dy) + Math.abs(dz) != 1) continue;
						int j = (zz * sy + yy) * sx + xx;
						if (mark[j] < 0 && labels[j] == value) {
							mark[j] = id;
							queue[tail++] = j;
						}
					}
				}
			}
		}
		return tail;
	}

	/** The one class around a background region, or 0 when it touches the border or two classes. */
	private static int enclosing(short[] labels, int[] size, int[] region, int count) {
		int sx = size[0], sy = size[1], sz = size[2];
		int found = 0;
		for (int q = 0; q < count; q++) {
			int i = region[q];
			int x = i % sx, y = i / sx % sy, z = i / (sx * sy);
			if (x == 0 || x == sx - 1 || y == 0 || y == sy - 1 || sz > 1 && (z == 0 || z == sz - 1)) return 0;
			int[] neighbours = sz > 1 ? new int[] { i - 1, i + 1, i - sx, i + sx, i - sx * sy, i + sx * sy } : new int[] { i - 1, i + 1, i - sx, i + sx };
			for (int j : neighbours) {
				short l = labels[j];
				if (l == 0) continue;
				if (found == 0) found = l;
				else if (found != l) return 0;
			}
		}
		return found;
	}
}
