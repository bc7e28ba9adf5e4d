package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * Thousands of mutated files of every format (TIFF, OME-TIFF, BigTIFF, NIfTI plain and gzip, NRRD,
 * MetaImage, a DICOM slice): each must either read or fail with a {@link SegmentationException}, never
 * another exception, an OutOfMemoryError or a hang. Mutations: random bytes in the header (inside the
 * gzip member for {@code .nii.gz}), truncation, and fields or numbers replaced by huge, zero or negative
 * ones, so that headers claim far more than the file holds. The loop runs in a child JVM with a heap of
 * {@value #HEAP}, so a reader that allocates what a header claims before checking it fails the test.
 */
class ReaderFuzzTest {

	@TempDir
	Path dir;

	static final int PER_FORMAT = 400;
	static final String HEAP = "-Xmx256m";

	@Test
	void mutatedFilesReadOrFailWithOurErrorInASmallHeap() throws Exception {
		String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP, "-Djava.awt.headless=true",
			"-cp", cp, ReaderFuzzTest.class.getName(), dir.toString()).redirectErrorStream(true).start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS), "the fuzz run ended");
		assertEquals(0, p.exitValue(), log);
		assertTrue(log.contains("fuzz: "), log);
	}

	/**
	 * The fuzz loop, in the child JVM.
	 *
	 * @param args a scratch folder
	 */
	public static void main(String[] args) throws Exception {
		try {
			System.out.println(fuzz(Path.of(args[0])));
		}
		catch (Throwable t) {
			t.printStackTrace(System.out);
			System.exit(1);
		}
		System.exit(0);
	}

	static String fuzz(Path dir) throws Exception {
		ArrayImg<UnsignedShortType, ?> img = ArrayImgs.unsignedShorts(9, 7, 3, 1);
		Random r = new Random(11);
		for (UnsignedShortType t : img) t.set(r.nextInt(65536));
		Volume<UnsignedShortType> v = new Volume<>(img, Calibration.of("mm", 0.5, 0.5, 2));
		Map<String, byte[]> seeds = new LinkedHashMap<>();
		for (String name : new String[] { "s.tif", "s.ome.tif", "s.btf", "s.nii", "s.nii.gz", "s.nrrd", "s.mha" }) {
			Path p = dir.resolve(name);
			ImageFiles.write(v, p, 0);
			seeds.put(name, Files.readAllBytes(p));
		}
		seeds.put("s.dcm", Files.readAllBytes(Path.of("test-images/dicom-ct-series/IMG0000.dcm")));
		int read = 0, rejected = 0;
		for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
			byte[] orig = seed.getValue();
			boolean text = seed.getKey().endsWith(".nrrd") || seed.getKey().endsWith(".mha");
			String name = seed.getKey();
			int headerBytes = Math.min(orig.length, name.endsWith(".tif") || name.endsWith(".btf") ? 400 : text ? 220
				: name.endsWith(".dcm") ? orig.length - 64 * 48 * 2 : name.endsWith(".gz") ? orig.length / 2 : 352);
			for (int k = 0; k < PER_FORMAT; k++) {
				byte[] m = orig.clone();
				int kind = k % 3;
				if (kind == 0) {
					int flips = 1 + r.nextInt(4);
					for (int f = 0; f < flips; f++) m[r.nextInt(headerBytes)] = (byte) r.nextInt(256);
				}
				else if (kind == 1) m = java.util.Arrays.copyOf(m, r.nextInt(orig.length));
				else if (text) m = replaceNumber(m, r);
				else {
					// a 16-bit or 32-bit field set to an extreme value
					int at = r.nextInt(headerBytes - 4);
					int val = new int[] { 0, -1, Integer.MAX_VALUE, 65535, 32767, -32768 }[r.nextInt(6)];
					m[at] = (byte) val;
					m[at + 1] = (byte) (val >> 8);
					if (r.nextBoolean()) {
						m[at + 2] = (byte) (val >> 16);
						m[at + 3] = (byte) (val >> 24);
					}
				}
				Path p = dir.resolve("m" + k + "-" + seed.getKey());
				Files.write(p, m);
				long t0 = System.nanoTime();
				try {
					ImageFiles.read(p);
					read++;
				}
				catch (SegmentationException e) {
					rejected++;
				}
				catch (Throwable t) {
					fail(seed.getKey() + " mutation " + k + " (kind " + kind + ") threw " + t, t);
				}
				assertTrue((System.nanoTime() - t0) / 1e9 < 5, seed.getKey() + " mutation " + k + " took over 5 s");
				Files.delete(p);
			}
		}
		assertTrue(rejected > PER_FORMAT, "the mutations must break files");
		return "fuzz: " + read + " read, " + rejected + " rejected with a SegmentationException";
	}

	static byte[] replaceNumber(byte[] m, Random r) {
		String s = new String(m, StandardCharsets.ISO_8859_1);
		int header = Math.max(0, Math.min(s.length(), s.indexOf("\n\n") > 0 ? s.indexOf("\n\n") : s.indexOf("LOCAL") > 0 ? s.indexOf("LOCAL") : 200));
		java.util.regex.Matcher mt = java.util.regex.Pattern.compile("[0-9]+(\\.[0-9]+)?").matcher(s.substring(0, header));
		java.util.List<int[]> spans = new java.util.ArrayList<>();
		while (mt.find()) spans.add(new int[] { mt.start(), mt.end() });
		if (spans.isEmpty()) return m;
		int[] sp = spans.get(r.nextInt(spans.size()));
		String repl = new String[] { "0", "-3", "99999999999", "2147483647", "1e308", "nan", "abc", "" }[r.nextInt(8)];
		return (s.substring(0, sp[0]) + repl + s.substring(sp[1])).getBytes(StandardCharsets.ISO_8859_1);
	}
}
