package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import io.github.unetseg.tiling.TilePlan.Border;

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
	@CsvSource({ "517,389,128,16,MIRROR", "517,389,64,0,MIRROR", "7,5,64,16,MIRROR", "256,256,128,32,MIRROR", "1,1,16,0,MIRROR",
		"1000,3,96,8,MIRROR", "517,389,128,16,SAME", "517,389,64,0,SAME", "7,5,64,16,SAME", "256,256,128,32,SAME", "1,1,16,0,SAME",
		"1000,3,96,8,SAME", "100,61,40,12,SAME", "105,97,48,16,SAME" })
	void withoutOverlapEveryPixelIsWrittenOnce(long x, long y, long tile, long halo, Border border) {
		TilePlan plan = TilePlan.create(new long[] { x, y }, new long[] { tile, tile }, new long[] { halo, halo }, 0, 8, border);
		for (int c : coverage(plan)) assertEquals(1, c);
		assertTrue(!plan.blends());
		for (Tile t : plan.tiles())
			for (int d = 0; d < 2; d++) {
				long off = t.writeOffset()[d], end = off + t.writeSize()[d];
				boolean atStart = t.writeMin()[d] == 0, atEnd = t.writeMin()[d] + t.writeSize()[d] == plan.imageSize()[d];
				// the halo is cropped on every side that lies inside the image; SAME border tiles keep their image-border side
				if (border == Border.MIRROR || !atStart) assertTrue(off >= halo, t + " crops the halo at its start");
				if (border == Border.MIRROR || !atEnd) assertTrue(end <= plan.tileSize()[d] - halo, t + " crops the halo at its end");
				if (border == Border.SAME) assertTrue(t.inputMin()[d] >= 0 && t.inputMin()[d] + plan.tileSize()[d] < plan.imageSize()[d] + 8,
					t + " computes nothing beyond the aligned image");
			}
	}

	@ParameterizedTest
	@EnumSource(Border.class)
	void withOverlapEveryPixelIsCoveredAndCoresOverlap(Border border) {
		TilePlan plan = TilePlan.create(new long[] { 61, 130, 97 }, new long[] { 32, 48, 32 }, new long[] { 4, 4, 4 }, 0.5, 8, border);
		int[] c = coverage(plan);
		int max = 0;
		for (int v : c) {
			assertTrue(v >= 1);
			max = Math.max(max, v);
		}
		assertTrue(max >= 2, "overlapping cores");
		assertTrue(plan.blends());
	}

	@ParameterizedTest
	@EnumSource(Border.class)
	void tilesAreAlignedToTheDownsamplingGrid(Border border) {
		TilePlan plan = TilePlan.create(new long[] { 517, 389 }, new long[] { 128, 128 }, new long[] { 20, 20 }, 0.25, 16, border);
		long shift = border == Border.MIRROR ? 20 : 0;
		for (Tile t : plan.tiles())
			for (int d = 0; d < 2; d++) assertEquals(0, (t.inputMin()[d] + shift) % 16, "input origin on the 16-grid of the whole image");
		assertEquals(0, plan.step()[0] % 16);
	}

	@Test
	void smallImagesShrinkTheTile() {
		TilePlan plan = TilePlan.create(new long[] { 7, 5, 3 }, new long[] { 64, 64, 64 }, new long[] { 8, 8, 8 }, 0, 8, Border.MIRROR);
		assertEquals(1, plan.tiles().size());
		assertArrayEquals(new long[] { 24, 24, 24 }, plan.tileSize());
		assertArrayEquals(new long[] { -8, -8, -8 }, plan.tiles().get(0).inputMin());
		plan = TilePlan.create(new long[] { 7, 5, 3 }, new long[] { 64, 64, 64 }, new long[] { 8, 8, 8 }, 0, 8, Border.SAME);
		assertEquals(1, plan.tiles().size());
		assertArrayEquals(new long[] { 8, 8, 8 }, plan.tileSize());
		assertArrayEquals(new long[] { 0, 0, 0 }, plan.tiles().get(0).inputMin());
		assertEquals(8.0 * 8 * 8 / (7 * 5 * 3), plan.computeOverhead(), 1e-12);
	}

	@Test
	void sameBorderTilesEndAtTheAlignedImageEnd() {
		// x: 100 pixels, aligned end 104; tile 40, halo 8, core 24, step 24: inputs 0, 24, 48, then 64 (= 104 - 40)
		TilePlan plan = TilePlan.create(new long[] { 100, 8 }, new long[] { 40, 8 }, new long[] { 8, 0 }, 0, 8, Border.SAME);
		assertEquals(4, plan.tiles().size());
		long[][] expect = { { 0, 0, 32 }, { 24, 32, 24 }, { 48, 56, 16 }, { 64, 72, 28 } }; // input, writeMin, writeSize along x
		for (int i = 0; i < 4; i++) {
			Tile t = plan.tiles().get(i);
			assertEquals(expect[i][0], t.inputMin()[0], t.toString());
			assertEquals(expect[i][1], t.writeMin()[0], t.toString());
			assertEquals(expect[i][2], t.writeSize()[0], t.toString());
		}
	}

	@Test
	void tileCountAndOverheadAreAsExpected() {
		// core 96, step 96: ceil((517 - 96) / 96) + 1 = 6 along x, ceil((389 - 96) / 96) + 1 = 5 along y
		TilePlan plan = TilePlan.create(new long[] { 517, 389 }, new long[] { 128, 128 }, new long[] { 16, 16 }, 0, 16, Border.MIRROR);
		assertEquals(30, plan.tiles().size());
		assertEquals(30.0 * 128 * 128 / (517 * 389), plan.computeOverhead(), 1e-12);
	}

	@Test
	void badParametersAreRejectedWithTheReason() {
		var e = assertThrows(IllegalArgumentException.class,
			() -> TilePlan.create(new long[] { 100, 100 }, new long[] { 100, 100 }, new long[] { 0, 0 }, 0, 16, Border.MIRROR));
		assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
		e = assertThrows(IllegalArgumentException.class,
			() -> TilePlan.create(new long[] { 100, 100 }, new long[] { 32, 32 }, new long[] { 16, 16 }, 0, 16, Border.MIRROR));
		assertTrue(e.getMessage().contains("core"), e.getMessage());
		assertThrows(IllegalArgumentException.class,
			() -> TilePlan.create(new long[] { 100, 100 }, new long[] { 32, 32 }, new long[] { 0, 0 }, 0.95, 16, Border.MIRROR));
	}
}
