package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.testutil.Images;

/**
 * {@link BandStitcher} gives the in-memory {@link Stitcher}'s probabilities bit for bit, plane by plane in
 * order, with and without overlap blending and for both border modes, while holding one tile's depth of planes.
 */
class BandStitcherTest {

	@Test
	void planesEqualTheWholeStitchBitForBit() {
		long[] size = { 37, 29, 51 };
		for (double overlap : new double[] { 0, 0.25, 0.5 })
			for (TilePlan.Border border : TilePlan.Border.values()) {
				TilePlan plan = TilePlan.create(size, new long[] { 16, 16, 16 }, new long[] { 3, 3, 3 }, overlap, 8, border);
				int channels = 3;
				Stitcher whole = new Stitcher(plan, channels);
				float[] band = new float[(int) (size[0] * size[1] * size[2] * channels)];
				long[] next = { 0 };
				int pv = (int) (size[0] * size[1]);
				BandStitcher b = new BandStitcher(plan, channels, (z, p) -> {
					assertEquals(next[0]++, z, "planes in order");
					for (int c = 0; c < channels; c++) System.arraycopy(p, c * pv, band, (int) ((c * size[2] + z) * pv), pv);
				});
				Random r = new Random(7);
				for (Tile t : plan.tiles()) {
					float[] data = new float[16 * 16 * 16 * channels];
					for (int i = 0; i < data.length; i++) data[i] = r.nextFloat();
					TileOutput out = new TileOutput(t, plan.tileSize(), channels, data, 0);
					whole.add(out);
					b.add(out);
				}
				b.finish();
				assertEquals(size[2], next[0], "every plane handed on");
				float[] expected = Images.toFloats(whole.finish(0.5, Calibration.uncalibrated(3)).probabilities().image());
				assertArrayEquals(expected, band, "overlap " + overlap + ", border " + border);
				assertTrue(plan.tiles().size() > 8);
			}
	}

	@Test
	void blendingOverAnAxisThinnerThanTwoHalosIsTheTilesOwnValues() {
		// border SAME, z = 40 with halo 23: one tile along z whose core (40 - 46) is empty; x and y blend two tiles
		long[] size = { 70, 80, 40 };
		TilePlan plan = TilePlan.create(size, new long[] { 64, 64, 64 }, new long[] { 23, 23, 23 }, 0.25, 4, TilePlan.Border.SAME);
		assertEquals(40, plan.tileSize()[2]);
		assertEquals(1, plan.windowSize()[2]);
		assertTrue(plan.tiles().size() > 1 && plan.blends());
		Stitcher whole = new Stitcher(plan, 1);
		float[] band = new float[70 * 80 * 40];
		BandStitcher b = new BandStitcher(plan, 1, (z, p) -> System.arraycopy(p, 0, band, (int) (z * 70 * 80), 70 * 80));
		for (Tile t : plan.tiles()) {
			// every tile predicts 0.25 + z / 100 at each voxel: blending must give exactly that back
			float[] data = new float[64 * 64 * 40];
			for (int i = 0; i < data.length; i++) data[i] = 0.25f + (i / (64 * 64)) / 100f;
			TileOutput out = new TileOutput(t, plan.tileSize(), 1, data, 0);
			whole.add(out);
			b.add(out);
		}
		b.finish();
		float[] stitched = Images.toFloats(whole.finish(0.5, Calibration.uncalibrated(3)).probabilities().image());
		for (int i = 0; i < stitched.length; i++) {
			float expected = 0.25f + (i / (70 * 80)) / 100f;
			assertEquals(expected, stitched[i], 1e-6, "voxel " + i);
			assertEquals(stitched[i], band[i], 0, "band voxel " + i);
		}
	}

	@Test
	void rowsOfA2dImageEqualTheWholeStitch() {
		long[] size = { 45, 61 };
		for (double overlap : new double[] { 0, 0.25 }) {
			TilePlan plan = TilePlan.create(size, new long[] { 24, 16 }, new long[] { 4, 4 }, overlap, 8, TilePlan.Border.SAME);
			Stitcher whole = new Stitcher(plan, 2);
			float[] rows = new float[45 * 61 * 2];
			long[] next = { 0 };
			BandStitcher b = new BandStitcher(plan, 2, (y, p) -> {
				assertEquals(next[0]++, y, "rows in order");
				for (int c = 0; c < 2; c++) System.arraycopy(p, c * 45, rows, (int) ((c * 61 + y) * 45), 45);
			});
			Random r = new Random(3);
			for (Tile t : plan.tiles()) {
				float[] data = new float[24 * 16 * 2];
				for (int i = 0; i < data.length; i++) data[i] = r.nextFloat();
				TileOutput out = new TileOutput(t, plan.tileSize(), 2, data, 0);
				whole.add(out);
				b.add(out);
			}
			b.finish();
			assertEquals(61, next[0]);
			assertArrayEquals(Images.toFloats(whole.finish(0.5, Calibration.uncalibrated(2)).probabilities().image()), rows, "overlap " + overlap);
		}
	}

	/** A sink that keeps every plane of a labels-only stitcher. */
	static BandStitcher.PlaneSink labelSink(byte[] all, int planeVoxels, long[] next) {
		return new BandStitcher.PlaneSink() {
			@Override
			public void plane(long z, float[] probabilities) {
				throw new AssertionError("probabilities from a labels-only stitcher");
			}

			@Override
			public void labels(long z, byte[] labels) {
				assertEquals(next[0]++, z, "planes in order");
				System.arraycopy(labels, 0, all, (int) (z * planeVoxels), planeVoxels);
			}
		};
	}

	@Test
	void labelsOnlyBandsGiveTheLabelsOfTheWholeStitch() {
		for (int channels : new int[] { 1, 3 })
			for (long[] size : new long[][] { { 37, 29, 51 }, { 45, 61 } }) {
				int n = size.length;
				long[] tile = n == 3 ? new long[] { 16, 16, 16 } : new long[] { 24, 16 }, halo = n == 3 ? new long[] { 3, 3, 3 } : new long[] { 4, 4 };
				TilePlan plan = TilePlan.create(size, tile, halo, 0, 8, TilePlan.Border.SAME);
				Stitcher whole = new Stitcher(plan, channels);
				int pv = (int) (size[0] * size[1]), planes = (int) (n == 3 ? size[2] : size[1]), rowOrPlane = n == 3 ? pv : (int) size[0];
				byte[] labels = new byte[pv * (n == 3 ? (int) size[2] : 1)];
				long[] next = { 0 };
				BandStitcher b = BandStitcher.labelsOnly(plan, channels, 0.5, labelSink(labels, rowOrPlane, next));
				Random r = new Random(11);
				int tileVoxels = (int) plan.tileVoxels();
				for (Tile t : plan.tiles()) {
					float[] data = new float[tileVoxels * channels];
					for (int i = 0; i < data.length; i++) data[i] = r.nextInt(5) / 4f; // ties and values at the threshold
					TileOutput out = new TileOutput(t, plan.tileSize(), channels, data, 0);
					whole.add(out);
					b.add(out);
				}
				b.finish();
				assertEquals(planes, next[0], "every plane handed on");
				float[] expected = Images.toFloats(whole.finish(0.5, Calibration.uncalibrated(n)).labels().image());
				float[] got = new float[labels.length];
				for (int i = 0; i < got.length; i++) got[i] = labels[i];
				assertArrayEquals(expected, got, channels + " channel(s), " + n + "D");
			}
		TilePlan blending = TilePlan.create(new long[] { 45, 61 }, new long[] { 24, 16 }, new long[] { 4, 4 }, 0.25, 8, TilePlan.Border.SAME);
		org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
			() -> BandStitcher.labelsOnly(blending, 1, 0.5, labelSink(new byte[1], 1, new long[1])));
	}
}
