package io.github.unetseg.tiling;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.FloatAccess;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Fraction;
import net.imglib2.view.Views;

/**
 * The network output of one tile, as {@link TiledInference} hands it to a {@link TileSink}: the values
 * of the tile's input block in the network's layout {@code [(z,) y, x, channel]} (row-major, channel
 * fastest), found at {@link #index} in a batch's output array, or as an ImgLib2 view {@code [x, y(, z),
 * channel]} in image coordinates ({@link #view()}). The array is the batch's: it is shared, not copied,
 * and must not be changed.
 */
public final class TileOutput {

	private final Tile tile;
	private final long[] tileSize;
	private final int channels;
	private final float[] data;
	private final int offset;

	/**
	 * @param tile the tile
	 * @param tileSize the plan's tile size {@code [x, y(, z)]} (the input block's size)
	 * @param channels output channels, &gt;= 1
	 * @param data the batch's output
	 * @param offset index of the tile's first value in {@code data}
	 * @throws IllegalArgumentException if the tile's values do not fit in {@code data} from {@code offset}
	 */
	public TileOutput(Tile tile, long[] tileSize, int channels, float[] data, int offset) {
		long n = channels;
		for (long s : tileSize) n *= s;
		if (channels < 1 || offset < 0 || offset + n > data.length)
			throw new IllegalArgumentException("the tile's " + n + " values do not fit in " + data.length + " from " + offset);
		this.tile = tile;
		this.tileSize = tileSize.clone();
		this.channels = channels;
		this.data = data;
		this.offset = offset;
	}

	/** @return the tile */
	public Tile tile() {
		return tile;
	}

	/** @return output channels (1 for a binary sigmoid model) */
	public int channels() {
		return channels;
	}

	/** @return the batch's output array holding this tile from {@link #offset()}; do not change it */
	public float[] data() {
		return data;
	}

	/** @return index of the tile's first value in {@link #data()} */
	public int offset() {
		return offset;
	}

	/** @return the tile size {@code [x, y(, z)]} */
	public long[] tileSize() {
		return tileSize.clone();
	}

	/**
	 * The network layout, written once for every sink: index in {@link #data()} of channel 0 at a
	 * position of the input block.
	 *
	 * @param x position inside the input block, from 0
	 * @param y position inside the input block, from 0
	 * @param z position inside the input block, from 0 (0 in 2D)
	 * @return {@code offset + ((z * tileY + y) * tileX + x) * channels}
	 */
	public int index(long x, long y, long z) {
		return (int) (offset + ((z * tileSize[1] + y) * tileSize[0] + x) * channels);
	}

	/**
	 * @return the output as a view {@code [x, y(, z), channel]} over the tile's input block in image
	 *     coordinates (channel axis from 0), without copying
	 */
	public RandomAccessibleInterval<FloatType> view() {
		int n = tileSize.length;
		long[] dims = new long[n + 1];
		dims[0] = channels;
		System.arraycopy(tileSize, 0, dims, 1, n);
		ArrayImg<FloatType, FloatAccess> img = new ArrayImg<>(new Offset(data, offset), dims, new Fraction());
		img.setLinkedType(new FloatType(img));
		long[] min = new long[n + 1];
		System.arraycopy(tile.inputMin(), 0, min, 0, n);
		return Views.translate(Views.moveAxis(img, 0, n), min);
	}

	/** The batch's array read from the tile's offset. */
	private record Offset(float[] data, int offset) implements FloatAccess {

		@Override
		public float getValue(int index) {
			return data[offset + index];
		}

		@Override
		public void setValue(int index, float value) {
			throw new UnsupportedOperationException("a tile's network output is read-only");
		}
	}
}
