package io.github.unetseg.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LabelCleanupTest {

	static short[] grid(String... rows) {
		short[] l = new short[rows.length * rows[0].length()];
		for (int y = 0; y < rows.length; y++)
			for (int x = 0; x < rows[0].length(); x++) l[y * rows[0].length() + x] = (short) (rows[y].charAt(x) - '0');
		return l;
	}

	/** Class 1: a 2 x 2 block and a diagonal pair; class 2: a 2 x 2 block and one pixel. */
	static final String[] TWO_CLASSES = {
		"1100000",
		"1100220",
		"0000220",
		"0010000",
		"0001002" };

	@Test
	void onlyTheLargestComponentOfEachClassStays() {
		short[] l = grid(TWO_CLASSES);
		// class 1: a 2 x 2 block and a diagonal pair (8-connected, one component of 2); class 2: a 2 x 2 block and one pixel
		assertEquals(3, LabelCleanup.keepLargestComponents(l, new int[] { 7, 5, 1 }));
		assertArrayEquals(grid(
			"1100000",
			"1100220",
			"0000220",
			"0000000",
			"0000000"), l);
	}

	@Test
	void onlyTheChosenClassesAreCleaned() {
		short[] l = grid(TWO_CLASSES);
		// class 2 only: its single pixel goes, class 1's second component stays; a class beyond the array is left alone
		assertEquals(1, LabelCleanup.keepLargestComponents(l, new int[] { 7, 5, 1 }, new boolean[] { false, false, true }));
		assertArrayEquals(grid(
			"1100000",
			"1100220",
			"0000220",
			"0010000",
			"0001000"), l);
		short[] m = grid("303", "000");
		assertEquals(0, LabelCleanup.keepLargestComponents(m, new int[] { 3, 2, 1 }, new boolean[] { false, true }));
	}

	@Test
	void holesEnclosedByOneClassAreFilledAndOthersAreNot() {
		short[] l = grid(
			"0000000000",
			"0111101110",
			"0100101020",
			"0111101110",
			"0000000010");
		// class 1's hole of 2 pixels is filled; the region between class 1 and a class 2 pixel is not, nor is background at a border
		assertEquals(2, LabelCleanup.fillHoles(l, new int[] { 10, 5, 1 }));
		assertArrayEquals(grid(
			"0000000000",
			"0111101110",
			"0111101020",
			"0111101110",
			"0000000010"), l);
	}

	@Test
	void aCavityInsideABallIsFilledIn3D() {
		int n = 7;
		short[] l = new short[n * n * n];
		for (int z = 1; z < 6; z++)
			for (int y = 1; y < 6; y++)
				for (int x = 1; x < 6; x++) l[(z * n + y) * n + x] = (short) (x == 3 && y == 3 && z == 3 ? 0 : 3);
		assertEquals(1, LabelCleanup.fillHoles(l, new int[] { n, n, n }));
		assertEquals(3, l[(3 * n + 3) * n + 3]);
	}
}
