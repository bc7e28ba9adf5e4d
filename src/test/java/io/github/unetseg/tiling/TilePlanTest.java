package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TilePlanTest {

	private static int[] coverage(TilePlan plan) {
		long[] s = plan.imageSize();
		int n = 1;
		for (long v : s) n *= (int) v;
		int[] count = new int[n];
		for (Tile t : plan.tiles()) {
			long[] m = t.writeMin(), w = t.writeSize();
			long zMax = s.length == 3 ? w[2] : 1;
			for (long z = 0; z < zMax; z++)
				for (long y = 0; y < w[1]; y++)
					for (long x = 0; x < w[0]; x++) {
						long zz = s.length == 3 ? m[2] + z : 0;
						assertTrue(m[0] + x < s[0] && m[1] + y < s[1] && zz < (s.length == 3 ? s[2] : 1), "write inside image");
						count[(int) (((zz * s[1]) + m[1] + y) * s[0] + m[0] + x)]++;
					}
		}
		return count;
	}

	@ParameterizedTest
	@CsvSource({ "517,389,128,16", "517,389,64,0", "7,5,64,16", "256,256,128,32", "1,1,16,0", "1000,3,96,8" })
	void withoutOverlapEveryPixelIsWrittenOnce(long x, long y, long tile, long halo) {
		TilePlan plan = TilePlan.create(new long[] { x, y }, new long[] { tile, tile }, new long[] { halo, halo }, 0, 8);
		for (int c : coverage(plan)) assertEquals(1, c);
		assertTrue(!plan.blends());
	}

	@Test
	void withOverlapEveryPixelIsCoveredAndCoresOverlap() {
		TilePlan plan = TilePlan.create(new long[] { 61, 130, 97 }, new long[] { 32, 48, 32 }, new long[] { 4, 4, 4 }, 0.5, 8);
		int[] c = coverage(plan);
		int max = 0;
		for (int v : c) {
			assertTrue(v >= 1);
			max = Math.max(max, v);
		}
		assertTrue(max >= 2, "overlapping cores");
		assertTrue(plan.blends());
	}

	@Test
	void tilesAreAlignedToTheDownsamplingGrid() {
		TilePlan plan = TilePlan.create(new long[] { 517, 389 }, new long[] { 128, 128 }, new long[] { 20, 20 }, 0.25, 16);
		for (Tile t : plan.tiles())
			for (int d = 0; d < 2; d++) assertEquals(0, (t.inputMin()[d] + 20) % 16, "input origin + halo on the 16-grid");
		assertEquals(0, plan.step()[0] % 16);
	}

	@Test
	void smallImagesShrinkTheTile() {
		TilePlan plan = TilePlan.create(new long[] { 7, 5, 3 }, new long[] { 64, 64, 64 }, new long[] { 8, 8, 8 }, 0, 8);
		assertEquals(1, plan.tiles().size());
		assertArrayEquals(new long[] { 24, 24, 24 }, plan.tileSize());
		assertArrayEquals(new long[] { -8, -8, -8 }, plan.tiles().get(0).inputMin());
	}

	@Test
	void tileCountAndOverheadAreAsExpected() {
		// core 96, step 96: ceil((517 - 96) / 96) + 1 = 6 along x, ceil((389 - 96) / 96) + 1 = 5 along y
		TilePlan plan = TilePlan.create(new long[] { 517, 389 }, new long[] { 128, 128 }, new long[] { 16, 16 }, 0, 16);
		assertEquals(30, plan.tiles().size());
		assertEquals(30.0 * 128 * 128 / (517 * 389), plan.computeOverhead(), 1e-12);
	}

	@Test
	void badParametersAreRejectedWithTheReason() {
		var e = assertThrows(IllegalArgumentException.class,
			() -> TilePlan.create(new long[] { 100, 100 }, new long[] { 100, 100 }, new long[] { 0, 0 }, 0, 16));
		assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class,
			() -> TilePlan.create(new long[] { 100, 100 }, new long[] { 32, 32 }, new long[] { 16, 16 }, 0, 16));
		assertTrue(e.getMessage().contains("core"), e.getMessage());
		assertThrows(IllegalArgumentException.class,
			() -> TilePlan.create(new long[] { 100, 100 }, new long[] { 32, 32 }, new long[] { 0, 0 }, 0.95, 16));
	}
}
