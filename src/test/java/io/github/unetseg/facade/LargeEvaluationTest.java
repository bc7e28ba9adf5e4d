package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.ClassMetrics;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

/**
 * Evaluation of label images beyond one array ({@link LargeEvaluation}): counts in one streaming pass and
 * surface distances on each class's bounding box give exactly the whole-array metrics, also for classes that
 * touch the image border or are missing from one image; a class whose box is too large keeps its overlap
 * scores; files larger than memory are read lazily.
 */
class LargeEvaluationTest {

	@TempDir
	Path dir;

	@AfterEach
	void reset() {
		System.clearProperty("unetseg.evaluateInMemoryVoxels");
		System.clearProperty("unetseg.streamingBytes");
	}

	/** Ellipsoids of classes 1-3 (class 3 cut by the image border, class 4 only in the truth), shifted by {@code shift} voxels. */
	static Volume<UnsignedByteType> labels(int shift, boolean withFour) {
		ArrayImg<UnsignedByteType, ?> img = ArrayImgs.unsignedBytes(61, 47, 33, 1);
		var c = img.localizingCursor();
		while (c.hasNext()) {
			c.fwd();
			double x = c.getIntPosition(0) - shift, y = c.getIntPosition(1), z = c.getIntPosition(2);
			int v = 0;
			if (sq((x - 18) / 9) + sq((y - 20) / 12) + sq((z - 15) / 7) <= 1) v = 1;
			else if (sq((x - 40) / 6) + sq((y - 25) / 5) + sq((z - 12) / 5) <= 1) v = 2;
			else if (sq((x - 58) / 8) + sq((y - 40) / 9) + sq((z - 28) / 8) <= 1) v = 3;
			else if (withFour && x > 5 && x < 9 && y > 3 && y < 6 && z > 25 && z < 30) v = 4;
			c.get().set(v);
		}
		return new Volume<>(img, Calibration.of("mm", 0.8, 0.8, 2.5));
	}

	static double sq(double v) {
		return v * v;
	}

	static void assertSameMetrics(List<ClassMetrics> expected, List<ClassMetrics> got) {
		assertEquals(expected.size(), got.size());
		for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), got.get(i), "class " + expected.get(i).label());
	}

	@Test
	void boxesAndStreamingCountsGiveTheWholeArrayMetrics() {
		Volume<UnsignedByteType> truth = labels(0, true), prediction = labels(2, false);
		Evaluator.PairResult whole = Evaluator.evaluate(prediction, truth, null, null, 1.0, "p", "t");
		System.setProperty("unetseg.evaluateInMemoryVoxels", "0");
		Evaluator.PairResult large = Evaluator.evaluate(prediction, truth, null, null, 1.0, "p", "t");
		assertEquals(4, whole.metrics().size());
		assertEquals("prediction empty", whole.metrics().get(3).status());
		assertTrue(whole.metrics().get(2).hd95() > 0 && whole.metrics().get(0).dice() > 0.8 && whole.metrics().get(0).dice() < 1);
		assertSameMetrics(whole.metrics(), large.metrics());
		// a class whose box would not fit: overlap scores without distances
		var slice = Views.hyperSlice(truth.image(), 3, 0);
		List<ClassMetrics> limited = LargeEvaluation.compute(Views.hyperSlice(prediction.image(), 3, 0), slice, new int[] { 1, 2 },
			new double[] { 0.8, 0.8, 2.5 }, 1.0, new String[] { "p", "t" }, 4000);
		assertEquals("distances not computed", limited.get(0).status());
		assertEquals(whole.metrics().get(0).dice(), limited.get(0).dice(), 0);
		assertEquals(whole.metrics().get(0).trueVolume(), limited.get(0).trueVolume(), 0);
		assertTrue(Double.isNaN(limited.get(0).hd95()));
		assertEquals(whole.metrics().get(1), limited.get(1), "class 2's box (17 x 13 x 13 voxels with its margin) fits");
	}

	@Test
	void filesLargerThanMemoryAreReadLazily() {
		Path t = dir.resolve("truth").resolve("case.nii"), p = dir.resolve("pred").resolve("case_labels.nii");
		t.getParent().toFile().mkdirs();
		p.getParent().toFile().mkdirs();
		ImageFiles.write(labels(0, true), t, 5);
		ImageFiles.write(labels(2, false), p, 5);
		Evaluator.Report inMemory = Evaluator.evaluateFiles(p.getParent(), t.getParent(), null, null, 1.0);
		System.setProperty("unetseg.streamingBytes", "0");
		System.setProperty("unetseg.evaluateInMemoryVoxels", "0");
		assertTrue(LocalSegmenter.streams(t), "read lazily");
		Evaluator.Report lazy = Evaluator.evaluateFiles(p.getParent(), t.getParent(), null, null, 1.0);
		assertEquals(List.of(), lazy.skipped());
		assertSameMetrics(inMemory.results().get(0).metrics(), lazy.results().get(0).metrics());
	}
}
