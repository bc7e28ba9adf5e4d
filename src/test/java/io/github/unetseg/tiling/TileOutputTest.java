package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;

/** A tile's network output read through the layout helper and as an ImgLib2 view in image coordinates. */
class TileOutputTest {

	@Test
	void theViewIsTheNetworkLayoutInImageCoordinates() {
		long[] tileSize = { 4, 3, 2 };
		int channels = 2, offset = 7;
		Tile tile = Tile.of(5, new long[] { -1, 10, 20 }, tileSize, new long[] { 0, 11, 20 }, new long[] { 2, 1, 2 });
		float[] batch = new float[offset + 4 * 3 * 2 * channels + 3];
		for (int i = 0; i < batch.length; i++) batch[i] = i;
		TileOutput out = new TileOutput(tile, tileSize, channels, batch, offset);
		RandomAccessibleInterval<FloatType> v = out.view();
		assertArrayEquals(new long[] { -1, 10, 20, 0 }, v.minAsLongArray());
		assertArrayEquals(new long[] { 4, 3, 2, 2 }, v.dimensionsAsLongArray());
		RandomAccess<FloatType> ra = v.randomAccess();
		for (long z = 0; z < 2; z++)
			for (long y = 0; y < 3; y++)
				for (long x = 0; x < 4; x++)
					for (int c = 0; c < channels; c++) {
						ra.setPosition(new long[] { x - 1, y + 10, z + 20, c });
						// network layout [z, y, x, channel], channel fastest
						float expected = offset + ((z * 3 + y) * 4 + x) * channels + c;
						assertEquals(expected, ra.get().get(), "x" + x + " y" + y + " z" + z + " c" + c);
						assertEquals(expected, batch[out.index(x, y, z) + c]);
					}
		assertThrows(IllegalArgumentException.class, () -> new TileOutput(tile, tileSize, channels, new float[10], 0));
	}

	@Test
	void tilesAreIntervalsWithTheWriteBlockInsideTheInput() {
		Tile t = Tile.of(0, new long[] { -3, 0 }, new long[] { 16, 16 }, new long[] { 0, 2 }, new long[] { 10, 12 });
		assertArrayEquals(new long[] { -3, 0 }, t.input().minAsLongArray());
		assertArrayEquals(new long[] { 12, 15 }, t.input().maxAsLongArray());
		assertArrayEquals(new long[] { 3, 2 }, t.writeOffset());
		assertEquals(t, Tile.of(0, new long[] { -3, 0 }, new long[] { 16, 16 }, new long[] { 0, 2 }, new long[] { 10, 12 }));
		assertThrows(IllegalArgumentException.class, () -> Tile.of(0, new long[] { 0, 0 }, new long[] { 8, 8 }, new long[] { 4, 4 },
			new long[] { 8, 8 }), "a write block beyond the input");
		assertEquals(Intervals.numElements(t.write()), 120);
	}
}
