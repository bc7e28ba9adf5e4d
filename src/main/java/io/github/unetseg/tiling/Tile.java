package io.github.unetseg.tiling;

import java.util.Arrays;

/**
 * One tile of a {@link TilePlan}: the block that the network sees and the block of its output that
 * is written into the stitched result.
 *
 * <p>All coordinates are spatial, in pixels, axis order {@code [x, y(, z)]}, relative to the image
 * origin. {@code inputMin} may be negative and the input block may extend past the image: those
 * pixels come from mirror padding. The write block always lies inside the image.
 *
 * @param index position of the tile in {@link TilePlan#tiles()}
 * @param inputMin first pixel of the network input block; its size is {@link TilePlan#tileSize()}
 * @param writeMin first pixel of the output block written to the image
 * @param writeSize size of that block, each &gt;= 1
 */
public record Tile(int index, long[] inputMin, long[] writeMin, long[] writeSize) {

	/** @return offset of the written block inside the network output, per axis, in pixels */
	public long[] writeOffset() {
		long[] o = new long[inputMin.length];
		for (int d = 0; d < o.length; d++) o[d] = writeMin[d] - inputMin[d];
		return o;
	}

	@Override
	public String toString() {
		return "Tile#" + index + "(input at " + Arrays.toString(inputMin) + ", writes " + Arrays.toString(writeMin) + " + " +
			Arrays.toString(writeSize) + ")";
	}
}
