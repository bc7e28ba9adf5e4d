package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * The streaming core (tile reading from a lazy image, batched prediction, the band of blended sums) on an
 * image of more than 2<sup>31</sup> voxels: 512 x 512 x 8200 = 2.15 x 10<sup>9</sup> voxels of a
 * procedural lazy cell image (no file), a stand-in network that returns its input, overlap blending along z.
 * Every plane arrives once and in order, and planes on both sides of the 2<sup>31</sup>-voxel mark equal the
 * procedural values. Slow (about a minute on 2 cores): tagged {@code slow}.
 */
@Tag("slow")
class BeyondTwoGigavoxelsTest {

	static final int X = 512, Y = 512, Z = 8200;

	/** The voxel value at (x, y, z), 0..255. */
	static int value(long x, long y, long z) {
		return (int) ((x + 3 * y + 7 * z) & 255);
	}

	/** A single-channel identity network: the probability is the normalised input. */
	record Identity() implements TileModel {
		@Override
		public int inputChannels() {
			return 1;
		}

		@Override
		public int outputChannels() {
			return 1;
		}

		@Override
		public float[] predict(float[] input, int batch, long[] tileSize) {
			return input.clone();
		}
	}

	@Test
	void planesBeyondTheTwoGigavoxelMarkAreRight() {
		CellGrid grid = new CellGrid(new long[] { X, Y, Z, 1 }, new int[] { X, Y, 16, 1 });
		LazyCellImg<UnsignedByteType, ByteArray> img = new LazyCellImg<>(grid, new UnsignedByteType(), index -> {
			long[] min = new long[4];
			int[] dims = new int[4];
			grid.getCellDimensions(index, min, dims);
			byte[] b = new byte[dims[0] * dims[1] * dims[2]];
			int i = 0;
			for (int z = 0; z < dims[2]; z++)
				for (int y = 0; y < dims[1]; y++)
					for (int x = 0; x < dims[0]; x++) b[i++] = (byte) value(x, y, min[2] + z);
			return new Cell<>(dims, min, new ByteArray(b));
		});
		Volume<UnsignedByteType> volume = new Volume<>(img, Calibration.uncalibrated(3));
		assertTrue(volume.voxelCount() > Integer.MAX_VALUE, volume.voxelCount() + " voxels");
		TilePlan plan = TilePlan.create(volume.spatialSize(), new long[] { X, Y, 32 }, new long[] { 0, 0, 4 }, 0.25, 8, TilePlan.Border.MIRROR);
		assertTrue(plan.blends());
		// planes around the 2^31-voxel mark (z = 8192 starts at voxel 2^31) and at both ends
		List<Long> checked = new ArrayList<>();
		long[] next = { 0 };
		BandStitcher band = new BandStitcher(plan, 1, (z, p) -> {
			assertEquals(next[0]++, z);
			if (z == 0 || z == 4000 || z == 8191 || z == 8192 || z == Z - 1) {
				for (int y = 0; y < Y; y += 7)
					for (int x = 0; x < X; x += 5)
						assertEquals(value(x, y, z) / 255f, p[y * X + x], 1e-6f, "plane " + z + " at " + x + ", " + y);
				checked.add(z);
			}
		});
		TiledInference.runInto(volume, new double[] { 1 / 255.0 }, new double[] { 0 }, new Identity(), plan, 2, ProgressListener.NONE, band);
		band.finish();
		assertEquals(Z, next[0], "every plane once");
		assertEquals(List.of(0L, 4000L, 8191L, 8192L, (long) Z - 1), checked);
	}
}
