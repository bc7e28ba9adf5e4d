package io.github.unetseg.tiling;

import java.util.Arrays;

import net.imglib2.FinalInterval;
import net.imglib2.Interval;
import net.imglib2.util.Intervals;

/**
 * One tile of a {@link TilePlan}: the block that the network sees ({@link #input()}) and the block of
 * its output that is written into the stitched result ({@link #write()}), as ImgLib2 intervals.
 *
 * <p>All coordinates are spatial, in pixels, axis order {@code [x, y(, z)]}, relative to the image
 * origin. The input interval may start at negative coordinates and extend past the image: those pixels
 * come from mirror padding (or, with {@link TilePlan.Border#SAME}, the network's own zero padding when
 * the tile ends at the image border). The write interval always lies inside the image and inside the
 * input interval.
 *
 * @param index position of the tile in {@link TilePlan#tiles()}
 * @param input the network input block; its size is {@link TilePlan#tileSize()}
 * @param write the block of the output written to the image
 */
public record Tile(int index, Interval input, Interval write) {

	/**
	 * @throws IllegalArgumentException if the intervals differ in dimensionality or the write block is
	 *     not inside the input block
	 */
	public Tile {
		if (input.numDimensions() != write.numDimensions())
			throw new IllegalArgumentException("input and write intervals need the same axes");
		if (!Intervals.contains(input, write)) throw new IllegalArgumentException("the write block must lie inside the input block");
		input = new FinalInterval(input);
		write = new FinalInterval(write);
	}

	/**
	 * A tile from the first pixel of its input block, its size, and its write block.
	 *
	 * @param index position in the plan
	 * @param inputMin first pixel of the network input block {@code [x, y(, z)]}
	 * @param tileSize size of the network input block
	 * @param writeMin first pixel of the written block
	 * @param writeSize size of the written block, each &gt;= 1
	 * @return the tile
	 */
	public static Tile of(int index, long[] inputMin, long[] tileSize, long[] writeMin, long[] writeSize) {
		return new Tile(index, FinalInterval.createMinSize(concat(inputMin, tileSize)), FinalInterval.createMinSize(concat(writeMin,
			writeSize)));
	}

	private static long[] concat(long[] a, long[] b) {
		long[] c = Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, c, a.length, b.length);
		return c;
	}

	/** @return first pixel of the network input block {@code [x, y(, z)]}; may be negative */
	public long[] inputMin() {
		return input.minAsLongArray();
	}

	/** @return first pixel of the written block {@code [x, y(, z)]}, inside the image */
	public long[] writeMin() {
		return write.minAsLongArray();
	}

	/** @return size of the written block {@code [x, y(, z)]}, each &gt;= 1 */
	public long[] writeSize() {
		return write.dimensionsAsLongArray();
	}

	/** @return offset of the written block inside the network output, per axis, in pixels */
	public long[] writeOffset() {
		long[] o = new long[input.numDimensions()];
		for (int d = 0; d < o.length; d++) o[d] = write.min(d) - input.min(d);
		return o;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Tile t && t.index == index && Intervals.equals(t.input, input) && Intervals.equals(t.write, write);
	}

	@Override
	public int hashCode() {
		return 31 * (31 * index + Arrays.hashCode(input.minAsLongArray()) + Arrays.hashCode(input.maxAsLongArray())) +
			Arrays.hashCode(write.minAsLongArray()) + Arrays.hashCode(write.maxAsLongArray());
	}

	@Override
	public String toString() {
		return "Tile#" + index + "(input " + Intervals.toString(input) + ", writes " + Intervals.toString(write) + ")";
	}
}
