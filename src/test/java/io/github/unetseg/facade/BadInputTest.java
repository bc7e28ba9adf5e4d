package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;

/** Regression tests of the hostile-user review: each case's exact behaviour after its fix. */
class BadInputTest {

	@TempDir
	Path dir;

	static final Path MODEL = Path.of("models/brain-mri-2d");

	static float[] pixels(Volume<?> v) {
		return Images.toFloats(v.image());
	}

	static double dice(float[] a, float[] b) {
		short[] x = new short[a.length], y = new short[b.length];
		for (int i = 0; i < a.length; i++) {
			x[i] = (short) a[i];
			y[i] = (short) b[i];
		}
		return Overlap.perClass(x, y, 2)[1].dice();
	}

	/** One NaN pixel used to empty the prediction (Dice 0): now it is left out and reported. */
	@Test
	void nanAndInfinitePixelsNeitherPoisonTheStatisticsNorTheNetwork() {
		float[] mri = pixels(ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif")));
		float[] truth = pixels(ImageFiles.read(Path.of("test-images/mri-t1-axial-z90-brainmask.tif")));
		float[] poisoned = mri.clone();
		poisoned[1000] = Float.NaN;
		poisoned[20000] = Float.POSITIVE_INFINITY;
		poisoned[30000] = Float.NEGATIVE_INFINITY;
		ArrayImg<FloatType, ?> clean = ArrayImgs.floats(mri, 181, 217, 1), bad = ArrayImgs.floats(poisoned, 181, 217, 1);
		var cal = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif")).calibration();
		try (Segmenter s = new LocalSegmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
			SegmentationResult a = s.segment(new Volume<>(clean, cal), SegmentationSettings.defaults(), ProgressListener.NONE, "clean");
			SegmentationResult b = s.segment(new Volume<>(bad, cal), SegmentationSettings.defaults().withProbabilities(true),
				ProgressListener.NONE, "poisoned");
			double da = dice(pixels(a.labels()), truth), db = dice(pixels(b.labels()), truth);
			assertTrue(da > 0.98, "clean Dice " + da);
			assertEquals(da, db, 0.002, "three bad pixels change Dice by at most a few pixels");
			assertEquals(List.of(), a.warnings());
			assertEquals(1, b.warnings().size());
			assertTrue(b.warnings().get(0).startsWith("poisoned has 3 voxel(s) that are NaN or infinite"), b.warnings().get(0));
			for (float p : pixels(b.probabilities())) assertTrue(Float.isFinite(p), "every probability is a number");
		}
	}

	/** Two inputs named alike used to overwrite each other's labels: the later one is refused, every time. */
	@Test
	void inputsWithTheSameOutputNameAreNotBothWritten() throws Exception {
		Path a = Files.createDirectories(dir.resolve("p1")).resolve("t1.tif"), b = Files.createDirectories(dir.resolve("p2")).resolve("t1.tif");
		Path c = dir.resolve("p1").resolve("t1.tiff");
		Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), a);
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), b);
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), c);
		Path out = dir.resolve("out");
		try (Segmenter s = new LocalSegmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
			for (FileStatus first : List.of(FileStatus.DONE, FileStatus.SKIPPED)) {
				List<FileStatus> statuses = new ArrayList<>();
				List<String> errors = new ArrayList<>();
				Map<FileStatus, Integer> counts = s.segmentFiles(List.of(a, b, c), out, SegmentationSettings.defaults(), false,
					(i, f, status, r, e) -> {
						statuses.add(status);
						if (e != null) errors.add(e.getMessage());
					});
				assertEquals(List.of(first, FileStatus.FAILED, FileStatus.FAILED), statuses, "rerun: " + (first == FileStatus.SKIPPED));
				assertEquals(2, counts.get(FileStatus.FAILED));
				assertTrue(errors.get(0).startsWith(b + " and " + a + " would both write t1_labels.tif") && errors.get(0).contains("Fix:"),
					errors.get(0));
				assertTrue(errors.get(1).startsWith(c + " and " + a), errors.get(1));
			}
		}
		float[] written = pixels(ImageFiles.read(out.resolve("t1_labels.tif")));
		try (Segmenter s = new LocalSegmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
			assertArrayEquals(pixels(s.segment(ImageFiles.read(a), SegmentationSettings.defaults(), ProgressListener.NONE, "a").labels()),
				written, "the first input's labels, untouched");
		}
	}

	/** Temporary files left by a killed run used to survive every rerun (one of 256 MiB was seen). */
	@Test
	void aRerunRemovesTheTemporaryFilesOfItsOwnOutputs() throws Exception {
		Path in = Files.createDirectories(dir.resolve("tmp-in")), out = Files.createDirectories(dir.resolve("tmp-out"));
		Path a = Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("a.tif"));
		Path stale = Files.writeString(out.resolve(".a_labels.tif1234567890.tmp"), "left by kill -9");
		Path staleProbabilities = Files.writeString(out.resolve(".a_probabilities.tif-42.tmp"), "left by kill -9");
		Path otherShards = Files.writeString(out.resolve(".b_labels.tif987.tmp"), "another shard's file in progress");
		try (Segmenter s = new LocalSegmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
			s.segmentFiles(List.of(a), out, SegmentationSettings.defaults(), false, (i, f, status, r, e) -> assertEquals(FileStatus.DONE,
				status));
		}
		assertFalse(Files.exists(stale));
		assertFalse(Files.exists(staleProbabilities));
		assertTrue(Files.exists(otherShards), "only this run's outputs' temporaries are removed");
		assertTrue(Files.isRegularFile(out.resolve("a_labels.tif")));
	}

	/** Running out of memory in one file used to end the whole run: now it is that file's failure. */
	@Test
	void outOfMemoryIsOneFilesFailureAndTheRunGoesOn() throws Exception {
		Path in = Files.createDirectories(dir.resolve("in"));
		Path big = Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), in.resolve("big.tif"));
		Path small = Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("small.tif"));
		List<String> seen = new ArrayList<>();
		FolderRun.Work work = new FolderRun.Work() {
			@Override
			public boolean streams(Path input) {
				return false;
			}

			@Override
			public FileResult stream(Path input, Path outputDir, SegmentationSettings settings, ProgressListener progress) {
				throw new AssertionError("nothing streams here");
			}

			@Override
			public SegmentationResult segment(Volume<?> volume, SegmentationSettings settings, ProgressListener progress, String source) {
				if (source.endsWith("big.tif")) throw new OutOfMemoryError("Java heap space");
				try (LocalSegmenter s = new LocalSegmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
					return s.segment(volume, settings, progress, source);
				}
			}

			@Override
			public int labelClasses() {
				return 2;
			}
		};
		Map<FileStatus, Integer> counts = FolderRun.run(List.of(big, small), dir.resolve("out"), SegmentationSettings.defaults(), false,
			(i, f, status, r, e) -> seen.add(status + (e == null ? "" : ": " + e.getMessage())), work);
		assertEquals(1, counts.get(FileStatus.FAILED));
		assertEquals(1, counts.get(FileStatus.DONE));
		assertTrue(seen.get(0).startsWith("FAILED: Not enough memory to segment " + big + " (Java heap space; Java heap at most "), seen.get(0));
		assertTrue(seen.get(0).contains("Fix: give Java more memory") && seen.get(0).contains("smaller --tile or --batch"), seen.get(0));
		assertEquals("DONE", seen.get(1));
		assertTrue(Files.isRegularFile(dir.resolve("out/small_labels.tif")));
		assertFalse(Files.exists(dir.resolve("out/big_labels.tif")));
	}

	/** {@code --spacing 0,0}, {@code -1,0} and {@code NaN,1} used to give HD 0, 175 and NaN marked "ok". */
	@Test
	void nonPositiveOrNonFiniteSpacingIsRefused() {
		for (double[] bad : new double[][] { { 0, 0 }, { -1, 0 }, { Double.NaN, 1 }, { 1, Double.POSITIVE_INFINITY } }) {
			SegmentationException e = assertThrows(SegmentationException.class, () -> Evaluator.evaluateFiles(Path.of(
				"test-images/mri-t1-axial-z90-brainmask.tif"), Path.of("test-images/mri-t1-axial-z90-brainmask.tif"), null, bad, 1));
			assertTrue(e.getMessage().startsWith("--spacing ") && e.getMessage().contains("not a positive number") &&
				e.getMessage().contains("Fix:"), e.getMessage());
		}
		Evaluator.checkSpacing(new double[] { 0.5, 1 });
		Evaluator.checkSpacing(null);
	}

	/** Training on labels that are all background used to write a model with Dice 0 and exit 0. */
	@Test
	void trainingOnEmptyLabelsIsRefused() throws Exception {
		Path images = Files.createDirectories(dir.resolve("images")), labels = Files.createDirectories(dir.resolve("labels"));
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), images.resolve("a.tif"));
		Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), images.resolve("b.tif"));
		Volume<?> mask = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90-brainmask.tif"));
		ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType, ?> zeros = ArrayImgs.unsignedBytes(181, 217, 1);
		ImageFiles.write(new Volume<>(zeros, mask.calibration()), labels.resolve("a.tif"), 2);
		ImageFiles.write(new Volume<>(zeros, mask.calibration()), labels.resolve("b.tif"), 2);
		TrainingRequest r = Options.training(Options.parse("images=" + images + " labels=" + labels + " output=" + dir.resolve("m") +
			" depth=2 filters=4 epochs=1 steps=1 batch=1 patch=64 device=cpu"));
		SegmentationException e = assertThrows(SegmentationException.class, () -> new LocalTrainer().train(r, ProgressListener.NONE, null));
		assertTrue(e.getMessage().contains("is empty (all voxels 0") && e.getMessage().contains("Fix:"), e.getMessage());
		assertFalse(Files.exists(dir.resolve("m/saved_model.pb")));
	}

	static Volume<?> square(io.github.unetseg.image.Calibration cal, int from) {
		ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType, ?> img = ArrayImgs.unsignedBytes(20, 20, 10, 1);
		var ra = img.randomAccess();
		for (int z = 3; z < 7; z++)
			for (int y = from; y < from + 8; y++)
				for (int x = from; x < from + 8; x++) {
					ra.setPosition(new long[] { x, y, z, 0 });
					ra.get().set(1);
				}
		return new Volume<>(img, cal);
	}

	/**
	 * Evaluation used to treat µm and mm alike, ignore NIfTI affines (a prediction shifted 10 mm scored
	 * Dice 1.0) and drop pairs where both masks are empty.
	 */
	@Test
	void evaluationComparesOnlyImagesInTheSameSpaceAndKeepsBothEmptyRows() {
		double[] affine = { 1, 0, 0, -10, 0, 1, 0, -10, 0, 0, 2, 0 }, shifted = affine.clone();
		shifted[3] += 10;
		var mm = new io.github.unetseg.image.Calibration(new double[] { 1, 1, 2 }, "mm", affine);
		Volume<?> truth = square(mm, 5);
		assertEquals(1.0, Evaluator.evaluate(square(mm, 5), truth, null, null, 1, "p", "t").metrics().get(0).dice());
		SegmentationException e = assertThrows(SegmentationException.class, () -> Evaluator.evaluate(square(
			new io.github.unetseg.image.Calibration(new double[] { 1, 1, 2 }, "mm", shifted), 5), truth, null, null, 1, "p", "t"));
		assertTrue(e.getMessage().contains("lie differently in space") && e.getMessage().contains("Fix:"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> Evaluator.evaluate(square(io.github.unetseg.image.Calibration.of("\u00b5m", 1,
			1, 2), 5), square(io.github.unetseg.image.Calibration.of("mm", 1, 1, 2), 5), null, null, 1, "p", "t"));
		assertTrue(e.getMessage().contains("different units") && e.getMessage().contains("Fix:"), e.getMessage());
		assertEquals(1.0, Evaluator.evaluate(square(io.github.unetseg.image.Calibration.of("um", 1, 1, 2), 5), square(
			io.github.unetseg.image.Calibration.of("\u00b5m", 1, 1, 2), 5), null, null, 1, "p", "t").metrics().get(0).dice(), "um is \u00b5m");
		assertEquals(1.0, Evaluator.evaluate(square(new io.github.unetseg.image.Calibration(new double[] { 1, 1, 2 }, "mm", shifted), 5),
			truth, null, new double[] { 1, 1, 2 }, 1, "p", "t").metrics().get(0).dice(), "--spacing compares the grids as they are");
		ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType, ?> mask255 = ArrayImgs.unsignedBytes(20, 20, 10, 1);
		int k = 0;
		for (var t : mask255) t.set(k++ % 7 == 0 ? 255 : 0);
		e = assertThrows(SegmentationException.class, () -> Evaluator.evaluate(square(mm, 5), new Volume<>(mask255, mm), null, null, 1, "p",
			"t"));
		assertTrue(e.getMessage().contains("0/255") && e.getMessage().contains("[255]") && e.getMessage().contains("Fix:"), e.getMessage());
		Volume<?> empty = new Volume<>(ArrayImgs.unsignedBytes(20, 20, 10, 1), mm);
		var both = Evaluator.evaluate(empty, empty, null, null, 1, "p", "t").metrics();
		assertEquals(1, both.size(), "a row for the pair");
		assertTrue(Double.isNaN(both.get(0).dice()));
		assertEquals("both empty", both.get(0).status());
	}

	/** A slice of another series at a plausible position used to be merged silently. */
	@Test
	void aSliceOfAnotherDicomSeriesIsRefused() throws Exception {
		Path series = Images.dicomSeriesCopy(dir);
		Path other = series.resolve("IMG0003.dcm");
		byte[] b = Files.readAllBytes(other);
		int at = -1; // explicit VR little endian: (0020,000E) "UI" length value
		for (int i = 0; i + 8 < b.length && at < 0; i++)
			if (b[i] == 0x20 && b[i + 1] == 0 && b[i + 2] == 0x0e && b[i + 3] == 0 && b[i + 4] == 'U' && b[i + 5] == 'I') at = i + 8;
		assertTrue(at > 0, "the test series carries a Series Instance UID");
		b[at + 4] = (byte) (b[at + 4] == '1' ? '2' : '1');
		Files.write(other, b);
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(series)).getMessage();
		assertTrue(m.contains("mixes DICOM series") && m.contains("IMG0003.dcm") && m.contains("Fix:"), m);
	}

	/** {@code --resume} with another {@code --depth} used to fail with "Key upconv6.kernel/var not found". */
	@Test
	void resumingWithAnotherNetworkSaysWhich() throws Exception {
		Path[] data = Images.brainTrainingFolders(dir, "brain");
		Path images = data[0], labels = data[1];
		String common = "images=" + images + " labels=" + labels + " output=" + dir.resolve("m") + " filters=4 epochs=1 steps=1 batch=1 " +
			"patch=64 device=cpu";
		new LocalTrainer().train(Options.training(Options.parse(common + " depth=2")), ProgressListener.NONE, null);
		Path oneImage = Files.createDirectories(dir.resolve("one-image")), oneLabel = Files.createDirectories(dir.resolve("one-label"));
		Files.copy(images.resolve("z90.tif"), oneImage.resolve("z90.tif"));
		Files.copy(labels.resolve("z90.tif"), oneLabel.resolve("z90.tif"));
		TrainingOutcome first = new LocalTrainer().train(Options.training(Options.parse("images=" + oneImage + " labels=" + oneLabel +
			" output=" + dir.resolve("one") + " filters=4 epochs=1 steps=1 batch=1 patch=64 device=cpu depth=2")), ProgressListener.NONE, null);
		assertEquals(1, first.warnings().size(), "one pair: validated on the training image, and said so");
		assertTrue(first.warnings().get(0).startsWith("No image was left for validation"), first.warnings().get(0));
		SegmentationException e = assertThrows(SegmentationException.class, () -> new LocalTrainer().train(Options.training(Options
			.parse(common + " depth=3 epochs=2 resume")), ProgressListener.NONE, null));
		assertTrue(e.getMessage().contains("is of another network") && e.getMessage().contains("depth=2") &&
			e.getMessage().contains("--depth"), e.getMessage());
	}

	/** An RGB image and a 1-channel model: refused with the choice, or converted to luminance when asked. */
	@Test
	void rgbMeetsAOneChannelModelByChoice() {
		Volume<?> grey = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif"));
		float[] v = pixels(grey);
		ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType, ?> rgb = ArrayImgs.unsignedBytes(181, 217, 3);
		int i = 0;
		for (var t : rgb) t.set((int) v[i++ % v.length]); // R = G = B = the grey image
		Volume<?> colour = new Volume<>(rgb, grey.calibration());
		try (Segmenter s = new LocalSegmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
			SegmentationException e = assertThrows(SegmentationException.class, () -> s.segment(colour, SegmentationSettings.defaults(),
				ProgressListener.NONE, "colour.png"));
			assertTrue(e.getMessage().contains("has 3 channel(s)") && e.getMessage().contains("--rgb luminance") &&
				e.getMessage().contains("3-channel model"), e.getMessage());
			SegmentationResult converted = s.segment(colour, SegmentationSettings.defaults().withRgbToLuminance(true), ProgressListener.NONE,
				"colour.png");
			assertTrue(converted.warnings().get(0).contains("converted to luminance"), converted.warnings().toString());
			assertArrayEquals(pixels(s.segment(grey, SegmentationSettings.defaults(), ProgressListener.NONE, "grey").labels()),
				pixels(converted.labels()), "grey as RGB gives the grey image's labels");
		}
		ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType, ?> one = ArrayImgs.unsignedBytes(new byte[] { 100, 50, (byte) 200 },
			1, 1, 3);
		assertEquals(0.299 * 100 + 0.587 * 50 + 0.114 * 200, pixels(LocalSegmenter.luminance(new Volume<>(one,
			io.github.unetseg.image.Calibration.uncalibrated(2))))[0], 1e-4);
	}
}
