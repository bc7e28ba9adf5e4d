package io.github.unetseg.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

class OrientationTest {

	/** OpenKBP's arrays: x to posterior, y to the patient's left, z to the feet (README of the data). */
	private static final double[] PLI = { 0, -4, 0, 10, -3, 0, 0, 20, 0, 0, -2.5, 30 };

	@Test
	void codesNameTheDirectionEachAxisRunsTo() {
		assertEquals("RAS", Orientation.codes(new double[] { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0 }));
		assertEquals("PLI", Orientation.codes(PLI));
		// DICOM's usual LPS storage in NIfTI's RAS+ world: x and y negated
		assertEquals("LPS", Orientation.codes(new double[] { -0.9, 0, 0, 0, 0, -0.9, 0, 0, 0, 0, 2, 0 }));
		// an oblique axis goes to its largest component
		assertEquals("RAS", Orientation.codes(new double[] { 1, 0.2, 0, 0, -0.2, 1, 0, 0, 0, 0, 1, 0 }));
		assertThrows(IllegalArgumentException.class, () -> Orientation.codes(new double[] { 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }));
	}

	@Test
	void parseRefusesCodesThatAreNotThreeDistinctDirections() {
		assertEquals("PLI", Orientation.parse(" pli "));
		assertThrows(IllegalArgumentException.class, () -> Orientation.parse("RLS"));
		assertThrows(IllegalArgumentException.class, () -> Orientation.parse("RAX"));
		assertThrows(IllegalArgumentException.class, () -> Orientation.parse("RA"));
	}

	@Test
	void reorientingKeepsEveryVoxelAtItsWorldPosition() {
		long[] size = { 5, 6, 7 };
		ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(5, 6, 7, 1);
		Cursor<FloatType> c = img.localizingCursor();
		while (c.hasNext()) {
			c.fwd();
			c.get().set(c.getIntPosition(0) + 10 * c.getIntPosition(1) + 100 * c.getIntPosition(2));
		}
		Volume<FloatType> v = new Volume<>(img, new Calibration(new double[] { 4, 3, 2.5 }, "mm", PLI));
		for (String to : new String[] { "RAS", "LPS", "SIR".replace("SIR", "SRA"), "ILP" }) {
			Volume<FloatType> r = Orientation.reorient(v, "PLI", to);
			assertEquals(to, Orientation.codes(r.calibration().affine()), to);
			double[] a = r.calibration().affine();
			Cursor<FloatType> rc = r.image().localizingCursor();
			while (rc.hasNext()) {
				rc.fwd();
				int value = (int) rc.get().get();
				int[] i = { value % 10, value / 10 % 10, value / 100 };
				for (int row = 0; row < 3; row++) {
					double old = PLI[4 * row + 3], now = a[4 * row + 3];
					for (int d = 0; d < 3; d++) {
						old += PLI[4 * row + d] * i[d];
						now += a[4 * row + d] * rc.getIntPosition(d);
					}
					assertEquals(old, now, 1e-9, to + " world coordinate " + row);
				}
			}
			double[] expectedSpacing = new double[3];
			for (int d = 0; d < 3; d++)
				expectedSpacing[d] = "PLI".indexOf(to.charAt(d)) >= 0 ? v.calibration().spacing("PLI".indexOf(to.charAt(d)))
					: v.calibration().spacing("ARS".indexOf(to.charAt(d)));
			assertArrayEquals(expectedSpacing, r.calibration().spacing(), 1e-12, to);
			// and back
			Volume<FloatType> back = Orientation.reorient(r, to, "PLI");
			assertArrayEquals(img.update(null).getCurrentStorageArray(),
				((ArrayImg<FloatType, FloatArray>) back.image()).update(null).getCurrentStorageArray(), to);
			assertArrayEquals(size, java.util.Arrays.copyOf(back.image().dimensionsAsLongArray(), 3));
		}
		assertSame(v, Orientation.reorient(v, "PLI", "pli"));
	}
}
