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
}
