package io.github.unetseg.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.github.unetseg.tiling.TilePlan;

class AutoTileTest {

	static double voxels(TilePlan p) {
		return p.tiles().size() * (double) p.tileVoxels();
	}

	@Test
	void chosenTilesComputeFewerPixelsThanTheModelTileWithinTheMemoryCap() {
		long[][][] cases = { { { 256, 256, 128 }, { 128, 128, 128 }, { 23, 23, 23 } }, { { 2048, 2048 }, { 512, 512 }, { 51, 51 } },
			{ { 181, 217 }, { 512, 512 }, { 51, 51 } }, { { 61, 130, 97 }, { 96, 96, 96 }, { 23, 23, 23 } } };
		for (long[][] c : cases) {
			int a = c[0].length == 3 ? 4 : 8;
			long[] auto = SegmentationService.autoTile(c[0], c[1], c[2], a, 0);
			TilePlan def = TilePlan.create(c[0], c[1], c[2], 0, a), best = TilePlan.create(c[0], auto, c[2], 0, a);
			double cap = 1.5;
			for (long t : c[1]) cap *= t;
			assertTrue(best.tileVoxels() <= cap, "memory cap");
			assertTrue(voxels(best) <= voxels(def), java.util.Arrays.toString(auto) + " vs model tile");
			for (long t : auto) assertTrue(t % a == 0);
		}
		// 256 x 256 x 128 with halo 23: two tiles of 176 per x/y axis and one in z beat 4 x 4 x 2 tiles of 128
		long[] t = SegmentationService.autoTile(new long[] { 256, 256, 128 }, new long[] { 128, 128, 128 }, new long[] { 23, 23, 23 }, 4, 0);
		TilePlan p = TilePlan.create(new long[] { 256, 256, 128 }, t, new long[] { 23, 23, 23 }, 0, 4);
		assertTrue(p.computeOverhead() < 4, "overhead " + p.computeOverhead() + " with " + java.util.Arrays.toString(t));
	}

	@Test
	void aLargerMemoryBudgetAllowsOneTileForTheWholeVolume() {
		long[] t = SegmentationService.autoTile(new long[] { 256, 256, 128 }, new long[] { 128, 128, 128 }, new long[] { 23, 23, 23 }, 4,
			20e6);
		TilePlan p = TilePlan.create(new long[] { 256, 256, 128 }, t, new long[] { 23, 23, 23 }, 0, 4);
		assertEquals(1, p.tiles().size(), java.util.Arrays.toString(t));
		assertTrue(p.computeOverhead() < 2, "overhead " + p.computeOverhead());
		assertTrue(p.tileVoxels() <= 20e6);
	}

	@Test
	void smallImagesGetOneTileOfTheirOwnSize() {
		long[] t = SegmentationService.autoTile(new long[] { 181, 217 }, new long[] { 512, 512 }, new long[] { 51, 51 }, 8, 0);
		assertArrayEquals(new long[] { 288, 320 }, TilePlan.create(new long[] { 181, 217 }, t, new long[] { 51, 51 }, 0, 8).tileSize());
	}
}
