package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.facade.InputFiles;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;

/** The CT-style series of test-images/dicom-ct-series (see its generator in test-images/make). */
class DicomSeriesTest {

	static final Path SERIES = Path.of("test-images/dicom-ct-series");

	@TempDir
	Path dir;

	@Test
	void sortedByPositionRescaledAndCalibrated() {
		Volume<?> v = ImageFiles.read(SERIES);
		assertArrayEquals(new long[] { 64, 48, 12 }, v.spatialSize());
		assertArrayEquals(new double[] { 0.9, 0.9, 2.0 }, v.calibration().spacing(), 1e-9);
		assertEquals("mm", v.calibration().unit());
		// Image Orientation (Patient) 1\0\0\0\1\0, positions (0, 0, 2i) in LPS: NIfTI's RAS+ affine negates x and y
		assertArrayEquals(new double[] { -0.9, 0, 0, -0, 0, -0.9, 0, -0, 0, 0, 2, 0 }, v.calibration().affine(), 1e-9);
		assertEquals("LPS", io.github.unetseg.image.Orientation.codes(v.calibration().affine()));
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		@SuppressWarnings("unchecked")
		RandomAccess<? extends RealType<?>> a = ((Volume<? extends RealType<?>>) v).image().randomAccess();
		@SuppressWarnings("unchecked")
		RandomAccess<? extends RealType<?>> b = ((Volume<? extends RealType<?>>) ch2).image().randomAccess();
		for (int z = 0; z < 12; z++)
			for (int y = 0; y < 48; y += 5)
				for (int x = 0; x < 64; x += 3) {
					a.setPosition(new long[] { x, y, z, 0 });
					b.setPosition(new long[] { 60 + x, 110 + y, 70 + 2 * z, 0 });
					int mri = (int) b.get().getRealDouble();
					// stored = (mri + 1024) / 2 (integer division), value = 2 * stored - 1024
					assertEquals(2 * Math.floorDiv(mri + 1024, 2) - 1024, a.get().getRealDouble(), 1e-6, "x" + x + " y" + y + " z" + z);
				}
	}

	@Test
	void aSeriesFolderIsOneInputAndASingleFileOneSlice() throws Exception {
		assertEquals(List.of(SERIES.toAbsolutePath().normalize()), InputFiles.expand(List.of(SERIES.toString())));
		Volume<?> one = ImageFiles.read(SERIES.resolve("IMG0000.dcm"));
		assertArrayEquals(new long[] { 64, 48 }, one.spatialSize());
		assertEquals(".nii.gz", ImageFiles.outputExtension(SERIES));
	}

	@Test
	void missingSlicesAreRefusedNamingTheGap() throws Exception {
		Path copy = dir.resolve("series");
		Files.createDirectories(copy);
		try (var s = Files.list(SERIES)) {
			for (Path p : s.toList()) Files.copy(p, copy.resolve(p.getFileName()));
		}
		// drop the slice at z = 10 mm (the sixth by position)
		Volume<?> full = ImageFiles.read(copy);
		assertEquals(12, full.spatialSize()[2]);
		Path victim = null;
		try (var s = Files.list(copy)) {
			for (Path p : s.toList()) {
				String header = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
				// Image Position (Patient) is written as "0\\0\\10" (or "0.0\\0.0\\10.0") for z = 10 mm
				if (header.matches("(?s).*0(\\.0)?\\\\0(\\.0)?\\\\10(\\.0)?[^0-9].*")) victim = p;
			}
		}
		Files.delete(victim);
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(copy)).getMessage();
		assertTrue(m.contains("missing slices") && m.contains("4.000 mm apart"), m);
	}
}
