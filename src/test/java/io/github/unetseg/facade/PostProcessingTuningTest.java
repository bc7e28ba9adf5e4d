package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.data.TrainingSet;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

class PostProcessingTuningTest {

	@TempDir
	Path dir;

	/** A 10 x 10 label image with rectangles {@code {label, x0, y0, x1, y1}} (inclusive) drawn in order. */
	static short[] draw(int[]... boxes) {
		short[] l = new short[100];
		for (int[] b : boxes)
			for (int y = b[2]; y <= b[4]; y++)
				for (int x = b[1]; x <= b[3]; x++) l[y * 10 + x] = (short) b[0];
		return l;
	}

	@Test
	void eachClassIsDecidedByItsOwnDiceAndHolesByTheMean() {
		int[] size = { 10, 10, 1 };
		double[] spacing = { 1, 1 };
		// image 1: class a predicted right plus one stray pixel; class b's two equal blocks predicted right (keeping one halves it)
		short[] truth1 = draw(new int[] { 1, 1, 1, 3, 3 }, new int[] { 2, 6, 1, 7, 2 }, new int[] { 2, 1, 6, 2, 7 });
		short[] pred1 = draw(new int[] { 1, 1, 1, 3, 3 }, new int[] { 2, 6, 1, 7, 2 }, new int[] { 2, 1, 6, 2, 7 }, new int[] { 1, 8, 8, 8, 8 });
		// image 2: class a with a one-pixel hole; b was not annotated there, so its stray pixel is not scored
		short[] truth2 = draw(new int[] { 1, 2, 2, 6, 6 });
		short[] pred2 = draw(new int[] { 1, 2, 2, 6, 6 }, new int[] { 0, 4, 4, 4, 4 }, new int[] { 2, 9, 0, 9, 0 });
		PostProcessingTuning.Result r = PostProcessingTuning.choose(List.of("bg", "a", "b"), List.of(
			new PostProcessingTuning.Case(pred1, truth1, size, spacing, null),
			new PostProcessingTuning.Case(pred2, truth2, size, spacing, new boolean[] { true, true, false })));
		PostProcessingTuning.ClassChoice a = r.classes().get(0), b = r.classes().get(1);
		assertEquals(2, a.images());
		assertEquals(1, b.images());
		assertEquals((18.0 / 19 + 48.0 / 49) / 2, a.dice(), 1e-12);
		assertEquals((1 + 48.0 / 49) / 2, a.diceLargest(), 1e-12);
		assertTrue(a.largest());
		assertTrue(a.hd95Largest() < a.hd95(), a.toString());
		assertEquals(1, b.dice(), 1e-12);
		assertEquals(2.0 / 3, b.diceLargest(), 1e-12);
		assertTrue(!b.largest());
		assertEquals(((18.0 / 19 + 48.0 / 49) / 2 + 1) / 2, r.mean(), 1e-12);
		assertEquals(((1 + 48.0 / 49) / 2 + 1) / 2, r.meanChosen(), 1e-12);
		// the hole filled on top of the choice: a is perfect in both images
		assertEquals(1, r.meanHoles(), 1e-12);
		assertEquals(new ModelSpec.PostProcessing(true, true, List.of("a")), r.choice());
		assertTrue(r.toString().startsWith("post-processing largest=a,holes on 2 image(s)"), r.toString());
	}

	@Test
	void nothingIsAdoptedWhenNothingImproves() {
		short[] t = draw(new int[] { 1, 1, 1, 3, 3 });
		PostProcessingTuning.Result r = PostProcessingTuning.choose(List.of("bg", "a"), List.of(new PostProcessingTuning.Case(t.clone(), t,
			new int[] { 10, 10, 1 }, new double[] { 1, 1 }, null)));
		assertEquals(ModelSpec.PostProcessing.none(), r.choice());
		assertEquals(1, r.mean(), 1e-12);
	}

	/**
	 * The shipped 2D brain model on the README's two slices: what the tuning measures as predicted and with
	 * the largest component equals the Dice of the segmenter's own results with {@code --postprocess none}
	 * and {@code largest}, and {@code unetseg tune} writes the choice into {@code model.json}.
	 */
	@Test
	void theMeasurementIsTheSegmentersDiceAndTheChoiceIsWritten() throws IOException {
		Path model = dir.resolve("brain");
		Files.createDirectories(model.resolve("variables"));
		Path shipped = Path.of("models/brain-mri-2d");
		for (String f : List.of("saved_model.pb", "model.json", "variables/variables.index", "variables/variables.data-00000-of-00001"))
			Files.copy(shipped.resolve(f), model.resolve(f));
		Path images = Files.createDirectories(dir.resolve("images")), labels = Files.createDirectories(dir.resolve("labels"));
		for (String z : List.of("z70", "z90")) {
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + ".tif"), images.resolve(z + ".tif"));
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + "-brainmask.tif"), labels.resolve(z + ".tif"));
		}
		PostProcessingTuning.Result r;
		double none = 0, largest = 0;
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 2))) {
			r = PostProcessingTuning.tune(s, TrainingSet.fromFolders(images, labels, ImageFiles::baseName), null, ProgressListener.NONE);
			for (String z : List.of("z70", "z90")) {
				Volume<?> image = ImageFiles.read(images.resolve(z + ".tif")), truth = ImageFiles.read(labels.resolve(z + ".tif"));
				none += dice(s, image, truth, "none") / 2;
				largest += dice(s, image, truth, "largest") / 2;
			}
		}
		PostProcessingTuning.ClassChoice brain = r.classes().get(0);
		assertEquals(2, brain.images());
		assertEquals(none, brain.dice(), 1e-12);
		assertEquals(largest, brain.diceLargest(), 1e-12);
		assertTrue(brain.dice() > 0.95, r.toString());
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		java.io.PrintStream o = System.out;
		int code;
		try {
			System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
			code = io.github.unetseg.cli.Main.run("tune", "--model", model.toString(), "--images", images.toString(), "--labels",
				labels.toString(), "--threads", "2");
		}
		finally {
			System.setOut(o);
		}
		assertEquals(0, code);
		assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).contains(r.toString()), out.toString());
		ModelSpec written = ModelBundle.read(model).spec();
		assertEquals(r.choice(), written.postprocessing());
		assertTrue(written.provenance().notes().contains("post-processing chosen on 2 validation image(s): " + r.choice()),
			written.provenance().notes());
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static double dice(Segmenter s, Volume<?> image, Volume<?> truth, String post) {
		SegmentationResult r = s.segment((Volume) image, SegmentationSettings.defaults().withPostprocess(post), ProgressListener.NONE, "slice");
		return Evaluator.evaluate(r.labels(), truth, new int[] { 1 }, null, 0, "prediction", "truth").metrics().get(0).dice();
	}
}
