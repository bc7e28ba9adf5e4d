package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.facade.Evaluator;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.ShortType;

/** Signed TIFF samples used to be read unsigned (int8 wrapped; int16 0/1 labels became 32768/32769). */
class SignedTiffTest {

	@TempDir
	Path dir;

	/** A one-strip, uncompressed, little-endian grayscale TIFF of signed samples (SampleFormat 2). */
	static Path signedTiff(Path file, int width, int height, int bits, long[] values) throws IOException {
		int bytes = bits / 8, data = width * height * bytes, entries = 10;
		ByteBuffer b = ByteBuffer.allocate(8 + 2 + entries * 12 + 4 + data).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
		b.putShort((short) entries);
		int dataOffset = 8 + 2 + entries * 12 + 4;
		int[][] tags = { { 256, 4, width }, { 257, 4, height }, { 258, 3, bits }, { 259, 3, 1 }, { 262, 3, 1 }, { 273, 4, dataOffset },
			{ 277, 3, 1 }, { 278, 4, height }, { 279, 4, data }, { 339, 3, 2 } };
		for (int[] t : tags) {
			b.putShort((short) t[0]).putShort((short) t[1]).putInt(1);
			if (t[1] == 3) b.putShort((short) t[2]).putShort((short) 0);
			else b.putInt(t[2]);
		}
		b.putInt(0);
		for (long v : values) if (bits == 8) b.put((byte) v);
		else b.putShort((short) v);
		Files.write(file, b.array());
		return file;
	}

	@Test
	void int8AndInt16AreReadSigned() throws IOException {
		long[] values = { -128, -1, 0, 1, 5, 127 };
		Volume<?> v8 = ImageFiles.read(signedTiff(dir.resolve("i8.tif"), 3, 2, 8, values));
		assertTrue(v8.image().getType() instanceof ByteType, v8.image().getType().getClass().getName());
		assertArrayEquals(new float[] { -128, -1, 0, 1, 5, 127 }, Images.toFloats(v8.image()));
		long[] shorts = { -32768, -1000, 0, 1, 1000, 32767 };
		Volume<?> v16 = ImageFiles.read(signedTiff(dir.resolve("i16.tif"), 3, 2, 16, shorts));
		assertTrue(v16.image().getType() instanceof ShortType, v16.image().getType().getClass().getName());
		assertArrayEquals(new float[] { -32768, -1000, 0, 1, 1000, 32767 }, Images.toFloats(v16.image()));
		// read by regions (a file larger than memory) the same
		for (String f : new String[] { "i8.tif", "i16.tif" })
			try (LazyInputs.Opened lazy = LazyInputs.open(dir.resolve(f), 1 << 16)) {
				assertEquals((f.equals("i8.tif") ? v8 : v16).image().getType().getClass(), lazy.volume().image().getType().getClass(), f);
				assertArrayEquals(Images.toFloats((f.equals("i8.tif") ? v8 : v16).image()), Images.toFloats(ImageFilesTest.cast(lazy.volume()).image()), f);
			}
	}

	@Test
	void anInt16LabelTiffOfZerosAndOnesIsALabelImage() throws IOException {
		long[] mask = { 0, 1, 1, 0, 1, 0 };
		Path truth = signedTiff(dir.resolve("truth.tif"), 3, 2, 16, mask), prediction = signedTiff(dir.resolve("pred.tif"), 3, 2, 16, mask);
		Evaluator.Report r = Evaluator.evaluateFiles(prediction, truth, null, null, 1);
		assertEquals(0, r.skipped().size(), r.skipped().toString());
		assertEquals(1, r.results().get(0).metrics().size());
		assertEquals(1, r.results().get(0).metrics().get(0).label());
		assertEquals(1.0, r.results().get(0).metrics().get(0).dice());
	}
}
