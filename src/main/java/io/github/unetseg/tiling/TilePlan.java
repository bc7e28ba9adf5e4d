package io.github.unetseg.tiling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An N-D grid of overlapping tiles that covers an image of any size, for sliding-window inference.
 *
 * <p>Each tile is a block of {@code tileSize} pixels fed to the network. On every side that lies
 * inside the image, its outer {@code halo} pixels are context only: their predictions suffer from the
 * network's zero padding and are cropped away. The remaining <em>core</em> ({@code tileSize - 2 * halo})
 * is written into the result. Neighbouring cores overlap by the fraction {@code overlap} of the core;
 * overlapping predictions are blended with a {@link GaussianWindow}, as nnU-Net
 * ({@code sliding_window_prediction.py}) and MONAI ({@code sliding_window_inference}) do. With
 * {@code overlap = 0} every pixel is written by exactly one tile.
 *
 * <p>What the network sees at the image border is the {@link Border}: with {@link Border#MIRROR} the
 * image is mirror-padded by {@code halo}, so border pixels see a whole receptive field of (mirrored)
 * image, at the cost of computing the halo outside the image; with {@link Border#SAME} border tiles
 * end at the image border and the network's own zero ("same") padding supplies the context there, as
 * in nnU-Net and MONAI, so nothing outside the image is computed but the alignment padding.
 *
 * <p>Tile inputs start on one grid of the network's downsampling factor ({@code alignment},
 * 2<sup>depth</sup> for a U-Net): at {@code -halo} plus multiples of {@link #step()} for
 * {@code MIRROR}, at multiples of the alignment for {@code SAME}. So every tile sits on the same pooling
 * grid as the whole-image prediction ({@link #whole}) of the same border: with a halo at least as large
 * as the network's receptive-field radius, tiled and whole-image predictions are equal up to float
 * rounding. Pixels outside the image (the halo with {@code MIRROR}, the rounding up to the alignment
 * with {@code SAME}) are mirror-padded by the tile reader. A tile axis longer than needed for the image
 * is shrunk to the smallest aligned size that still covers it, so small images cost no more than one
 * tile of their own size. Creating a plan allocates only the tile list, never image data.
 *
 * @param imageSize spatial image size {@code [x, y(, z)]} in pixels, each &gt;= 1
 * @param tileSize network input size per axis in pixels, each a positive multiple of
 *     {@code alignment}
 * @param halo context cropped from each inner side of a tile per axis, in pixels, each &gt;= 0
 * @param step distance between neighbouring tile origins per axis (the last tile along an axis may
 *     be closer to its neighbour with {@code SAME}), a multiple of {@code alignment}
 * @param overlap fraction of the core shared by neighbours, in {@code [0, 1)}
 * @param border what the network sees beyond the image border
 * @param tiles all tiles, in x-fastest order
 */
public record TilePlan(long[] imageSize, long[] tileSize, long[] halo, long[] step, double overlap, Border border, List<Tile> tiles) {

	/** What a tile sees beyond the image border. */
	public enum Border {
		/**
		 * The network's own zero ("same") padding, as in nnU-Net and MONAI: border tiles end at the image
		 * border (rounded up to the alignment with mirrored pixels), so no halo outside the image is
		 * computed. The cheaper choice; pixels within a receptive field of the border see zero-padded
		 * feature maps, as at every patch border in training.
		 */
		SAME,
		/**
		 * The image mirror-padded by the halo (numpy's {@code "reflect"}, as CSBDeep): every pixel sees a
		 * whole receptive field of image or mirrored image. Costs {@code (size + 2 * halo) / size} per axis
		 * for a single tile.
		 */
		MIRROR;

		/**
		 * @param name {@code "same"} or {@code "mirror"}, any case
		 * @return the border
		 * @throws IllegalArgumentException naming the accepted values otherwise
		 */
		public static Border parse(String name) {
			for (Border b : values())
				if (b.name().equalsIgnoreCase(name.trim())) return b;
			throw new IllegalArgumentException("border must be 'same' or 'mirror', got '" + name + "'");
		}
	}

	/**
	 * Plans the tiles.
	 *
	 * @param imageSize spatial image size {@code [x, y(, z)]}, each &gt;= 1
	 * @param tileSize requested network input size per axis, each a positive multiple of
	 *     {@code alignment}; shrunk per axis where the image needs less
	 * @param halo context per side and axis, each &gt;= 0 and with {@code tileSize - 2 * halo >= alignment}
	 *     where an axis needs more than one tile
	 * @param overlap fraction of the core that neighbours share, in {@code [0, 0.9]}
	 * @param alignment the network's total downsampling factor (2<sup>depth</sup>), &gt;= 1
	 * @param border what tiles see beyond the image border
	 * @return the plan
	 * @throws IllegalArgumentException if a size is not a multiple of {@code alignment}, the core is
	 *     smaller than {@code alignment}, the axis counts differ, or {@code overlap} is out of range
	 */
	public static TilePlan create(long[] imageSize, long[] tileSize, long[] halo, double overlap, int alignment, Border border) {
		int n = imageSize.length;
		if (tileSize.length != n || halo.length != n)
			throw new IllegalArgumentException("imageSize, tileSize and halo must have the same number of axes: " +
				Arrays.toString(imageSize) + ", " + Arrays.toString(tileSize) + ", " + Arrays.toString(halo));
		if (alignment < 1) throw new IllegalArgumentException("alignment must be >= 1, got " + alignment);
		if (!(overlap >= 0 && overlap <= 0.9)) throw new IllegalArgumentException("overlap must be in [0, 0.9], got " + overlap);
		long[] tile = new long[n];
		long[] step = new long[n];
		long[][] inputStart = new long[n][], writeStart = new long[n][], writeLength = new long[n][];
		for (int d = 0; d < n; d++) {
			if (imageSize[d] < 1) throw new IllegalArgumentException("image size must be >= 1, got " + Arrays.toString(imageSize));
			if (tileSize[d] < alignment || tileSize[d] % alignment != 0)
				throw new IllegalArgumentException("tile size " + tileSize[d] + " on axis " + d + " must be a positive multiple of " +
					alignment + " (2^depth of the network)");
			if (halo[d] < 0) throw new IllegalArgumentException("halo must be >= 0, got " + Arrays.toString(halo));
			long s = imageSize[d], h = halo[d];
			long extent = border == Border.MIRROR ? roundUp(s + 2 * h, alignment) : roundUp(s, alignment);
			tile[d] = Math.min(tileSize[d], extent);
			long core = tile[d] - 2 * h;
			boolean single = border == Border.SAME && tile[d] == extent;
			if (core < alignment && !single)
				throw new IllegalArgumentException("tile size " + tileSize[d] + " leaves a core of " + core + " pixels on axis " + d +
					" after a halo of " + h + " on each side; use a tile of at least " + roundUp(2 * h + alignment, alignment));
			step[d] = single ? tile[d] : Math.max(alignment, (long) Math.floor(core * (1 - overlap) / alignment) * alignment);
			if (!single) step[d] = Math.min(step[d], core - core % alignment);
			// per tile along this axis: where its input starts and which part of its output is kept
			long[] keepLo, keepHi;
			if (border == Border.MIRROR) {
				int count = (int) (s <= core ? 1 : ceilDiv(s - core, step[d]) + 1);
				inputStart[d] = new long[count];
				keepLo = new long[count];
				keepHi = new long[count];
				for (int k = 0; k < count; k++) {
					inputStart[d][k] = k * step[d] - h;
					keepLo[k] = k * step[d];
					keepHi[k] = Math.min(k * step[d] + core, s);
				}
			}
			else {
				// the last tile ends at the aligned image end; the ones before it advance by step
				int count = 1;
				if (!single) {
					count = 2;
					while ((count - 2) * step[d] + core < extent - tile[d]) count++;
				}
				inputStart[d] = new long[count];
				keepLo = new long[count];
				keepHi = new long[count];
				for (int k = 0; k < count; k++) {
					inputStart[d][k] = k == count - 1 ? extent - tile[d] : k * step[d];
					keepLo[k] = k == 0 ? 0 : inputStart[d][k] + h;
					keepHi[k] = k == count - 1 ? s : inputStart[d][k] + tile[d] - h;
				}
			}
			int count = inputStart[d].length;
			writeStart[d] = keepLo;
			writeLength[d] = new long[count];
			for (int k = 0; k < count; k++)
				// without blending each pixel is written once: a tile writes up to where the next one's core starts
				writeLength[d][k] = (overlap > 0 || k == count - 1 ? keepHi[k] : keepLo[k + 1]) - keepLo[k];
		}
		long total = 1;
		for (long[] starts : inputStart) total = Math.multiplyExact(total, starts.length);
		if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("too many tiles: " + total);
		List<Tile> tiles = new ArrayList<>((int) total);
		int[] pos = new int[n];
		for (int i = 0; i < total; i++) {
			long[] inputMin = new long[n], writeMin = new long[n], writeSize = new long[n];
			for (int d = 0; d < n; d++) {
				inputMin[d] = inputStart[d][pos[d]];
				writeMin[d] = writeStart[d][pos[d]];
				writeSize[d] = writeLength[d][pos[d]];
			}
			tiles.add(Tile.of(i, inputMin, tile, writeMin, writeSize));
			for (int d = 0; d < n; d++) {
				if (++pos[d] < inputStart[d].length) break;
				pos[d] = 0;
			}
		}
		return new TilePlan(imageSize.clone(), tile, halo.clone(), step, overlap, border, Collections.unmodifiableList(tiles));
	}

	/**
	 * One tile covering the whole image: the reference that tiled predictions of the same border are
	 * compared with, and the fastest plan for images that fit in memory at once.
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]}, each &gt;= 1
	 * @param halo mirror padding per side and axis with {@link Border#MIRROR}, in pixels
	 * @param alignment the network's downsampling factor
	 * @param border what the tile sees beyond the image border
	 * @return a plan of one tile of size {@code roundUp(imageSize + 2 * halo, alignment)} ({@code MIRROR})
	 *     or {@code roundUp(imageSize, alignment)} ({@code SAME})
	 */
	public static TilePlan whole(long[] imageSize, long[] halo, int alignment, Border border) {
		long[] tile = new long[imageSize.length];
		for (int d = 0; d < tile.length; d++)
			tile[d] = roundUp(imageSize[d] + (border == Border.MIRROR ? 2 * halo[d] : 0), alignment);
		return create(imageSize, tile, halo, 0, alignment, border);
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

	/**
	 * The size of the blending window ({@link GaussianWindow}) per axis: the core, or 1 on an axis the
	 * plan covers with one tile whose core is empty ({@link Border#SAME} on an image thinner than two
	 * halos: that tile writes the whole axis, every voxel's weight along it comes from the same tile, so
	 * any positive window size gives the same blend).
	 *
	 * @return per axis {@code max(1, tileSize - 2 * halo)}, in pixels
	 */
	public long[] windowSize() {
		long[] c = coreSize();
		for (int d = 0; d < c.length; d++) c[d] = Math.max(1, c[d]);
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
