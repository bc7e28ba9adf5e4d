package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;

/** The reflective Bio-Formats adapter against a test double with IFormatReader's methods. */
class BioFormatsReaderTest {

	@TempDir
	Path dir;

	@AfterEach
	void noDouble() {
		System.clearProperty(BioFormatsReader.READER_PROPERTY);
	}

	@Test
	void planesArriveInImgLib2OrderWithCalibration() throws Exception {
		System.setProperty(BioFormatsReader.READER_PROPERTY, FakeFormatReader.class.getName());
		Path f = dir.resolve("cells.czi");
		Files.writeString(f, "sizeX=5\nsizeY=4\nsizeZ=3\nsizeC=2\npixelType=3\nlittle=false\nphysicalX=0.2\nphysicalY=0.2\nphysicalZ=1.5\n");
		Volume<?> v = ImageFiles.read(f);
		assertArrayEquals(new long[] { 5, 4, 3 }, v.spatialSize());
		assertEquals(2, v.channels());
		assertArrayEquals(new double[] { 0.2, 0.2, 1.5 }, v.calibration().spacing(), 1e-12);
		assertEquals("µm", v.calibration().unit());
		float[] px = Images.toFloats(ImageFilesTest.cast(v).image());
		int i = 0;
		for (int c = 0; c < 2; c++)
			for (int z = 0; z < 3; z++)
				for (int y = 0; y < 4; y++)
					for (int x = 0; x < 5; x++) assertEquals(x + 10 * y + 100 * z + 1000 * c, px[i++], "x" + x + " y" + y + " z" + z + " c" + c);
	}

	@Test
	void float2DLittleEndianWithoutPhysicalSizes() throws Exception {
		System.setProperty(BioFormatsReader.READER_PROPERTY, FakeFormatReader.class.getName());
		Path f = dir.resolve("plane.nd2");
		Files.writeString(f, "sizeX=6\nsizeY=2\npixelType=6\nlittle=true\n");
		Volume<?> v = ImageFiles.read(f);
		assertArrayEquals(new long[] { 6, 2 }, v.spatialSize());
		assertEquals("pixel", v.calibration().unit());
		assertEquals(15f, Images.toFloats(ImageFilesTest.cast(v).image())[11]);
	}

	@Test
	void rejectionsAndAbsenceGiveOurErrors() throws Exception {
		System.setProperty(BioFormatsReader.READER_PROPERTY, FakeFormatReader.class.getName());
		Path rgb = dir.resolve("photo.lif");
		// an RGB plane is three channels: a reader that gives one sample per pixel is caught
		Files.writeString(rgb, "sizeX=4\nsizeY=4\nsizeC=3\nrgb=3\n");
		assertTrue(assertThrows(SegmentationException.class, () -> ImageFiles.read(rgb)).getMessage().contains("Bio-Formats returned 32 bytes"));
		Path unknown = dir.resolve("notes.xyz");
		Files.writeString(unknown, "nothing an image reader knows");
		assertTrue(assertThrows(SegmentationException.class, () -> ImageFiles.read(unknown)).getMessage().contains("Bio-Formats could not read"));

		System.setProperty(BioFormatsReader.READER_PROPERTY, "no.such.Reader");
		Path czi = dir.resolve("real.czi");
		Files.write(czi, "ZISRAWFILE and then some bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(czi)).getMessage();
		assertTrue(m.contains("Zeiss CZI") && m.contains("Bio-Formats is not on the class path") && m.contains("Fiji"), m);
	}
}
