package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;

/** {@code .npy} files against files written by numpy 2.4.6 (test-images/npy, see its README). */
class NpyTest {

	static final Path DIR = Path.of("test-images/npy");

	@TempDir
	Path tmp;

	@Test
	void readsWhatNumpyWrites() {
		Npy.Array f4 = Npy.read(DIR.resolve("f4_2x3.npy"));
		assertArrayEquals(new long[] { 2, 3 }, f4.shape());
		assertEquals("f4", f4.dtype());
		assertArrayEquals(new double[] { -0.5, -0.25, 0, 0.25, 0.5, 0.75 }, f4.values(), 0);
		assertArrayEquals(new double[] { 0, 1, 254, 255 }, Npy.read(DIR.resolve("u1_4.npy")).values(), 0);
		assertArrayEquals(new double[] { 0, 40000, 65535 }, Npy.read(DIR.resolve("u2_3.npy")).values(), 0);
		assertArrayEquals(new double[] { 1.5, -1e300 }, Npy.read(DIR.resolve("f8_2.npy")).values(), 0);
		Npy.Array be = Npy.read(DIR.resolve("be_i2_2x2.npy"));
		assertEquals("i2", be.dtype());
		assertArrayEquals(new double[] { -2, 300, 32767, -32768 }, be.values(), 0, "big-endian int16");
		assertArrayEquals(new double[] { -1, 0, Integer.MAX_VALUE }, Npy.read(DIR.resolve("v2_i4_3.npy")).values(), 0, "format 2.0");
		Npy.Array scalar = Npy.read(DIR.resolve("v3_f4_scalar.npy"));
		assertEquals(0, scalar.shape().length, "format 3.0, a scalar");
		assertArrayEquals(new double[] { 3.25 }, scalar.values(), 0);
	}

	@Test
	void writesTheBytesNumpyWrites() throws Exception {
		for (String name : new String[] { "f4_2x3", "u1_4", "u2_3", "f8_2" }) {
			Path original = DIR.resolve(name + ".npy"), copy = tmp.resolve(name + ".npy");
			Npy.write(copy, Npy.read(original));
			assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), name);
		}
	}

	@Test
	void refusesWhatItCannotReadWithTheFix() throws Exception {
		SegmentationException e = assertThrows(SegmentationException.class, () -> Npy.read(DIR.resolve("fortran_f4_2x3.npy")));
		assertTrue(e.getMessage().contains("Fortran order") && e.getMessage().contains("ascontiguousarray"), e.getMessage());
		byte[] whole = Files.readAllBytes(DIR.resolve("f4_2x3.npy"));
		Path cut = Files.write(tmp.resolve("cut.npy"), Arrays.copyOf(whole, whole.length - 4));
		e = assertThrows(SegmentationException.class, () -> Npy.read(cut));
		assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("24 bytes"), e.getMessage());
		Path text = Files.writeString(tmp.resolve("text.npy"), "not numpy at all");
		e = assertThrows(SegmentationException.class, () -> Npy.read(text));
		assertTrue(e.getMessage().contains("magic"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> Npy.write(tmp.resolve("x.npy"), new Npy.Array(new long[] { 1 }, "u1",
			new double[] { 256 })), "256 is not a uint8");
		assertThrows(IllegalArgumentException.class, () -> new Npy.Array(new long[] { 2, 2 }, "f4", new double[3]));
	}

	@Test
	void readsTheBioimageIoTestTensorWhereTheSharedPackageIsPresent() {
		Path input = Path.of("../shared/bioimageio/unet2d_nuclei_broad/test_input.npy");
		Assumptions.assumeTrue(Files.exists(input), "the bioimage.io example package is in ../shared only on the project's machines");
		Npy.Array a = Npy.read(input);
		assertArrayEquals(new long[] { 1, 1, 512, 512 }, a.shape());
		assertEquals("f4", a.dtype());
		assertEquals(145.0, a.values()[0], 0, "first value (0x43110000)");
	}
}
