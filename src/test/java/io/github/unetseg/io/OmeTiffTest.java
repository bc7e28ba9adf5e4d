package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import ij.process.ShortProcessor;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;

/** OME-TIFF as microscopes and Bio-Formats write it: pages in the order the OME-XML declares. */
class OmeTiffTest {

	@TempDir
	Path dir;

	/** Writes 6 pages (2 channels x 3 slices) in the page order {@code order}; page values 100 z + 10 c + 1. */
	Path write(String name, String order, int sizeZ, String extraPixels) throws Exception {
		int sc = 2, sz = 3;
		ImageStack stack = new ImageStack(4, 3);
		for (int p = 0; p < 6; p++) {
			int z = -1, c = -1;
			for (int zz = 0; zz < sz; zz++)
				for (int cc = 0; cc < sc; cc++) if (OmeTiff.page(order, zz, cc, 0, sz, sc, 1) == p) {
					z = zz;
					c = cc;
				}
			ShortProcessor sp = new ShortProcessor(4, 3);
			sp.setValue(100 * z + 10 * c + 1);
			sp.fill();
			stack.addSlice(sp);
		}
		ImagePlus imp = new ImagePlus(name, stack);
		FileInfo fi = imp.getFileInfo();
		fi.description = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">" +
			"<Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"" + order + "\" Type=\"uint16\" SizeX=\"4\" SizeY=\"3\" " +
			"SizeZ=\"" + sizeZ + "\" SizeC=\"2\" SizeT=\"1\" PhysicalSizeX=\"0.325\" PhysicalSizeY=\"0.325\" PhysicalSizeZ=\"1.5\" " +
			extraPixels + "><TiffData/></Pixels></Image></OME>";
		Path p = dir.resolve(name);
		try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p)))) {
			new TiffEncoder(fi).write(out);
		}
		return p;
	}

	@Test
	void pagesAreReorderedAndCalibratedForEveryDimensionOrder() throws Exception {
		for (String order : new String[] { "XYCZT", "XYZCT", "XYZTC", "XYCTZ" }) {
			Volume<?> v = ImageFiles.read(write("cells-" + order + ".ome.tif", order, 3, "PhysicalSizeXUnit=\"µm\""));
			assertArrayEquals(new long[] { 4, 3, 3 }, v.spatialSize(), order);
			assertEquals(2, v.channels(), order);
			assertArrayEquals(new double[] { 0.325, 0.325, 1.5 }, v.calibration().spacing(), 1e-12, order);
			assertEquals("µm", v.calibration().unit());
			@SuppressWarnings("unchecked")
			RandomAccess<? extends RealType<?>> ra = ((Volume<? extends RealType<?>>) v).image().randomAccess();
			for (int z = 0; z < 3; z++)
				for (int c = 0; c < 2; c++) {
					ra.setPosition(new long[] { 1, 2, z, c });
					assertEquals(100 * z + 10 * c + 1, ra.get().getRealDouble(), order + " z" + z + " c" + c);
				}
		}
	}

	@Test
	void labelImagesRoundTripAsOmeTiff() {
		net.imglib2.img.array.ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType, ?> img =
			net.imglib2.img.array.ArrayImgs.unsignedBytes(7, 5, 4, 1);
		int i = 0;
		for (net.imglib2.type.numeric.integer.UnsignedByteType t : img) t.set(i++ % 3);
		Volume<net.imglib2.type.numeric.integer.UnsignedByteType> v = new Volume<>(img,
			io.github.unetseg.image.Calibration.of("µm", 0.2, 0.2, 0.8));
		Path p = dir.resolve("cells_labels.ome.tif");
		ImageFiles.write(v, p, 3);
		Volume<?> back = ImageFiles.read(p);
		assertArrayEquals(new long[] { 7, 5, 4 }, back.spatialSize());
		assertArrayEquals(new double[] { 0.2, 0.2, 0.8 }, back.calibration().spacing(), 1e-9);
		assertEquals("µm", back.calibration().unit());
		assertArrayEquals(io.github.unetseg.testutil.Images.toFloats(img),
			io.github.unetseg.testutil.Images.toFloats(ImageFilesTest.cast(back).image()));
		assertEquals("cells", ImageFiles.baseName(dir.resolve("cells.ome.tif")));
		assertEquals("stack", ImageFiles.baseName(dir.resolve("stack.ome.btf")), "OME-TIFF in a BigTIFF container");
		assertEquals(".ome.tif", ImageFiles.outputExtension(dir.resolve("cells.ome.tif")));
	}

	@Test
	void omeXmlThatDoesNotMatchThePagesIsRefused() throws Exception {
		Path bad = write("bad.ome.tif", "XYCZT", 5, "");
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(bad)).getMessage();
		assertEquals(true, m.contains("5 x 2 x 1") && m.contains("6 pages"), m);
	}

	@Test
	void aTimeSeriesOpensWithEveryTimePointAndIsRefusedWhereOneImageIsRead() throws Exception {
		// 2 channels x 3 slices x 2 time points in page order XYTZC; page values 1000 t + 100 z + 10 c + 1
		int sc = 2, sz = 3, st = 2;
		String order = "XYTZC";
		ij.process.ImageProcessor[] pages = new ij.process.ImageProcessor[sc * sz * st];
		for (int t = 0; t < st; t++)
			for (int z = 0; z < sz; z++)
				for (int c = 0; c < sc; c++) {
					ShortProcessor sp = new ShortProcessor(4, 3);
					sp.setValue(1000 * t + 100 * z + 10 * c + 1);
					sp.fill();
					pages[OmeTiff.page(order, z, c, t, sz, sc, st)] = sp;
				}
		ImageStack stack = new ImageStack(4, 3);
		for (ij.process.ImageProcessor ip : pages) stack.addSlice(ip);
		FileInfo fi = new ImagePlus("lapse", stack).getFileInfo();
		fi.description = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">" +
			"<Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"" + order + "\" Type=\"uint16\" SizeX=\"4\" SizeY=\"3\" " +
			"SizeZ=\"3\" SizeC=\"2\" SizeT=\"2\" PhysicalSizeX=\"0.5\" PhysicalSizeY=\"0.5\" PhysicalSizeZ=\"2\" TimeIncrement=\"1.5\" " +
			"TimeIncrementUnit=\"min\"><TiffData/></Pixels></Image></OME>";
		Path p = dir.resolve("lapse.ome.tif");
		try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p)))) {
			new TiffEncoder(fi).write(out);
		}
		assertEquals(2, ImageFiles.timePoints(p));
		ImagePlus h = TiffIO.open(p);
		assertArrayEquals(new int[] { 4, 3, 2, 3, 2 }, h.getDimensions());
		for (int t = 0; t < st; t++)
			for (int z = 0; z < sz; z++)
				for (int c = 0; c < sc; c++)
					assertEquals(1000 * t + 100 * z + 10 * c + 1, h.getStack().getProcessor(h.getStackIndex(c + 1, z + 1, t + 1)).get(1, 2),
						"t" + t + " z" + z + " c" + c);
		assertEquals(1.5, h.getCalibration().frameInterval, 1e-12);
		assertEquals("min", h.getCalibration().getTimeUnit());
		assertEquals(2, h.getCalibration().pixelDepth, 1e-12);
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(p)).getMessage();
		assertEquals(true, m.contains("time series with 2 frames") && m.contains("Fix"), m);
	}
}
