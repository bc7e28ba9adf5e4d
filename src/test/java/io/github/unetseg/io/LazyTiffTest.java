package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.TiffEncoder;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * Classic TIFF, ImageJ hyperstacks and OME-TIFF (single and multi-file) read by regions ({@link TiffRegions},
 * {@link TiffPages}) through the lazy cell image ({@link LazyRegions}) give the same values, channels and
 * calibration as the in-memory reader ({@link ImageFiles#read}: ImageJ 1 and {@link OmeTiff}).
 */
class LazyTiffTest {

	@TempDir
	Path dir;

	/** The lazy image (a cache of 64 KiB, far below the image) must equal the in-memory one. */
	static void assertLazyEqualsInMemory(Path file) {
		Volume<?> whole = ImageFiles.read(file);
		assertTrue(LazyInputs.supports(file), file + " is read lazily");
		try (LazyInputs.Opened lazy = LazyInputs.open(file, 64 << 10)) {
			Volume<?> v = lazy.volume();
			assertTrue(LazyRegions.isLazy(v));
			assertArrayEquals(whole.spatialSize(), v.spatialSize(), file.toString());
			assertEquals(whole.channels(), v.channels(), file.toString());
			assertArrayEquals(whole.calibration().spacing(), v.calibration().spacing(), 1e-9, file.toString());
			assertEquals(Calibration.canonicalUnit(whole.calibration().unit()), Calibration.canonicalUnit(v.calibration().unit()));
			assertArrayEquals(Images.toFloats(ImageFilesTest.cast(whole).image()), Images.toFloats(ImageFilesTest.cast(v).image()),
				file.toString());
		}
	}

	/** A 2-channel, 5-slice 16-bit volume of 70 x 40 pixels whose value at (x, y, z, c) is x + 70 y + 1000 z + 10000 c. */
	static Volume<UnsignedShortType> hyperstack() {
		ArrayImg<UnsignedShortType, ?> img = ArrayImgs.unsignedShorts(70, 40, 5, 2);
		var c = img.localizingCursor();
		while (c.hasNext()) {
			c.fwd();
			c.get().set(c.getIntPosition(0) + 70 * c.getIntPosition(1) + 1000 * c.getIntPosition(2) + 10000 * c.getIntPosition(3));
		}
		return new Volume<>(img, Calibration.of("µm", 0.325, 0.325, 2.0));
	}

	@Test
	void imagejHyperstacksAndPlainStacksAndRgb() {
		Path h = dir.resolve("hyper.tif");
		TiffIO.write(hyperstack(), h, 0);
		assertLazyEqualsInMemory(h);
		try (LazyInputs.Opened lazy = LazyInputs.open(h, 1 << 20)) {
			assertArrayEquals(new long[] { 70, 40, 5 }, lazy.volume().spatialSize());
			assertEquals(2, lazy.volume().channels());
			assertArrayEquals(new double[] { 0.325, 0.325, 2.0 }, lazy.volume().calibration().spacing(), 1e-6, "TIFF resolution tags are rationals");
		}
		Path plain = dir.resolve("ch2.tif");
		TiffIO.write(ImageFiles.read(Path.of("test-images/ch2.nii.gz")), plain, 0);
		assertLazyEqualsInMemory(plain);
		Path single = dir.resolve("slice.tif");
		ImageFiles.write(ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif")), single, 0);
		assertLazyEqualsInMemory(single);
		ColorProcessor rgb = new ColorProcessor(33, 21);
		for (int i = 0; i < 33 * 21; i++) rgb.set(i, (i % 256) << 16 | (i * 7 % 256) << 8 | (i * 13 % 256));
		Path colour = dir.resolve("rgb.tif");
		TiffIO.save(new ImagePlus("rgb", rgb), colour);
		assertLazyEqualsInMemory(colour);
	}

	/** OME-XML around a Pixels element of 4 x 3 x 3 (Z) x 2 (C) uint16 planes. */
	static String ome(String uuid, String order, String tiffData) {
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\"" +
			(uuid == null ? "" : " UUID=\"" + uuid + "\"") + "><Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"" + order +
			"\" Type=\"uint16\" SizeX=\"4\" SizeY=\"3\" SizeZ=\"3\" SizeC=\"2\" SizeT=\"1\" PhysicalSizeX=\"0.5\" PhysicalSizeY=\"0.5\" " +
			"PhysicalSizeZ=\"2\" PhysicalSizeXUnit=\"µm\">" + tiffData + "</Pixels></Image></OME>";
	}

	/** Writes pages whose values are {@code 100 z + 10 c + 1}, (z, c) per page as given, with the description. */
	Path write(String name, int[][] zcPerPage, String description) throws Exception {
		ImageStack stack = new ImageStack(4, 3);
		for (int[] zc : zcPerPage) {
			ShortProcessor sp = new ShortProcessor(4, 3);
			sp.setValue(100 * zc[0] + 10 * zc[1] + 1);
			sp.fill();
			stack.addSlice(sp);
		}
		FileInfo fi = new ImagePlus(name, stack).getFileInfo();
		fi.description = description;
		Path p = dir.resolve(name);
		try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p)))) {
			new TiffEncoder(fi).write(out);
		}
		return p;
	}

	static void assertPlanes(Volume<?> v) {
		assertArrayEquals(new long[] { 4, 3, 3 }, v.spatialSize());
		assertEquals(2, v.channels());
		assertArrayEquals(new double[] { 0.5, 0.5, 2 }, v.calibration().spacing(), 1e-12);
		float[] values = Images.toFloats(ImageFilesTest.cast(v).image());
		for (int c = 0; c < 2; c++)
			for (int z = 0; z < 3; z++) assertEquals(100 * z + 10 * c + 1, values[(c * 3 + z) * 12 + 5], "z " + z + " c " + c);
	}

	@Test
	void omeTiffDataPlacesPagesAsBioFormatsWritesThem() throws Exception {
		// one TiffData per plane with IFD, FirstZ and FirstC, pages stored in a shuffled order
		int[][] pages = { { 2, 1 }, { 0, 0 }, { 1, 1 }, { 2, 0 }, { 0, 1 }, { 1, 0 } };
		StringBuilder td = new StringBuilder();
		for (int p = 0; p < pages.length; p++)
			td.append("<TiffData IFD=\"" + p + "\" FirstZ=\"" + pages[p][0] + "\" FirstC=\"" + pages[p][1] + "\" PlaneCount=\"1\"/>");
		Path f = write("shuffled.ome.tif", pages, ome(null, "XYZCT", td.toString()));
		assertPlanes(ImageFiles.read(f));
		assertLazyEqualsInMemory(f);
		// a file renamed after writing: its TiffData name the old file, with the document's own UUID
		String self = "urn:uuid:00000000-0000-0000-0000-000000000001";
		Path renamed = write("renamed.ome.tif", new int[][] { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 0, 1 }, { 1, 1 }, { 2, 1 } },
			ome(self, "XYZCT", "<TiffData IFD=\"0\" PlaneCount=\"6\"><UUID FileName=\"original.ome.tif\">" + self + "</UUID></TiffData>"));
		assertPlanes(ImageFiles.read(renamed));
		assertLazyEqualsInMemory(renamed);
	}

	@Test
	void multiFileOmeTiffReadsEveryFileOfTheSet() throws Exception {
		// channel 0 in the first file, channel 1 in the second; both carry the same OME-XML, as Bio-Formats writes them
		String a = "urn:uuid:0000000a-0000-0000-0000-000000000000", b = "urn:uuid:0000000b-0000-0000-0000-000000000000";
		String tiffData = "<TiffData FirstC=\"0\" IFD=\"0\" PlaneCount=\"3\"><UUID FileName=\"set_C0.ome.tif\">" + a + "</UUID></TiffData>" +
			"<TiffData FirstC=\"1\" IFD=\"0\" PlaneCount=\"3\"><UUID FileName=\"set_C1.ome.tif\">" + b + "</UUID></TiffData>";
		Path first = write("set_C0.ome.tif", new int[][] { { 0, 0 }, { 1, 0 }, { 2, 0 } }, ome(a, "XYZCT", tiffData));
		Path second = write("set_C1.ome.tif", new int[][] { { 0, 1 }, { 1, 1 }, { 2, 1 } }, ome(b, "XYZCT", tiffData));
		assertPlanes(ImageFiles.read(first));
		assertPlanes(ImageFiles.read(second)); // either file opens the whole set
		try (LazyInputs.Opened lazy = LazyInputs.open(first, 1 << 16)) {
			assertPlanes(lazy.volume());
		}
		Files.delete(second);
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(first)).getMessage();
		assertTrue(m.contains("set_C1.ome.tif") && m.contains("missing") && m.contains("Fix:"), m);
	}

	@Test
	void imagejTimeSeriesAreRefusedLikeInMemory() throws Exception {
		Path t = write("time.tif", new int[][] { { 0, 0 }, { 1, 0 } }, "ImageJ=1.54p\nimages=2\nframes=2\nhyperstack=true\n");
		String m = assertThrows(SegmentationException.class, () -> ImageIoTiff.regions(t)).getMessage();
		assertTrue(m.contains("time series with 2 frames") && m.contains("Fix:"), m);
	}
}
