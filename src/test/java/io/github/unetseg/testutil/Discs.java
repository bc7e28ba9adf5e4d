package io.github.unetseg.testutil;

import java.util.Random;

/**
 * Synthetic nuclei with known answers: 60 discs of radius 7-10 pixels on a 2D grid, 20 pairs of
 * which touch (their centres one sum of radii apart, so the pair shares a border), the others apart.
 */
public final class Discs {

	private Discs() {}

	/**
	 * The instance label image: object ids 1..60, 0 = background, flat {@code [x, y]}.
	 *
	 * @param size edge of the square image in pixels (at least 400)
	 * @param seed seed of the radii and positions
	 * @return ids
	 */
	public static int[] touching(int size, long seed) {
		int[] labels = new int[size * size];
		Random r = new Random(seed);
		int id = 0;
		// 40 cells of 50 x 50 px on a grid of 8 x 5 would not fit 60 discs: 20 cells hold a touching pair (60 px wide),
		// 20 cells one disc; cells of 64 x 64 px
		int cells = size / 64;
		int placed = 0;
		for (int cy = 0; cy < cells && id < 60; cy++)
			for (int cx = 0; cx < cells && id < 60; cx++, placed++) {
				double x0 = cx * 64 + 32, y0 = cy * 64 + 32;
				if (placed < 20) {
					double ra = 7 + 3 * r.nextDouble(), rb = 7 + 3 * r.nextDouble();
					double angle = r.nextDouble() * Math.PI;
					double d = ra + rb;
					double ax = x0 - Math.cos(angle) * d / 2, ay = y0 - Math.sin(angle) * d / 2;
					double bx = x0 + Math.cos(angle) * d / 2, by = y0 + Math.sin(angle) * d / 2;
					paint(labels, size, ax, ay, ra, ++id);
					paint(labels, size, bx, by, rb, ++id);
				}
				else paint(labels, size, x0 + r.nextDouble() * 8 - 4, y0 + r.nextDouble() * 8 - 4, 7 + 3 * r.nextDouble(), ++id);
			}
		if (id != 60) throw new IllegalArgumentException("image of " + size + " px holds only " + id + " discs");
		return labels;
	}

	/** Paints pixels whose centre lies within the radius, nearer to this disc's centre than any painted one does not matter. */
	private static void paint(int[] labels, int size, double cx, double cy, double radius, int id) {
		for (int y = (int) Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++)
			for (int x = (int) Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
				if (x < 0 || y < 0 || x >= size || y >= size) continue;
				double dx = x - cx, dy = y - cy;
				if (dx * dx + dy * dy <= radius * radius && labels[x + size * y] == 0) labels[x + size * y] = id;
			}
	}
}
