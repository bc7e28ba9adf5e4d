package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.view.Views;

/**
 * Uncompressed NRRD and MetaImage read by regions ({@link RawRegions}) through the lazy cell image equal the
 * in-memory reader and the values written, for interleaved and planar channels, both byte orders, attached
 * and detached data; compressed files are not read lazily and say how to convert them.
 */
class LazyRawTest {

	@TempDir
	Path dir;

	static final int X = 37, Y = 23, Z = 5, C = 2;

	static float value(int x, int y, int z, int c) {
		return x + 100 * y + 3000 * z + 20000 * c - 7;
	}

	/** The voxels as {@code type} in the given order: channel fastest when interleaved, else slowest. */
	static byte[] voxels(boolean interleaved, ByteOrder order, boolean floats) {
		ByteBuffer b = ByteBuffer.allocate(X * Y * Z * C * 4).order(order);
		if (interleaved) {
			for (int z = 0; z < Z; z++) for (int y = 0; y < Y; y++) for (int x = 0; x < X; x++) for (int c = 0; c < C; c++)
				if (floats) b.putFloat(value(x, y, z, c)); else b.putInt((int) value(x, y, z, c));
		}
		else for (int c = 0; c < C; c++) for (int z = 0; z < Z; z++) for (int y = 0; y < Y; y++) for (int x = 0; x < X; x++)
			if (floats) b.putFloat(value(x, y, z, c)); else b.putInt((int) value(x, y, z, c));
		return b.array();
	}

	static void assertLazyEqualsInMemoryAndTruth(Path file) {
		Volume<?> whole = ImageFiles.read(file);
		assertTrue(LazyInputs.supports(file), file.toString());
		float[] truth = new float[X * Y * Z * C];
		for (int c = 0, i = 0; c < C; c++) for (int z = 0; z < Z; z++) for (int y = 0; y < Y; y++) for (int x = 0; x < X; x++)
			truth[i++] = value(x, y, z, c);
		try (LazyInputs.Opened lazy = LazyInputs.open(file, 4 << 10)) {
			Volume<?> v = lazy.volume();
			assertTrue(LazyRegions.isLazy(v));
			assertArrayEquals(new long[] { X, Y, Z }, v.spatialSize());
			assertEquals(C, v.channels());
			assertEquals(whole.calibration(), v.calibration());
			assertEquals(whole.image().getType().getClass(), v.image().getType().getClass());
			assertArrayEquals(truth, Images.toFloats(ImageFilesTest.cast(whole).image()), file.toString());
			assertArrayEquals(truth, Images.toFloats(ImageFilesTest.cast(v).image()), file.toString());
			// an inner region
			float[] region = Images.toFloats(Views.zeroMin(Views.interval(ImageFilesTest.cast(v).image(), new long[] { 5, 7, 2, 1 },
				new long[] { 30, 9, 3, 1 })));
			assertEquals(value(5, 7, 2, 1), region[0]);
			assertEquals(value(30, 9, 3, 1), region[region.length - 1]);
		}
	}

	@Test
	void metaImageWithInterleavedChannelsAttachedAndDetached() throws Exception {
		String header = "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\nElementSpacing = 0.5 0.5 2\n" +
			"DimSize = " + X + " " + Y + " " + Z + "\nElementNumberOfChannels = " + C + "\nElementType = MET_FLOAT\n";
		Path mha = dir.resolve("cells.mha");
		Files.write(mha, NrrdAndMetaImageTest.concat((header + "ElementDataFile = LOCAL\n").getBytes(StandardCharsets.US_ASCII),
			voxels(true, ByteOrder.LITTLE_ENDIAN, true)));
		assertLazyEqualsInMemoryAndTruth(mha);
		Files.write(dir.resolve("cells.raw"), voxels(true, ByteOrder.LITTLE_ENDIAN, true));
		Path mhd = dir.resolve("cells.mhd");
		Files.writeString(mhd, header + "ElementDataFile = cells.raw\n");
		assertLazyEqualsInMemoryAndTruth(mhd);
	}

	@Test
	void bigEndianNrrdWithItsChannelAxisLastOrFirst() throws Exception {
		String common = "type: int\ndimension: 4\nendian: big\nencoding: raw\nspacings: ";
		Path last = dir.resolve("last.nrrd");
		Files.write(last, NrrdAndMetaImageTest.concat(("NRRD0004\n" + common.replace("spacings: ", "") + "sizes: " + X + " " + Y + " " + Z + " " + C +
			"\nkinds: domain domain domain list\nspacings: 0.3 0.3 1.5 nan\n\n").getBytes(StandardCharsets.US_ASCII),
			voxels(false, ByteOrder.BIG_ENDIAN, false)));
		assertLazyEqualsInMemoryAndTruth(last);
		Files.write(dir.resolve("first.raw"), voxels(true, ByteOrder.BIG_ENDIAN, false));
		Path first = dir.resolve("first.nhdr");
		Files.writeString(first, "NRRD0004\ntype: int\ndimension: 4\nendian: big\nencoding: raw\nsizes: " + C + " " + X + " " + Y + " " + Z +
			"\nkinds: vector domain domain domain\ndata file: first.raw\n\n");
		assertLazyEqualsInMemoryAndTruth(first);
	}

	@Test
	void compressedFilesAreReadInMemoryOnlyAndSaySo() throws Exception {
		Path gz = dir.resolve("ch2.nrrd");
		ImageFiles.write(ImageFilesTest.cast(ImageFiles.read(Path.of("test-images/ch2.nii.gz"))), gz, 0); // unetseg writes gzip NRRD
		assertFalse(LazyInputs.supports(gz));
		String m = assertThrows(SegmentationException.class, () -> new RawRegions(gz)).getMessage();
		assertTrue(m.contains("ch2.nrrd") && m.contains("gzip") && m.contains("stream=never"), m);
		// a truncated raw file is refused when it is opened, not in the middle of a run
		Path cut = dir.resolve("cut.mha");
		byte[] data = voxels(true, ByteOrder.LITTLE_ENDIAN, true);
		Files.write(cut, NrrdAndMetaImageTest.concat(("NDims = 3\nDimSize = " + X + " " + Y + " " + Z + "\nElementNumberOfChannels = 2\n" +
			"ElementType = MET_FLOAT\nElementDataFile = LOCAL\n").getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(data, data.length - 9)));
		m = assertThrows(SegmentationException.class, () -> new RawRegions(cut)).getMessage();
		assertTrue(m.contains("truncated") && m.contains("Fix:"), m);
	}
}
