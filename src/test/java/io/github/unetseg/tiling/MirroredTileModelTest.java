package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Test-time mirroring: tiles mirrored and back, and the mean over the mirrorings of a network with a known answer. */
class MirroredTileModelTest {

	/** A stand-in network whose output does not depend on the input: channel c holds the voxel's coordinate along axis c. */
	static final class Coordinates implements TileModel {
		final int dims;
		int runs;

		Coordinates(int dims) {
			this.dims = dims;
		}

		@Override
		public int inputChannels() {
			return 1;
		}

		@Override
		public int outputChannels() {
			return dims;
		}

		@Override
		public float[] predict(float[] input, int batch, long[] tileSize) {
			runs++;
			int nx = (int) tileSize[0], ny = (int) tileSize[1], nz = dims == 3 ? (int) tileSize[2] : 1;
			float[] out = new float[batch * nx * ny * nz * dims];
			int o = 0;
			for (int b = 0; b < batch; b++)
				for (int z = 0; z < nz; z++)
					for (int y = 0; y < ny; y++)
						for (int x = 0; x < nx; x++) {
							out[o++] = x;
							out[o++] = y;
							if (dims == 3) out[o++] = z;
						}
			return out;
		}
	}

	/** A stand-in network with sided classes: class 1 (a right organ) on the low half of y, class 2 (the left one) on the high half. */
	static final class Sided implements TileModel {

		@Override
		public int inputChannels() {
			return 1;
		}

		@Override
		public int outputChannels() {
			return 3;
		}

		@Override
		public float[] predict(float[] input, int batch, long[] tileSize) {
			int nx = (int) tileSize[0], ny = (int) tileSize[1], nz = (int) tileSize[2];
			float[] out = new float[batch * nx * ny * nz * 3];
			for (int b = 0, v = 0; b < batch; b++)
				for (int z = 0; z < nz; z++)
					for (int y = 0; y < ny; y++)
						for (int x = 0; x < nx; x++, v++) out[v * 3 + (y < ny / 2 ? 1 : 2)] = 1;
			return out;
		}
	}

	@Test
	void mirroringTheLeftRightAxisSwapsPairedClassesBack() {
		long[] size = { 3, 4, 2 };
		Sided net = new Sided();
		float[] direct = net.predict(new float[24], 1, size);
		// mirrored along y (the left-right axis) with classes 1 and 2 swapped back: the same as the direct run
		float[] swapped = new MirroredTileModel(net, new boolean[] { false, true, false }, 1, new int[] { 0, 2, 1 }).predict(new float[24], 1,
			size);
		assertArrayEquals(direct, swapped);
		// without the swap the two runs disagree everywhere: 0.5 for both sided classes
		float[] plain = new MirroredTileModel(net, new boolean[] { false, true, false }).predict(new float[24], 1, size);
		for (int v = 0; v < 24; v++) {
			assertEquals(0.5f, plain[v * 3 + 1]);
			assertEquals(0.5f, plain[v * 3 + 2]);
		}
		// a run mirrored along another axis only is not swapped: mirrored along x and y, 4 runs, still the direct answer
		assertArrayEquals(direct, new MirroredTileModel(net, new boolean[] { true, true, false }, 1, new int[] { 0, 2, 1 }).predict(
			new float[24], 1, size));
		assertThrows(IllegalArgumentException.class, () -> new MirroredTileModel(net, new boolean[] { false, true, false }, 1, new int[] { 0, 1 }));
	}

	@Test
	void aMirroredTileHasItsValuesAtTheMirroredPositionsAndMirroringTwiceGivesItBack() {
		long[] size = { 3, 2, 2 };
		int channels = 2, batch = 2;
		float[] tiles = new float[batch * 12 * channels];
		for (int i = 0; i < tiles.length; i++) tiles[i] = i;
		// mirrored along x and z: value at (b, z, y, x, c) = original at (b, 1 - z, y, 2 - x, c)
		float[] m = MirroredTileModel.mirror(tiles, batch, size, channels, 1 | 4);
		for (int b = 0; b < batch; b++)
			for (int z = 0; z < 2; z++)
				for (int y = 0; y < 2; y++)
					for (int x = 0; x < 3; x++)
						for (int c = 0; c < channels; c++)
							assertEquals(tiles[((((b * 2 + 1 - z) * 2 + y) * 3) + 2 - x) * channels + c], m[((((b * 2 + z) * 2 + y) * 3) + x) * channels + c]);
		for (int flips = 0; flips < 8; flips++)
			assertArrayEquals(tiles, MirroredTileModel.mirror(MirroredTileModel.mirror(tiles, batch, size, channels, flips), batch, size, channels,
				flips), "flips " + flips);
	}

	@Test
	void theMeanOverTheMirroringsOfAMirroredAxisIsItsCentreAndAnAxisLeftAloneKeepsItsCoordinates() {
		// 3D, mirrored along x and z but not y (a model's left-right axis): 4 runs; the coordinate along x averages to (nx - 1) / 2
		Coordinates net = new Coordinates(3);
		long[] size = { 5, 4, 6 };
		float[] out = new MirroredTileModel(net, new boolean[] { true, false, true }).predict(new float[2 * 120], 2, size);
		assertEquals(4, net.runs);
		int o = 0;
		for (int b = 0; b < 2; b++)
			for (int z = 0; z < 6; z++)
				for (int y = 0; y < 4; y++)
					for (int x = 0; x < 5; x++) {
						assertEquals(2.0f, out[o++], 1e-6f);
						assertEquals(y, out[o++], 1e-6f);
						assertEquals(2.5f, out[o++], 1e-6f);
					}
		Coordinates flat = new Coordinates(2);
		float[] two = new MirroredTileModel(flat, new boolean[] { true, true }).predict(new float[7 * 3], 1, new long[] { 7, 3 });
		assertEquals(4, flat.runs);
		for (int i = 0; i < 21; i++) {
			assertEquals(3.0f, two[2 * i], 1e-6f);
			assertEquals(1.0f, two[2 * i + 1], 1e-6f);
		}
		assertThrows(IllegalArgumentException.class, () -> new MirroredTileModel(flat, new boolean[] { false, false }));
	}
}
