package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.type.numeric.integer.UnsignedIntType;

/**
 * The streaming writers in object-id mode (instance models): 32-bit unsigned ids beyond 65,535 written plane by
 * plane (NIfTI, datatype 768) or row by row (BigTIFF) read back exactly, in memory and lazily, next to the
 * probabilities; a class-label writer refuses object ids.
 */
class ObjectIdWritersTest {

	@TempDir
	Path dir;

	static int id(int x, int y, int z) {
		return x == y ? 0 : 70_000 + x + 31 * y + 1000 * z;
	}

	@Test
	void niftiPlanesOfObjectIds() {
		long[] size = { 31, 17, 5 };
		Path labels = dir.resolve("v_labels.nii"), probabilities = dir.resolve("v_probabilities.nii");
		try (PlaneWriter w = new NiftiPlaneWriter(labels, probabilities, size, 3, 0.5, Calibration.of("um", 0.5, 0.5, 2), true)) {
			int[] ids = new int[31 * 17];
			float[] p = new float[3 * 31 * 17];
			for (int z = 0; z < 5; z++) {
				for (int y = 0, i = 0; y < 17; y++) for (int x = 0; x < 31; x++, i++) ids[i] = id(x, y, z);
				java.util.Arrays.fill(p, z / 10f);
				w.plane(z, p);
				w.objects(z, ids);
			}
			w.finish();
		}
		Volume<?> back = ImageFiles.read(labels);
		assertTrue(LazyNifti.supports(labels));
		Volume<?> lazy = LazyNifti.open(labels, 1 << 16);
		assertTrue(lazy.image().getType() instanceof UnsignedIntType);
		float[] expected = new float[31 * 17 * 5];
		for (int z = 0, i = 0; z < 5; z++) for (int y = 0; y < 17; y++) for (int x = 0; x < 31; x++) expected[i++] = id(x, y, z);
		assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(back).image()));
		assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(lazy).image()));
		Volume<?> p = ImageFiles.read(probabilities);
		assertEquals(3, p.channels());
		assertEquals(0.4f, Images.toFloats(ImageFilesTest.cast(p).image())[31 * 17 * 4], 1e-7);
	}

	@Test
	void bigTiffRowsOfObjectIds() {
		long[] size = { 45, 23 };
		Path labels = dir.resolve("s_labels.btf");
		try (PlaneWriter w = new BigTiffTileWriter(labels, null, size, 3, 0.5, Calibration.of("um", 0.25, 0.25), true)) {
			int[] ids = new int[45];
			for (int y = 0; y < 23; y++) {
				for (int x = 0; x < 45; x++) ids[x] = id(x, y, 0);
				w.plane(y, new float[3 * 45]);
				w.objects(y, ids);
			}
			w.finish();
		}
		float[] expected = new float[45 * 23];
		for (int y = 0, i = 0; y < 23; y++) for (int x = 0; x < 45; x++) expected[i++] = id(x, y, 0);
		Volume<?> back = ImageFiles.read(labels);
		assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(back).image()), "ids below 2^24 are exact as float");
		// the OME-XML description keeps the pixel size in its unit
		assertEquals("µm", back.calibration().unit());
		assertArrayEquals(new double[] { 0.25, 0.25 }, back.calibration().spacing(), 1e-9);
		try (PlaneWriter classes = new BigTiffTileWriter(dir.resolve("c.btf"), null, size, 3, 0.5, Calibration.uncalibrated(2), false)) {
			assertThrows(IllegalStateException.class, () -> classes.objects(0, new int[45]));
		}
	}
}
