package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;

/**
 * The streamed 2D outputs as tiled BigTIFF ({@link BigTiffTileWriter}): labels (Deflate) and probabilities
 * (one float32 page per channel) of an image that is not a whole number of tiles read back exactly through
 * unetseg's readers (whole, and lazily by regions) and through ImageIO's TwelveMonkeys reader, an independent
 * decoder; the tile layout is the one declared; an incomplete image is never moved into place.
 */
class BigTiffTileWriterTest {

	@TempDir
	Path dir;

	/** Probability of channel c at (x, y): a smooth ramp per channel, summing to 1 over two channels. */
	static float p(int x, int y, int c) {
		float v = ((x * 3 + y * 5) % 97) / 96f;
		return c == 0 ? 1 - v : v;
	}

	/** Writes a width x height image of two channels row by row, as BandStitcher hands them over. */
	static void write(Path labels, Path probabilities, int width, int height, int tile) {
		try (PlaneWriter w = new BigTiffTileWriter(labels, probabilities, new long[] { width, height }, 2, 0.5,
			Calibration.of("µm", 0.5, 0.25), false, tile))
		{
			float[] row = new float[2 * width];
			for (int y = 0; y < height; y++) {
				for (int c = 0; c < 2; c++) for (int x = 0; x < width; x++) row[c * width + x] = p(x, y, c);
				w.plane(y, row);
			}
			w.finish();
		}
	}

	static float[] expectedLabels(int width, int height) {
		float[] e = new float[width * height];
		for (int y = 0, i = 0; y < height; y++) for (int x = 0; x < width; x++, i++) e[i] = p(x, y, 1) > p(x, y, 0) ? 1 : 0;
		return e;
	}

	@Test
	void labelsAndProbabilitiesInEdgeTilesReadBackExactly() throws Exception {
		int width = 70, height = 50;
		Path labels = dir.resolve("m_labels.btf"), probabilities = dir.resolve("m_probabilities.btf");
		write(labels, probabilities, width, height, 32);
		float[] expected = expectedLabels(width, height);
		Volume<?> back = ImageFiles.read(labels);
		assertArrayEquals(new long[] { width, height, 1 }, back.image().dimensionsAsLongArray());
		assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(back).image()));
		// the OME-XML description gives the pixel size in its own unit (the resolution tags are per cm)
		assertEquals("µm", back.calibration().unit());
		assertArrayEquals(new double[] { 0.5, 0.25 }, back.calibration().spacing(), 1e-9);
		try (LazyInputs.Opened lazy = LazyInputs.open(labels, 1 << 10)) {
			assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(lazy.volume()).image()));
		}
		Volume<?> probs = ImageFiles.read(probabilities);
		assertArrayEquals(new long[] { width, height }, probs.spatialSize(), "one page per class, read as channels (OME-XML)");
		assertEquals(2, probs.channels());
		float[] values = Images.toFloats(ImageFilesTest.cast(probs).image());
		for (int c = 0, i = 0; c < 2; c++)
			for (int y = 0; y < height; y++) for (int x = 0; x < width; x++, i++) assertEquals(p(x, y, c), values[i], 0, "p at " + x + "," + y);

		// TwelveMonkeys decodes the tiles on its own: the same labels, and the declared tile layout
		try (ImageInputStream in = ImageIO.createImageInputStream(labels.toFile())) {
			ImageReader r = ImageIO.getImageReaders(in).next();
			r.setInput(in);
			assertTrue(r.isImageTiled(0));
			assertEquals(32, r.getTileWidth(0));
			assertEquals(32, r.getTileHeight(0));
			Raster raster = r.read(0).getRaster();
			float[] got = new float[width * height];
			for (int y = 0, i = 0; y < height; y++) for (int x = 0; x < width; x++) got[i++] = raster.getSample(x, y, 0);
			assertArrayEquals(expected, got);
			r.dispose();
		}
	}

	@Test
	void defaultTilesOfAWideImageCompressLabels() throws Exception {
		int width = 600, height = 300;
		Path labels = dir.resolve("w_labels.btf");
		write(labels, null, width, height, BigTiffTileWriter.TILE);
		try (LazyInputs.Opened lazy = LazyInputs.open(labels, 1 << 12)) {
			assertArrayEquals(expectedLabels(width, height), Images.toFloats(ImageFilesTest.cast(lazy.volume()).image()));
		}
		// 6 tiles of 64 KiB uncompressed; Deflate keeps the labels' ramps far smaller
		assertTrue(Files.size(labels) < 6 * 65536 / 4, "labels compressed: " + Files.size(labels) + " bytes");
	}

	@Test
	void anUnfinishedImageIsNeverMovedIntoPlace() {
		Path labels = dir.resolve("u_labels.btf");
		try (PlaneWriter w = new BigTiffTileWriter(labels, null, new long[] { 40, 40 }, 1, 0.5, Calibration.uncalibrated(2), false, 16)) {
			w.plane(0, new float[40]);
			String m = assertThrows(SegmentationException.class, w::finish).getMessage();
			assertTrue(m.contains("1 of 9 tiles") || m.contains("incomplete"), m);
		}
		assertTrue(Files.notExists(labels));
		assertThrows(IllegalArgumentException.class,
			() -> new BigTiffTileWriter(dir.resolve("x.btf"), null, new long[] { 40, 40 }, 1, 0.5, Calibration.uncalibrated(2), false, 20));
	}
}
