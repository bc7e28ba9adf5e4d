package io.github.unetseg.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;

import org.junit.jupiter.api.Test;

import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.view.Views;

class PixelArraysTest {

	@Test
	void mirrorReflectsWithoutRepeatingTheEdge() {
		long[] expect = { 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 1 }; // positions -2 .. 9 on an axis of 5
		for (int p = -2; p <= 9; p++) assertEquals(expect[p + 2], PixelArrays.mirror(p, 5));
		assertEquals(0, PixelArrays.mirror(-3, 1));
		assertEquals(0, PixelArrays.mirror(1_000_000_001, 2) - 1, "far outside, period 2");
	}

	@Test
	void stridedHistogramsAcrossPlanesCountEverySampledPixel() {
		Random r = new Random(10);
		var planar = PlanarImgs.shorts(13, 7, 5, 2); // 10 planes of 91 pixels
		short[] flat = new short[13 * 7 * 5 * 2];
		int i = 0;
		for (ShortType t : Views.flatIterable(planar)) {
			t.set((short) (r.nextInt(3000) - 1500));
			flat[i++] = t.get();
		}
		PixelArrays a = PixelArrays.of(planar);
		for (long start : new long[] { 0, 5, 455 })
			for (long stride : new long[] { 1, 3, 90, 91, 92, 200 }) {
				int count = (int) ((flat.length - start + stride - 1) / stride);
				int[] expect = new int[65536];
				for (int k = 0; k < count; k++) expect[flat[(int) (start + k * stride)] + 32768]++;
				PixelArrays.Histogram h = a.histogram(start, stride, count);
				assertEquals(Short.MIN_VALUE, h.base());
				assertArrayEquals(expect, h.counts(), "start " + start + " stride " + stride);
			}
		assertNull(PixelArrays.of(ArrayImgs.floats(4, 4)).histogram(0, 1, 16), "floats are not counted");
		assertEquals(flat[100], PixelArrays.of(planar).get(100), 0);
	}
}
