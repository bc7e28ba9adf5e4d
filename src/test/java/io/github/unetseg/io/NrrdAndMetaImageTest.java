package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.real.FloatType;

class NrrdAndMetaImageTest {

	@TempDir
	Path dir;

	@Test
	void realMriRoundTripsThroughBothFormats() {
		Volume<?> t1 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		float[] expected = Images.toFloats(ImageFilesTest.cast(t1).image());
		for (String name : new String[] { "ch2.nrrd", "ch2.mha" }) {
			Path p = dir.resolve(name);
			ImageFilesTest.write(t1, p);
			Volume<?> back = ImageFiles.read(p);
			assertArrayEquals(new long[] { 181, 217, 181 }, back.spatialSize(), name);
			assertArrayEquals(new double[] { 1, 1, 1 }, back.calibration().spacing(), 1e-9, name);
			assertEquals("mm", back.calibration().unit(), name);
			assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(back).image()), name);
		}
	}

	@Test
	void anisotropicMultiChannelFloatRoundTrips() {
		ArrayImg<FloatType, ?> img = ArrayImgs.floats(11, 7, 5, 3);
		Random r = new Random(3);
		for (FloatType t : img) t.set((float) r.nextGaussian());
		Volume<FloatType> v = new Volume<>(img, Calibration.of("mm", 0.5, 0.5, 2.0));
		for (String name : new String[] { "v.nrrd", "v.mha" }) {
			Path p = dir.resolve(name);
			ImageFiles.write(v, p, 0);
			Volume<?> back = ImageFiles.read(p);
			assertEquals(3, back.channels(), name);
			assertArrayEquals(new double[] { 0.5, 0.5, 2.0 }, back.calibration().spacing(), 1e-9, name);
			assertArrayEquals(Images.toFloats(img), Images.toFloats(ImageFilesTest.cast(back).image()), name);
		}
	}

	/** Files as ITK and 3D Slicer write them, built by hand: big-endian raw NRRD with space directions, detached .mhd. */
	@Test
	void handWrittenFilesOfOtherTools() throws Exception {
		short[] values = { -5, 0, 7, 300, -1200, 42 }; // 3 x 2 x 1
		ByteBuffer be = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
		for (short s : values) be.putShort(s);
		Path nrrd = dir.resolve("slicer.nrrd");
		Files.write(nrrd, concat(("NRRD0004\n# Complete NRRD file format specification at:\ntype: short\ndimension: 3\n" +
			"space: left-posterior-superior\nsizes: 3 2 1\nspace directions: (0.7,0,0) (0,0.7,0) (0,0,3)\nkinds: domain domain domain\n" +
			"endian: big\nencoding: raw\nspace origin: (0,0,0)\n\n").getBytes(StandardCharsets.US_ASCII), be.array()));
		Volume<?> n = ImageFiles.read(nrrd);
		assertArrayEquals(new long[] { 3, 2 }, n.spatialSize(), "one slice reads as 2D");
		assertArrayEquals(new double[] { 0.7, 0.7 }, n.calibration().spacing(), 1e-12);
		assertTrue(n.image().getType() instanceof ShortType);
		assertArrayEquals(new float[] { -5, 0, 7, 300, -1200, 42 }, Images.toFloats(ImageFilesTest.cast(n).image()));

		ByteBuffer le = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
		for (short s : values) le.putShort(s);
		Files.write(dir.resolve("itk.raw"), le.array());
		Path mhd = dir.resolve("itk.mhd");
		Files.writeString(mhd, "ObjectType = Image\nNDims = 2\nBinaryData = True\nBinaryDataByteOrderMSB = False\n" +
			"TransformMatrix = 1 0 0 1\nElementSpacing = 0.25 0.5\nDimSize = 3 2\nElementType = MET_SHORT\nElementDataFile = itk.raw\n");
		Volume<?> m = ImageFiles.read(mhd);
		assertArrayEquals(new double[] { 0.25, 0.5 }, m.calibration().spacing(), 1e-12);
		assertArrayEquals(new float[] { -5, 0, 7, 300, -1200, 42 }, Images.toFloats(ImageFilesTest.cast(m).image()));
	}

	@Test
	void brokenFilesGiveOneClearError() throws Exception {
		Path trunc = dir.resolve("t.mha");
		Files.writeString(trunc, "ObjectType = Image\nNDims = 3\nDimSize = 100 100 100\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n" +
			"short");
		assertTrue(assertThrows(SegmentationException.class, () -> ImageFiles.read(trunc)).getMessage().contains("truncated"));
		Path huge = dir.resolve("h.nrrd");
		Files.writeString(huge, "NRRD0004\ntype: float\ndimension: 3\nsizes: 100000 100000 100000\nencoding: raw\n\n");
		assertTrue(assertThrows(SegmentationException.class, () -> ImageFiles.read(huge)).getMessage().contains("larger than"));
		Path missing = dir.resolve("m.nhdr");
		Files.writeString(missing, "NRRD0004\ntype: float\ndimension: 2\nsizes: 4 4\nencoding: raw\ndata file: gone.raw\n\n");
		assertTrue(assertThrows(SegmentationException.class, () -> ImageFiles.read(missing)).getMessage().contains("does not exist"));
	}

	static byte[] concat(byte[] a, byte[] b) {
		byte[] c = new byte[a.length + b.length];
		System.arraycopy(a, 0, c, 0, a.length);
		System.arraycopy(b, 0, c, a.length, b.length);
		return c;
	}
}
