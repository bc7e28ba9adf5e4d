package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Random;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedShortType;

class BigTiffTest {

	@TempDir
	Path dir;

	static Volume<UnsignedShortType> volume(long... size) {
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = 1;
		ArrayImg<UnsignedShortType, ?> img = ArrayImgs.unsignedShorts(dims);
		Random r = new Random(8);
		for (UnsignedShortType t : img) t.set(r.nextInt(65536));
		return new Volume<>(img, size.length == 3 ? Calibration.of("mm", 0.5, 0.25, 2.0) : Calibration.of("mm", 0.5, 0.25));
	}

	@Test
	void bigTiffRoundTripsWithRegionReads() throws Exception {
		Volume<UnsignedShortType> v = volume(70, 50, 4);
		Path p = dir.resolve("stack.btf");
		ImageFiles.write(v, p, 0);
		byte[] head = Files.readAllBytes(p);
		assertTrue(ImageIoTiff.isBigTiff(head), "BigTIFF magic 43");
		assertEquals(ImageFormat.BIGTIFF, ImageFiles.detect(p));
		Volume<?> back = ImageFiles.read(p);
		assertArrayEquals(new long[] { 70, 50, 4 }, back.spatialSize());
		assertEquals("mm", back.calibration().unit());
		assertArrayEquals(new double[] { 0.5, 0.25, 2.0 }, back.calibration().spacing(), 1e-6);
		float[] all = Images.toFloats(v.image());
		assertArrayEquals(all, Images.toFloats(ImageFilesTest.cast(back).image()));
		float[] region = ImageIoTiff.readRegion(p, 2, new Rectangle(10, 5, 20, 7));
		for (int y = 0; y < 7; y++)
			for (int x = 0; x < 20; x++) assertEquals(all[(2 * 50 + 5 + y) * 70 + 10 + x], region[y * 20 + x], "x" + x + " y" + y);
	}

	@Test
	void tiledTiffThatImageJCannotReadComesThroughImageIO() throws Exception {
		int w = 100, h = 70;
		BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
		short[] d = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
		for (int i = 0; i < d.length; i++) d[i] = (short) (i * 7);
		Path p = dir.resolve("tiled.tif");
		ImageWriter writer = null;
		for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("TIFF"); it.hasNext();) {
			ImageWriter wr = it.next();
			if (wr.getDefaultWriteParam().canWriteTiles()) writer = wr;
		}
		assertTrue(writer != null, "a TIFF writer that writes tiles (the JDK's)");
		try (ImageOutputStream out = ImageIO.createImageOutputStream(p.toFile())) {
			writer.setOutput(out);
			ImageWriteParam param = writer.getDefaultWriteParam();
			param.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
			param.setTiling(32, 32, 0, 0);
			writer.write(null, new IIOImage(img, null, null), param);
		}
		Volume<?> v = ImageFiles.read(p);
		assertArrayEquals(new long[] { 100, 70 }, v.spatialSize());
		float[] all = Images.toFloats(ImageFilesTest.cast(v).image());
		for (int i = 0; i < d.length; i++) assertEquals(d[i] & 0xffff, all[i], 0, "pixel " + i);
		float[] region = ImageIoTiff.readRegion(p, 0, new Rectangle(30, 31, 40, 9));
		for (int y = 0; y < 9; y++)
			for (int x = 0; x < 40; x++) assertEquals(all[(31 + y) * 100 + 30 + x], region[y * 40 + x]);
	}
}
