package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ShortProcessor;
import io.github.unetseg.io.TiffIO;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.testutil.Images;

/**
 * {@code unetseg evaluate} of time series: an ImageJ hyperstack and an OME-TIFF with three time points each,
 * scored frame by frame (one row per frame, {@code name[t=k]}), with known answers: frame 1 right, frame 2
 * misses one of two objects, frame 3 adds a third.
 */
class TimeSeriesEvaluationTest {

	@TempDir
	Path dir;

	/** Two 10 x 10 objects per frame (ids 1, 2); {@code drop} leaves out object 2 in frame 2, {@code add} adds object 3 in frame 3. */
	private static ImagePlus series(boolean drop, boolean add) {
		ShortProcessor[] frames = new ShortProcessor[3];
		for (int t = 1; t <= 3; t++) {
			ShortProcessor p = frames[t - 1] = new ShortProcessor(64, 48);
			fill(p, 5, 5, 1);
			if (!(drop && t == 2)) fill(p, 30, 20, 2);
			if (add && t == 3) fill(p, 45, 5, 3);
		}
		ImagePlus imp = Images.hyperstack("labels", 1, 1, frames);
		imp.getCalibration().pixelWidth = imp.getCalibration().pixelHeight = 0.5;
		imp.getCalibration().setUnit("micron");
		imp.getCalibration().frameInterval = 2;
		return imp;
	}

	private static void fill(ShortProcessor p, int x, int y, int id) {
		for (int yy = y; yy < y + 10; yy++) for (int xx = x; xx < x + 10; xx++) p.set(xx, yy, id);
	}

	/** Saves an image under {@code dir}, creating its folder. */
	private Path save(ImagePlus imp, String name) throws java.io.IOException {
		Path file = dir.resolve(name);
		Files.createDirectories(file.getParent());
		TiffIO.save(imp, file);
		return file;
	}

	@Test
	void aTimeSeriesIsScoredFrameByFrameAsObjectsAndAsClasses() throws Exception {
		// the prediction an OME-TIFF with SizeT = 3, as segment writes an OME-TIFF series' labels
		Path truth = save(series(false, false), "truth/cells.tif"), pred = save(series(true, true), "pred/cells_labels.ome.tif");

		InstanceEvaluator.InstanceReport objects = InstanceEvaluator.evaluateInstanceFiles(pred.getParent(), truth.getParent());
		assertTrue(objects.skipped().isEmpty(), objects.skipped().toString());
		assertEquals(List.of("cells[t=1]", "cells[t=2]", "cells[t=3]"), objects.results().stream().map(InstanceEvaluator.InstancePair::name)
			.toList());
		long[][] expected = { { 2, 0, 0 }, { 1, 0, 1 }, { 2, 1, 0 } }; // TP, FP, FN at IoU 0.5
		for (int t = 0; t < 3; t++) {
			InstanceMatching.Counts c = objects.results().get(t).counts()[0];
			assertEquals(0.5, c.threshold());
			assertEquals(expected[t][0], c.tp(), "frame " + (t + 1));
			assertEquals(expected[t][1], c.fp(), "frame " + (t + 1));
			assertEquals(expected[t][2], c.fn(), "frame " + (t + 1));
		}
		InstanceMatching.Counts all = objects.total()[0];
		assertEquals(5, all.tp());
		assertEquals(1, all.fp());
		assertEquals(1, all.fn());
		assertEquals(5.0 / 7, all.accuracy(), 1e-12);

		// as classes (ids 1..3 are classes here): object 2 of frame 2 missing, object 3 of frame 3 extra
		Evaluator.Report classes = Evaluator.evaluateFiles(pred.getParent(), truth.getParent(), new int[] { 1, 2 }, null, 1.0);
		assertTrue(classes.skipped().isEmpty(), classes.skipped().toString());
		assertEquals(3, classes.results().size());
		assertEquals("cells[t=2]", classes.results().get(1).name());
		assertEquals("micron", classes.results().get(1).unit());
		double[] dice2 = { 1, 1, 1 }, expectedDice2 = { 1, 0, 1 };
		for (int t = 0; t < 3; t++) {
			dice2[t] = classes.results().get(t).metrics().stream().filter(m -> m.label() == 2).findFirst().orElseThrow().dice();
			assertEquals(expectedDice2[t], dice2[t], 1e-12, "class 2, frame " + (t + 1));
			assertEquals(1.0, classes.results().get(t).metrics().stream().filter(m -> m.label() == 1).findFirst().orElseThrow().dice(), 1e-12);
		}
		// class 1's area in calibrated units: 100 pixels of 0.5 x 0.5 micron
		assertEquals(25.0, classes.results().get(0).metrics().get(0).trueVolume(), 1e-9);
	}

	@Test
	void segmentWithTruthScoresEachFrameOfATimeSeries() throws Exception {
		// the README example slice twice as a time series, its brain mask as the truth of both frames: the single image's Dice per frame
		ImagePlus mri = ij.IJ.openImage("test-images/mri-t1-axial-z90.tif"), mask = ij.IJ.openImage("test-images/mri-t1-axial-z90-brainmask.tif");
		Files.createDirectories(dir.resolve("in"));
		Files.createDirectories(dir.resolve("truth"));
		TiffIO.save(twice(mri), dir.resolve("in/slice.tif"));
		TiffIO.save(twice(mask), dir.resolve("truth/slice.tif"));
		java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
		java.io.PrintStream stdout = System.out;
		int rc;
		try {
			System.setOut(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
			rc = io.github.unetseg.cli.Main.run("segment", "--model", "models/brain-mri-2d", "--output", dir.resolve("out").toString(), "--device",
				"cpu", "--truth", dir.resolve("truth").toString(), dir.resolve("in/slice.tif").toString());
		}
		finally {
			System.setOut(stdout);
		}
		assertEquals(0, rc, text.toString());
		List<String> lines = text.toString().lines().filter(l -> l.contains("against slice.tif")).toList();
		assertEquals(2, lines.size(), text.toString());
		for (int t = 1; t <= 2; t++) {
			String line = lines.get(t - 1);
			assertTrue(line.contains("against slice.tif [t=" + t + "]: class 1 brain Dice 0.99"), line);
			assertTrue(line.contains("area "), line);
		}
	}

	private static ImagePlus twice(ImagePlus plane) {
		ImagePlus imp = Images.hyperstack("series", 1, 1, plane.getProcessor(), plane.getProcessor().duplicate());
		imp.setCalibration(plane.getCalibration());
		return imp;
	}

	@Test
	void differentNumbersOfTimePointsAreSkippedWithTheFix() throws Exception {
		Path truth = save(series(false, false), "t/cells.tif");
		ImagePlus two = series(false, false);
		ImageStack s = two.getStack();
		s.deleteLastSlice();
		two.setStack(s);
		two.setDimensions(1, 1, 2);
		Path pred = save(two, "p/cells_labels.tif");
		InstanceEvaluator.InstanceReport r = InstanceEvaluator.evaluateInstanceFiles(pred.getParent(), truth.getParent());
		assertTrue(r.results().isEmpty());
		assertEquals(1, r.skipped().size());
		String why = r.skipped().get(0).reason();
		assertTrue(why.contains("has 2 time point(s)") && why.contains(" 3. Fix:"), why);
	}
}
