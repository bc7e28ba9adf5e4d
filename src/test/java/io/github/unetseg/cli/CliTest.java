package io.github.unetseg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.UNetExporter;
import io.github.unetseg.testutil.Images;

/** The CLI end to end, with random-weight models written by the project, on real test images. */
class CliTest {

	@TempDir
	static Path dir;

	static Path model2d;
	static Path model3d;

	@BeforeAll
	static void models() {
		UNetConfig c2 = new UNetConfig(2, 1, 1, 2, 8, false, 0);
		model2d = UNetExporter.writeRandom(dir.resolve("m2d"), ModelSpec.forUNet("random2d", c2, List.of("background", "brain"),
			Normalization.percentile(), new double[] { 1, 1 }, "mm", new long[] { 96, 96 }, new long[] { 23, 23 },
			new ModelSpec.Provenance("test", "", "", "")), 5).directory();
		UNetConfig c3 = new UNetConfig(3, 1, 3, 2, 4, false, 0);
		model3d = UNetExporter.writeRandom(dir.resolve("m3d"), ModelSpec.forUNet("random3d", c3, List.of("a", "b", "c"),
			Normalization.percentile(), new double[] { 1, 1, 1 }, "mm", new long[] { 64, 64, 64 }, new long[] { 16, 16, 16 },
			new ModelSpec.Provenance("test", "", "", "")), 6).directory();
	}

	record Run(int code, String out, String err) {}

	static Run cli(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
		PrintStream o = System.out, e = System.err;
		try {
			System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
			System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
			int code = Main.run(args);
			return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
		}
		finally {
			System.setOut(o);
			System.setErr(e);
		}
	}

	@Test
	void segments2dTiffAnd3dNiftiWithCalibrationAndSummary() throws IOException {
		Path out = dir.resolve("out");
		Run r = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--threads", "2", "--probabilities",
			"test-images/mri-t1-axial-z90.tif");
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().contains("181 x 217") && r.out().contains("voxels/s") && r.out().contains("device CPU") && r.out().matches("(?s).*peak RSS [0-9]+\\.[0-9]{2} GiB.*"), r.out());
		// the default border computes nothing outside the image but the rounding to the 2^depth grid; mirror adds the halo
		var spec2d = io.github.unetseg.model.ModelBundle.read(model2d).spec();
		long a = spec2d.alignment(), halo = 2 * spec2d.halo()[0];
		assertTrue(r.out().contains("1 tiles of " + (181 + a - 1) / a * a + "x" + (217 + a - 1) / a * a), r.out());
		Run mirror = cli("segment", "--model", model2d.toString(), "--output", dir.resolve("mirror").toString(), "--threads", "2",
			"--border", "mirror", "test-images/mri-t1-axial-z90.tif");
		assertEquals(0, mirror.code(), mirror.err());
		String mirrored = (181 + halo + a - 1) / a * a + "x" + (217 + halo + a - 1) / a * a;
		assertTrue(mirror.out().contains("1 tiles of " + mirrored), mirrored + " in " + mirror.out());
		Volume<?> labels = ImageFiles.read(out.resolve("mri-t1-axial-z90_labels.tif"));
		assertArrayEquals(new long[] { 181, 217 }, labels.spatialSize());
		assertEquals("mm", labels.calibration().unit());
		Volume<?> probs = ImageFiles.read(out.resolve("mri-t1-axial-z90_probabilities.tif"));
		float[] p = Images.toFloats(cast(probs).image());
		float[] l = Images.toFloats(cast(labels).image());
		for (int i = 0; i < p.length; i++) {
			assertTrue(p[i] >= 0 && p[i] <= 1);
			assertEquals(p[i] > 0.5 ? 1 : 0, l[i], 0, "label follows the 0.5 threshold at " + i);
		}

		Path crop = dir.resolve("crop.nii.gz");
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		ImageFiles.write(new Volume<>(net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.interval(cast(ch2).image(),
			new long[] { 50, 60, 60, 0 }, new long[] { 110, 129, 100, 0 })), ch2.calibration()), crop, 0);
		r = cli("segment", "--model", model3d.toString(), "--output", out.toString(), "--threads", "2", crop.toString());
		assertEquals(0, r.code(), r.err());
		Volume<?> l3 = ImageFiles.read(out.resolve("crop_labels.nii.gz"));
		assertArrayEquals(new long[] { 61, 70, 41 }, l3.spatialSize());
		assertEquals(ch2.calibration(), l3.calibration(), "spacing and orientation follow the input");
		for (float v : Images.toFloats(cast(l3).image())) assertTrue(v == 0 || v == 1 || v == 2);
	}

	/** Two inputs with one output name in different shards of a job array: the later one fails in its shard. */
	@Test
	void sameNamedInputsInDifferentShardsAreNotBothWritten() throws IOException {
		Path a = Files.createDirectories(dir.resolve("shard-p1")).resolve("t1.tif"), b = Files.createDirectories(dir.resolve("shard-p2"))
			.resolve("t1.tif"), out = dir.resolve("shard-out");
		Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), a);
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), b);
		Run first = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--threads", "2", "--shard", "0/2",
			a.toString(), b.toString());
		Run second = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--threads", "2", "--shard", "1/2",
			a.toString(), b.toString());
		assertEquals(0, first.code(), first.err());
		assertEquals(1, second.code());
		assertTrue(second.err().contains(b + " and " + a + " would both write t1_labels.tif"), second.err());
		assertTrue(second.out().contains("done: 0 segmented, 0 skipped, 1 failed"), second.out());
		float[] labels = io.github.unetseg.testutil.Images.toFloats(io.github.unetseg.io.ImageFiles.read(out.resolve("t1_labels.tif")).image());
		Run alone = cli("segment", "--model", model2d.toString(), "--output", dir.resolve("shard-alone").toString(), "--threads", "2",
			a.toString());
		assertEquals(0, alone.code());
		assertArrayEquals(io.github.unetseg.testutil.Images.toFloats(io.github.unetseg.io.ImageFiles.read(dir.resolve(
			"shard-alone/t1_labels.tif")).image()), labels, "the first input's labels");
	}

	/** Mistakes that used to be noticed late, or not at all, are refused before any image is segmented. */
	@Test
	void inputAndOutputMistakesAreCaughtBeforeSegmenting() throws IOException {
		Path empty = Files.createDirectories(dir.resolve("empty-in"));
		Files.writeString(empty.resolve("notes.txt"), "no image here");
		Run r = cli("segment", "--model", model2d.toString(), "--output", dir.resolve("never").toString(), empty.toString());
		assertEquals(2, r.code(), "an empty folder is a usage error, not success");
		assertTrue(r.err().contains("holds no image file") && r.err().contains("Fix:"), r.err());

		r = cli("segment", "--model", model2d.toString(), "--output", dir.resolve("never").toString(), "--truth",
			dir.resolve("no-truth").toString(), "test-images/mri-t1-axial-z90.tif");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("--truth") && r.err().contains("does not exist"), r.err());
		assertFalse(Files.exists(dir.resolve("never")), "nothing was segmented");

		Path same = Files.createDirectories(dir.resolve("same folder"));
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), same.resolve("z90.tif"));
		for (int run = 0; run < 2; run++) {
			r = cli("segment", "--model", model2d.toString(), "--output", same.toString(), "--threads", "2", same.toString());
			assertEquals(0, r.code(), r.err());
			assertTrue(r.out().contains(run == 0 ? "done: 1 segmented, 0 skipped" : "done: 0 segmented, 1 skipped"), r.out());
		}
		try (var files = Files.list(same)) {
			assertEquals(2, files.count(), "no z90_labels_labels.tif: the outputs in an input folder are not inputs");
		}

		Path list = Files.writeString(dir.resolve("list.txt"), same.resolve("z90.tif") + "\n");
		r = cli("segment", "--model", model2d.toString(), "--output", dir.resolve("from-list").toString(), "--threads", "2", "@" + list);
		assertEquals(0, r.code(), r.err());
		assertTrue(Files.isRegularFile(dir.resolve("from-list/z90_labels.tif")), "a listed path with a space is one argument");
	}

	/**
	 * Under {@code LC_ALL=C} a file named in UTF-8 used to abort the whole run ("Malformed input"); now it
	 * is that file's failure with the fix, and the rest of the folder is segmented.
	 */
	@Test
	void anUndecodableFileNameFailsAloneUnderTheCLocale() throws IOException, InterruptedException {
		org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding")).newEncoder()
			.canEncode('\u00e9'), "this JVM's file-name encoding cannot create the UTF-8 name the test needs; run the tests under a UTF-8 locale");
		Path in = Files.createDirectories(dir.resolve("locale-in")), out = dir.resolve("locale-out");
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("a.tif"));
		Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), in.resolve("caf\u00e9.tif"));
		List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
			System.getProperty("java.class.path"), Main.class.getName(), "segment", "--model", model2d.toString(), "--output",
			out.toString(), "--threads", "2", in.toString());
		ProcessBuilder pb = new ProcessBuilder(cmd);
		pb.environment().put("LC_ALL", "C");
		pb.environment().remove("LANG");
		Process p = pb.start();
		String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(120, TimeUnit.SECONDS));
		assertEquals(1, p.exitValue(), stdout + stderr);
		assertTrue(stdout.contains("done: 1 segmented, 0 skipped, 1 failed"), stdout + stderr);
		assertTrue(stderr.contains("cannot be decoded in this JVM's file-name encoding") && stderr.contains("Fix: run with a UTF-8 locale"),
			stderr);
		assertTrue(Files.isRegularFile(out.resolve("a_labels.tif")));
	}

	@Test
	void aFreshJvmLoadsTheBundleAndGivesBitIdenticalOutputs() throws IOException, InterruptedException {
		Path a = dir.resolve("here"), b = dir.resolve("fresh");
		String input = "test-images/mri-t1-axial-z70.tif";
		// a fixed tile, so that the two JVMs cannot choose different tiles from different free memory
		assertEquals(0, cli("segment", "--model", model2d.toString(), "--output", a.toString(), "--threads", "2", "--tile", "96",
			"--probabilities", input).code());
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
			System.getProperty("java.class.path"), Main.class.getName(), "segment", "--model", model2d.toString(), "--output",
			b.toString(), "--threads", "2", "--tile", "96", "--probabilities", input));
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(120, TimeUnit.SECONDS));
		assertEquals(0, p.exitValue(), log);
		for (String f : new String[] { "mri-t1-axial-z70_labels.tif", "mri-t1-axial-z70_probabilities.tif" })
			assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
	}

	@Test
	void badInputsEndWithOneClearMessageAndNoPartialFiles() throws IOException {
		Path out = dir.resolve("errors");
		Run r = cli("segment", "--model", dir.resolve("missing").toString(), "--output", out.toString(),
			"test-images/mri-t1-axial-z90.tif");
		assertEquals(1, r.code());
		assertTrue(r.err().contains("does not exist") && r.err().contains("Fix"), r.err());

		// a two-channel image for a one-channel model fails; the other file is still segmented
		Path twoChannels = dir.resolve("two-channels.tif");
		io.github.unetseg.io.ImageFiles.write(new io.github.unetseg.image.Volume<>(net.imglib2.img.array.ArrayImgs.unsignedBytes(40, 30, 2),
			io.github.unetseg.image.Calibration.uncalibrated(2)), twoChannels, 0);
		r = cli("segment", "--model", model2d.toString(), "--output", out.toString(), twoChannels.toString(),
			"test-images/mri-t1-axial-z90.tif");
		assertEquals(1, r.code(), "one file failed");
		assertTrue(r.err().contains("has 2 channel(s) but model random2d expects 1"), r.err());
		assertTrue(Files.exists(out.resolve("mri-t1-axial-z90_labels.tif")), "the other file is still done");
		assertFalse(Files.exists(out.resolve("two-channels_labels.tif")));

		Path broken = dir.resolve("broken");
		copyTree(model2d, broken);
		String json = Files.readString(broken.resolve("model.json")).replace("\"inputChannels\": 1", "\"inputChannels\": 3");
		Files.writeString(broken.resolve("model.json"), json);
		r = cli("segment", "--model", broken.toString(), "--output", out.toString(), "test-images/mri-t1-axial-z90.tif");
		assertEquals(1, r.code());
		assertTrue(r.err().contains("channels") && r.err().contains("inputChannels"), r.err());

		Files.writeString(broken.resolve("saved_model.pb"), "garbage");
		r = cli("segment", "--model", broken.toString(), "--output", out.toString(), "test-images/mri-t1-axial-z90.tif");
		assertEquals(1, r.code());
		assertTrue(r.err().contains("Cannot load the TensorFlow SavedModel"), r.err());

		Path file = dir.resolve("a-file");
		Files.writeString(file, "x");
		r = cli("segment", "--model", model2d.toString(), "--output", file.resolve("sub").toString(), "test-images/mri-t1-axial-z90.tif");
		assertEquals(1, r.code());
		assertTrue(r.err().contains("Cannot write into the output folder") && r.err().contains("--output"), r.err());
		assertFalse(r.out().contains("tiles of"), "refused before segmenting: " + r.out());

		r = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--overlap", "2",
			"test-images/mri-t1-axial-z90.tif");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("overlap"), r.err());
		r = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--border", "zero",
			"test-images/mri-t1-axial-z90.tif");
		assertEquals(2, r.code());
		assertTrue(r.err().contains("border must be 'same' or 'mirror'"), r.err());
		try (var s = Files.list(out)) {
			assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files");
		}
	}

	@Test
	void shardsCoverEveryInputOnceAndARerunCompletesOnlyWhatAKilledShardLeft() throws Exception {
		Path in = dir.resolve("many"), out = dir.resolve("sharded");
		Files.createDirectories(in);
		for (int k = 0; k < 5; k++)
			Files.copy(Path.of("test-images/mri-t1-axial-z" + (k % 2 == 0 ? 70 : 90) + ".tif"), in.resolve("img" + k + ".tif"));
		int segmented = 0;
		for (int i = 0; i < 3; i++) {
			Run r = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--threads", "2", "--shard", i + "/3",
				in.toString());
			assertEquals(0, r.code(), r.err());
			java.util.regex.Matcher m = java.util.regex.Pattern.compile("done: (\\d+) segmented").matcher(r.out());
			assertTrue(m.find(), r.out());
			segmented += Integer.parseInt(m.group(1));
		}
		assertEquals(5, segmented, "each input in exactly one shard");
		try (var s = Files.list(out)) {
			assertEquals(5, s.count());
		}
		// a killed shard: two outputs missing, one temporary file left behind
		Files.delete(out.resolve("img1_labels.tif"));
		Files.delete(out.resolve("img4_labels.tif"));
		Files.writeString(out.resolve(".img1_labels.tif123.tmp"), "partial");
		long before = Files.getLastModifiedTime(out.resolve("img0_labels.tif")).toMillis();
		Thread.sleep(20);
		segmented = 0;
		int skipped = 0;
		for (int i = 0; i < 3; i++) {
			Run r = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--threads", "2", "--shard", i + "/3",
				in.toString() + "/*.tif");
			assertEquals(0, r.code(), r.err());
			java.util.regex.Matcher m = java.util.regex.Pattern.compile("done: (\\d+) segmented, (\\d+) skipped").matcher(r.out());
			assertTrue(m.find(), r.out());
			segmented += Integer.parseInt(m.group(1));
			skipped += Integer.parseInt(m.group(2));
		}
		assertEquals(2, segmented);
		assertEquals(3, skipped);
		assertEquals(before, Files.getLastModifiedTime(out.resolve("img0_labels.tif")).toMillis(), "complete outputs untouched");
		assertArrayEquals(Files.readAllBytes(out.resolve("img0_labels.tif")), Files.readAllBytes(out.resolve("img2_labels.tif")),
			"same input, same output");
		Run bad = cli("segment", "--model", model2d.toString(), "--output", out.toString(), "--shard", "3/3", in.toString());
		assertEquals(2, bad.code());
		assertTrue(bad.err().contains("0 <= i < n"), bad.err());
	}

	@Test
	void infoListsTheCpuAndTheModel() {
		Run r = cli("info", "--model", model3d.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().contains("device CPU") && r.out().contains("\"name\": \"random3d\"") &&
			r.out().contains("receptive field radius 23 px"), r.out());
		assertTrue(r.out().contains("SavedModel loads and its signature fits model.json"), r.out());
	}

	/** {@code info} used to pass a corrupt SavedModel because it read model.json only. */
	@Test
	void infoLoadsTheSavedModel() throws IOException {
		Path broken = dir.resolve("info-broken");
		copyTree(model2d, broken);
		Files.writeString(broken.resolve("saved_model.pb"), "garbage");
		Run r = cli("info", "--model", broken.toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("Cannot load the TensorFlow SavedModel"), r.err());
	}

	static void copyTree(Path from, Path to) throws IOException {
		try (var s = Files.walk(from)) {
			for (Path p : (Iterable<Path>) s::iterator) {
				Path t = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<net.imglib2.type.numeric.real.FloatType> cast(Volume<?> v) {
		return (Volume) v;
	}

	@Test
	void evaluateInstancesScoresObjectsPerImageAndForTheSet() throws IOException {
		// truth: the dsb2018 labels of test-images; prediction: the same objects with object 1 removed and ids shuffled
		Path truth = dir.resolve("inst-truth"), pred = dir.resolve("inst-pred");
		Files.createDirectories(truth);
		Files.createDirectories(pred);
		Path t = Path.of("test-images/nuclei-labels/dsb2018-0287e7ee.png");
		Files.copy(t, truth.resolve("a.png"));
		io.github.unetseg.image.Volume<?> v = io.github.unetseg.io.ImageFiles.read(t);
		short[] p = new short[(int) v.voxelCount()];
		int i = 0, max = 0;
		for (Object o : net.imglib2.view.Views.flatIterable(v.image())) {
			int id = (int) ((net.imglib2.type.numeric.RealType<?>) o).getRealDouble();
			max = Math.max(max, id);
			p[i++] = (short) (id == 1 ? 0 : id == 0 ? 0 : 1000 - id);
		}
		io.github.unetseg.io.ImageFiles.write(new io.github.unetseg.image.Volume<>(net.imglib2.img.array.ArrayImgs.unsignedShorts(p, 256,
			256, 1), io.github.unetseg.image.Calibration.uncalibrated(2)), pred.resolve("a_labels.tif"), 0);
		Path csv = dir.resolve("inst.csv");
		Run r = cli("evaluate", "--instances", "--prediction", pred.toString(), "--truth", truth.toString(), "--output", csv.toString());
		assertEquals(0, r.code(), r.err());
		double ap = (max - 1.0) / max; // TP = max - 1, FN = 1, FP = 0
		assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "%7.4f", ap)), r.out());
		assertTrue(r.out().contains("mean AP over IoU 0.5-0.9: " + String.format(java.util.Locale.ROOT, "%.4f", ap)), r.out());
		List<String> rows = Files.readAllLines(csv);
		assertEquals(1 + 9 + 9, rows.size(), "9 thresholds for the image and for ALL");
		assertTrue(rows.get(10).startsWith("ALL,0.50," + (max - 1) + ",0,1,"), rows.get(10));
	}
}
