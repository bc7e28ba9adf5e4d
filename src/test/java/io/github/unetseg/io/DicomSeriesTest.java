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
	void aSeriesOpenedByImageJKeepsItsHounsfieldUnitsOrientationAndSpacing() {
		// as Fiji's File > Import > Image Sequence opens it: slices in file order (head to feet), ImageJ's rescale as a calibration function
		ij.ImagePlus imp = ij.plugin.FolderOpener.open("test-images/dicom-hn-ct");
		assertEquals(48, imp.getStackSize());
		Volume<?> fiji = ImagePlusAdapter.wrap(imp, "dicom-hn-ct");
		assertEquals("LPI", io.github.unetseg.image.Orientation.codes(fiji.calibration().affine()));
		assertArrayEquals(new double[] { 3.906, 3.906, 2.5 }, fiji.calibration().spacing(), 1e-4);
		// the same voxels as the series read by position (feet to head): z reversed, values in HU
		Volume<?> read = ImageFiles.read(Path.of("test-images/dicom-hn-ct"));
		assertEquals("LPS", io.github.unetseg.image.Orientation.codes(read.calibration().affine()));
		@SuppressWarnings("unchecked")
		RandomAccess<? extends RealType<?>> a = ((Volume<? extends RealType<?>>) fiji).image().randomAccess();
		@SuppressWarnings("unchecked")
		RandomAccess<? extends RealType<?>> b = ((Volume<? extends RealType<?>>) read).image().randomAccess();
		double min = Double.MAX_VALUE;
		for (int z = 0; z < 48; z++)
			for (int y = 0; y < 96; y += 7)
				for (int x = 0; x < 96; x += 5) {
					a.setPosition(new long[] { x, y, z, 0 });
					b.setPosition(new long[] { x, y, 47 - z, 0 });
					assertEquals(b.get().getRealDouble(), a.get().getRealDouble(), 1e-6, "x" + x + " y" + y + " z" + z);
					min = Math.min(min, a.get().getRealDouble());
				}
		assertTrue(min < -900 && min > -1100, "air in Hounsfield units: " + min);
		// a stack out of order (two slices swapped, as files named in another order would open): no orientation is claimed
		ij.ImageStack stack = imp.getStack();
		String label = stack.getSliceLabel(10);
		Object pixels = stack.getPixels(10);
		stack.setSliceLabel(stack.getSliceLabel(20), 10);
		stack.setPixels(stack.getPixels(20), 10);
		stack.setSliceLabel(label, 20);
		stack.setPixels(pixels, 20);
		assertEquals(null, ImagePlusAdapter.wrap(imp, "swapped").calibration().affine());
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
