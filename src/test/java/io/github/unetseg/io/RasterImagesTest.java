package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.InputFiles;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/** PNG, JPEG, BMP and GIF, as microscopists and the Data Science Bowl save them. */
class RasterImagesTest {

	@TempDir
	Path dir;

	@Test
	void aRealNucleiImageAndItsSixteenBitInstanceLabels() {
		Volume<?> image = ImageFiles.read(Path.of("test-images/dsb2018-nuclei-00071198.png"));
		assertArrayEquals(new long[] { 256, 256 }, image.spatialSize());
		assertEquals(1, image.channels());
		assertTrue(image.image().getType() instanceof UnsignedByteType);
		Volume<?> labels = ImageFiles.read(Path.of("test-images/dsb2018-nuclei-00071198-labels.png"));
		assertTrue(labels.image().getType() instanceof UnsignedShortType, "16-bit instance labels stay 16-bit");
		TreeSet<Integer> ids = new TreeSet<>();
		for (float v : Images.toFloats(labels.image())) ids.add((int) v);
		assertEquals(28, ids.size(), "background and the 27 nuclei of index.csv");
		assertEquals(0, ids.first());
		assertEquals(27, ids.last());
		assertEquals(".tif", ImageFiles.outputExtension(Path.of("a.png")));
	}

	@Test
	void everyRasterFormatByContentWithRgbAsThreeChannels() throws IOException {
		BufferedImage rgb = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < 4; y++)
			for (int x = 0; x < 5; x++) rgb.setRGB(x, y, (10 * x) << 16 | (20 * y) << 8 | 7);
		for (String format : List.of("png", "bmp")) {
			Path p = dir.resolve("rgb." + format);
			assertTrue(ImageIO.write(rgb, format, p.toFile()));
			Path renamed = Files.copy(p, dir.resolve("rgb-" + format + ".data"));
			for (Path f : List.of(p, renamed)) {
				Volume<?> v = ImageFiles.read(f);
				assertEquals(ImageFormat.RASTER, ImageFiles.detect(f), "by content, whatever the name");
				assertArrayEquals(new long[] { 5, 4 }, v.spatialSize());
				assertEquals(3, v.channels());
				float[] px = Images.toFloats(v.image());
				assertEquals(40, px[4], "red of x = 4");
				assertEquals(60, px[20 + 15], "green of y = 3");
				assertEquals(7, px[40 + 7], "blue");
			}
		}
		// grey content saved as a palette GIF (by ImageJ; the JDK's GIF writer loses it) or a JPEG: one grey channel
		ij.process.ByteProcessor bp = new ij.process.ByteProcessor(6, 3);
		bp.set(2, 1, 200);
		for (String format : List.of("gif", "jpg")) {
			Path p = dir.resolve("grey." + format);
			ij.ImagePlus imp = new ij.ImagePlus("grey", bp.duplicate());
			assertTrue(format.equals("gif") ? new ij.io.FileSaver(imp).saveAsGif(p.toString()) : new ij.io.FileSaver(imp).saveAsJpeg(
				p.toString()));
			Volume<?> v = ImageFiles.read(p);
			assertArrayEquals(new long[] { 6, 3 }, v.spatialSize(), format);
			assertEquals(1, v.channels(), format + ": grey everywhere is one channel");
			assertTrue(Images.toFloats(v.image())[6 + 2] > 150, format + " keeps the bright pixel");
		}
		assertTrue(InputFiles.isImageName(Path.of("x.PNG")) && InputFiles.isImageName(Path.of("x.jpeg")) &&
			!InputFiles.isImageName(Path.of(".x.png")));
		Path broken = Files.write(dir.resolve("broken.png"), java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("rgb.png")), 40));
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(broken)).getMessage();
		assertTrue(m.startsWith(broken.toString()) && m.contains("Fix:"), m);
	}
}
