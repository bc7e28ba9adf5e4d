package io.github.unetseg.tiling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An N-D grid of overlapping tiles that covers an image of any size, for sliding-window inference.
 *
 * <p>Each tile is a block of {@code tileSize} pixels fed to the network. Its outer {@code halo}
 * pixels on every side are context only: their predictions suffer from the network's zero padding and
 * are cropped away. The remaining <em>core</em> ({@code tileSize - 2 * halo}) is written into the
 * result. Neighbouring cores overlap by the fraction {@code overlap} of the core; overlapping
 * predictions are blended with a {@link GaussianWindow}, as nnU-Net
 * ({@code sliding_window_prediction.py}) and MONAI ({@code sliding_window_inference}) do. With
 * {@code overlap = 0} every pixel is written by exactly one tile.
 *
 * <p>Cores start at multiples of {@link #step()}, which is a multiple of the network's downsampling
 * factor ({@code alignment}, 2<sup>depth</sup> for a U-Net), so every tile sits on the same pooling
 * grid as a whole-image prediction of the image mirror-padded by {@code halo}: with a halo at least
 * as large as the network's receptive-field radius, tiled and whole-image predictions are equal up to
 * float rounding. Pixels outside the image are mirror-padded by the tile reader. A tile axis longer
 * than needed for the image is shrunk to the smallest aligned size that still covers it, so small
 * images cost no more than one tile of their own size. Creating a plan allocates only the tile list,
 * never image data.
 *
 * @param imageSize spatial image size {@code [x, y(, z)]} in pixels, each &gt;= 1
 * @param tileSize network input size per axis in pixels, each a positive multiple of
 *     {@code alignment}
 * @param halo context cropped from each side of a tile per axis, in pixels, each &gt;= 0
 * @param step distance between neighbouring tile origins per axis, a multiple of {@code alignment}
 * @param overlap fraction of the core shared by neighbours, in {@code [0, 1)}
 * @param tiles all tiles, in x-fastest order
 */
public record TilePlan(long[] imageSize, long[] tileSize, long[] halo, long[] step, double overlap, List<Tile> tiles) {

	/**
	 * Plans the tiles.
	 *
	 * @param imageSize spatial image size {@code [x, y(, z)]}, each &gt;= 1
	 * @param tileSize requested network input size per axis, each a positive multiple of
	 *     {@code alignment}; shrunk per axis where the image needs less
	 * @param halo context per side and axis, each &gt;= 0 and with {@code tileSize - 2 * halo >= alignment}
	 * @param overlap fraction of the core that neighbours share, in {@code [0, 0.9]}
	 * @param alignment the network's total downsampling factor (2<sup>depth</sup>), &gt;= 1
	 * @return the plan
	 * @throws IllegalArgumentException if a size is not a multiple of {@code alignment}, the core is
	 *     smaller than {@code alignment}, the axis counts differ, or {@code overlap} is out of range
	 */
	public static TilePlan create(long[] imageSize, long[] tileSize, long[] halo, double overlap, int alignment) {
		int n = imageSize.length;
		if (tileSize.length != n || halo.length != n)
			throw new IllegalArgumentException("imageSize, tileSize and halo must have the same number of axes: " +
				Arrays.toString(imageSize) + ", " + Arrays.toString(tileSize) + ", " + Arrays.toString(halo));
		if (alignment < 1) throw new IllegalArgumentException("alignment must be >= 1, got " + alignment);
		if (!(overlap >= 0 && overlap <= 0.9)) throw new IllegalArgumentException("overlap must be in [0, 0.9], got " + overlap);
		long[] tile = new long[n];
		long[] step = new long[n];
		long[] count = new long[n];
		for (int d = 0; d < n; d++) {
			if (imageSize[d] < 1) throw new IllegalArgumentException("image size must be >= 1, got " + Arrays.toString(imageSize));
			if (tileSize[d] < alignment || tileSize[d] % alignment != 0)
				throw new IllegalArgumentException("tile size " + tileSize[d] + " on axis " + d + " must be a positive multiple of " +
					alignment + " (2^depth of the network)");
			if (halo[d] < 0) throw new IllegalArgumentException("halo must be >= 0, got " + Arrays.toString(halo));
			tile[d] = Math.min(tileSize[d], roundUp(imageSize[d] + 2 * halo[d], alignment));
			long core = tile[d] - 2 * halo[d];
			if (core < alignment)
				throw new IllegalArgumentException("tile size " + tileSize[d] + " leaves a core of " + core + " pixels on axis " + d +
					" after a halo of " + halo[d] + " on each side; use a tile of at least " + roundUp(2 * halo[d] + alignment, alignment));
			step[d] = Math.max(alignment, (long) Math.floor(core * (1 - overlap) / alignment) * alignment);
			step[d] = Math.min(step[d], core - core % alignment);
			count[d] = imageSize[d] <= core ? 1 : ceilDiv(imageSize[d] - core, step[d]) + 1;
		}
		long total = 1;
		for (long c : count) total = Math.multiplyExact(total, c);
		if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("too many tiles: " + total);
		List<Tile> tiles = new ArrayList<>((int) total);
		long[] pos = new long[n];
		for (int i = 0; i < total; i++) {
			long[] inputMin = new long[n], writeMin = new long[n], writeSize = new long[n];
			for (int d = 0; d < n; d++) {
				long coreMin = pos[d] * step[d];
				long core = tile[d] - 2 * halo[d];
				inputMin[d] = coreMin - halo[d];
				writeMin[d] = coreMin;
				// without blending each pixel is written once: a tile writes up to the next tile's core
				long extent = overlap > 0 || pos[d] == count[d] - 1 ? core : step[d];
				writeSize[d] = Math.min(coreMin + extent, imageSize[d]) - coreMin;
			}
			tiles.add(new Tile(i, inputMin, writeMin, writeSize));
			for (int d = 0; d < n; d++) {
				if (++pos[d] < count[d]) break;
				pos[d] = 0;
			}
		}
		return new TilePlan(imageSize.clone(), tile, halo.clone(), step, overlap, Collections.unmodifiableList(tiles));
	}

	/**
	 * One tile covering the whole image mirror-padded by {@code halo}: the reference that tiled
	 * predictions are compared with, and the fastest plan for images that fit in memory at once.
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]}, each &gt;= 1
	 * @param halo mirror padding per side and axis, in pixels
	 * @param alignment the network's downsampling factor
	 * @return a plan of one tile of size {@code roundUp(imageSize + 2 * halo, alignment)}
	 */
	public static TilePlan whole(long[] imageSize, long[] halo, int alignment) {
		long[] tile = new long[imageSize.length];
		for (int d = 0; d < tile.length; d++) tile[d] = roundUp(imageSize[d] + 2 * halo[d], alignment);
		return create(imageSize, tile, halo, 0, alignment);
	}

	/** @return number of spatial axes */
	public int numDimensions() {
		return imageSize.length;
	}

	/** @return the core size per axis: {@code tileSize - 2 * halo}, in pixels */
	public long[] coreSize() {
		long[] c = new long[tileSize.length];
		for (int d = 0; d < c.length; d++) c[d] = tileSize[d] - 2 * halo[d];
		return c;
	}

	/** @return pixels in one tile (network input block) */
	public long tileVoxels() {
		long v = 1;
		for (long t : tileSize) v *= t;
		return v;
	}

	/**
	 * Ratio of pixels the network computes to pixels of the image: 1 means no waste, a halo and
	 * overlap make it larger.
	 *
	 * @return {@code tiles * tileVoxels / imageVoxels}
	 */
	public double computeOverhead() {
		long img = 1;
		for (long s : imageSize) img *= s;
		return (double) tiles.size() * tileVoxels() / img;
	}

	/**
	 * @return true when the plan was made with {@code overlap > 0}: written blocks of neighbours overlap
	 *     and are blended with a {@link GaussianWindow}; false when every pixel is written by one tile
	 */
	public boolean blends() {
		return overlap > 0;
	}

	static long roundUp(long v, long m) {
		return ceilDiv(v, m) * m;
	}

	private static long ceilDiv(long a, long b) {
		return (a + b - 1) / b;
	}
}
