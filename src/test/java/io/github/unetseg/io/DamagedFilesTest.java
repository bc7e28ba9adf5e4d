package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;

/**
 * Files whose headers claim more than they hold are refused before anything is allocated, and
 * corruption inside compressed data or a truncated DICOM slice is noticed instead of read silently.
 */
class DamagedFilesTest {

	@TempDir
	Path dir;

	static String message(Path p) {
		return assertThrows(SegmentationException.class, () -> ImageFiles.read(p)).getMessage();
	}

	/** A NIfTI header of 512 x 512 x 600 float voxels (629 MB) on 1.3 KB, plain and gzip: refused from the file size. */
	@Test
	void headersThatClaimMoreThanTheFileAreRefusedBeforeAllocating() throws IOException {
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		Path plain = dir.resolve("ch2.nii");
		ImageFiles.write(ch2, plain, 0);
		byte[] nii = Arrays.copyOf(Files.readAllBytes(plain), 1300);
		ByteBuffer b = ByteBuffer.wrap(nii).order(ByteOrder.LITTLE_ENDIAN);
		b.putShort(40, (short) 3).putShort(42, (short) 512).putShort(44, (short) 512).putShort(46, (short) 600).putShort(48, (short) 1);
		b.putShort(70, (short) 16).putShort(72, (short) 32); // float32
		Path bomb = Files.write(dir.resolve("bomb.nii"), nii);
		long before = usedHeap();
		String m = message(bomb);
		assertTrue(m.startsWith(bomb + " declares ") && m.contains(" bytes of voxel data, but it holds only 1300 bytes"), m);
		assertTrue(m.contains("Fix: re-copy"), m);
		assertTrue(usedHeap() - before < 256L << 20, "nothing large was allocated");
		Path gz = dir.resolve("bomb.nii.gz");
		try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
			out.write(nii);
		}
		m = message(gz);
		assertTrue(m.contains("compressed bytes cannot hold more than"), m);
	}

	/** A truthful .nii.gz of 10^9 voxels (1 MB of gzip) is more than a 4 GiB heap reads whole: the message says to decompress it. */
	@Test
	void aCompressedVolumeLargerThanTheHeapSaysHowToStreamIt() throws IOException {
		org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < 5_000_000_000L, "needs a heap below 5 GB");
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		Path plain = dir.resolve("h.nii");
		ImageFiles.write(ch2, plain, 0);
		byte[] header = Arrays.copyOf(Files.readAllBytes(plain), 352);
		ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
		b.putShort(40, (short) 3).putShort(42, (short) 1000).putShort(44, (short) 1000).putShort(46, (short) 1000).putShort(48, (short) 1);
		b.putShort(70, (short) 2).putShort(72, (short) 8); // uint8
		Path big = dir.resolve("big.nii.gz");
		try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(big), 1 << 16)) {
			out.write(header);
			byte[] zeros = new byte[1 << 20];
			for (long left = 1_000_000_000L; left > 0; left -= zeros.length) out.write(zeros, 0, (int) Math.min(zeros.length, left));
		}
		long before = usedHeap();
		String m = message(big);
		assertTrue(m.contains("holds 1000000000 voxels") && m.contains("more than the Java heap") && m.contains("Fix: decompress it to .nii"),
			m);
		assertTrue(usedHeap() - before < 256L << 20, "nothing large was allocated");
	}

	static long usedHeap() {
		Runtime r = Runtime.getRuntime();
		return r.totalMemory() - r.freeMemory();
	}

	/** A flipped bit in the middle of gzip data, or a damaged CRC trailer, used to be segmented silently. */
	@Test
	void damagedGzipDataIsNoticed() throws IOException {
		byte[] good = Files.readAllBytes(Path.of("test-images/ch2.nii.gz"));
		byte[] trailer = good.clone();
		trailer[trailer.length - 6] ^= 0x55; // CRC-32 of the uncompressed data
		String m = message(Files.write(dir.resolve("crc.nii.gz"), trailer));
		assertTrue(m.contains("gzip"), m);
		int flipped = 0;
		for (int k = 1; k <= 6; k++) {
			byte[] bad = good.clone();
			bad[good.length * k / 8] ^= 0x10;
			Path p = Files.write(dir.resolve("flip" + k + ".nii.gz"), bad);
			try {
				ImageFiles.read(p);
			}
			catch (SegmentationException e) {
				flipped++;
			}
		}
		assertEquals(6, flipped, "every flipped bit is noticed");
		Path nrrd = dir.resolve("a.nrrd");
		ImageFiles.write(ImageFiles.read(Path.of("test-images/ch2.nii.gz")), nrrd, 0);
		byte[] n = Files.readAllBytes(nrrd);
		n[n.length - 6] ^= 0x55;
		m = message(Files.write(dir.resolve("b.nrrd"), n));
		assertTrue(m.contains("damaged gzip data"), m);
	}

	/** A DICOM slice cut to 3,000 bytes used to be read with its missing pixels as -1024. */
	@Test
	void aTruncatedDicomSliceIsRefused() throws IOException {
		Path series = io.github.unetseg.testutil.Images.dicomSeriesCopy(dir);
		Path victim = series.resolve("IMG0005.dcm");
		Files.write(victim, Arrays.copyOf(Files.readAllBytes(victim), 3000));
		String m = message(series);
		assertTrue(m.startsWith(victim + " is truncated: its pixel data needs ") && m.contains("the file has 3000") && m.contains("Fix:"), m);
	}
}
