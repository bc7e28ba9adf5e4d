package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.ImagePlus;
import ij.plugin.frame.RoiManager;
import io.github.unetseg.cli.Main;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ObjectOutputs;
import io.github.unetseg.io.TiffIO;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.testutil.InstanceModels;

/**
 * One instance model, three front ends: the CLI, Fiji's Segment Image command and an ImageJ 1 macro
 * give the same objects; the command adds one ROI per object to the ROI Manager (after the ROIs already
 * there unless asked to clear) and measures them.
 */
@Tag("slow")
class InstanceFrontEndsTest {

	@TempDir
	static Path dir;

	static Context context;
	static Path model, image;

	@BeforeAll
	static void setUp() {
		context = new Context();
		model = InstanceModels.trained().model().directory();
		image = InstanceModels.file("images", 1);
	}

	@AfterAll
	static void tearDown() {
		context.service(SegmenterService.class).release();
		context.dispose();
	}

	/**
	 * Runs Segment Image with every parameter given, as a recorded macro line does (SciJava otherwise
	 * fills missing ones with the values persisted by earlier runs, e.g. another test's tile size).
	 */
	static Module run(Map<String, Object> inputs) throws Exception {
		Map<String, Object> all = new java.util.HashMap<>(Map.of("model", "other folder", "modelFolder", model.toFile(), "tile", "auto",
			"halo", "model", "overlap", 0.0, "border", "same", "batch", 0, "threads", 0, "device", "cpu", "precision", "float32"));
		all.putAll(Map.of("threshold", 0.5, "probabilities", false, "rgb", "refuse", "probThreshold", "model", "seedThreshold", "model",
			"minSize", "model", "diameter", 0.0, "stitchThreshold", 0.0, "rois", "label image", "clearRois", false));
		all.put("measure", false);
		all.put("channels", "all");
		all.putAll(inputs);
		return context.service(org.scijava.module.ModuleService.class).run(
			context.service(CommandService.class).getCommand(SegmentImageCommand.class), true, all).get();
	}

	@Test
	void cliFijiAndMacroGiveTheSameObjects() throws Exception {
		Path cliOut = dir.resolve("cli"), macroOut = dir.resolve("macro");
		assertEquals(0, Main.run("segment", "--model", model.toString(), "--output", cliOut.toString(), "--device", "cpu", "--rois",
			"--measure", image.toString()));
		float[] cli = Images.toFloats(ImageFiles.read(cliOut.resolve("d1_labels.tif")).image());

		ImagePlus imp = TiffIO.open(image);
		Module m = run(Map.of("image", imp, "rois", "both",
			"measure", true));
		ImagePlus labels = (ImagePlus) m.getOutput("labels");
		int objects = (Integer) m.getOutput("objects");
		assertEquals(16, labels.getBitDepth());
		assertArrayEquals(cli, (float[]) labels.getProcessor().convertToFloatProcessor().getPixels(), "CLI and Fiji command agree");
		assertEquals(objects, (int) Math.round(labels.getStatistics().max));
		// headless (as in CI) there is no ROI Manager: the ROIs are the label image's overlay
		assertEquals(objects, java.awt.GraphicsEnvironment.isHeadless() ? labels.getOverlay().size() : ObjectOutputs.roiManager().getCount(),
			"one ROI per object in 2D");
		assertEquals(objects, Files.readAllLines(cliOut.resolve("d1_objects.csv")).size() - 1);

		String result = ij.IJ.runMacro("return call('io.github.unetseg.macro.UnetsegMacros.segment', '" + image + "', '" + model + "', '" +
			macroOut + "', 'device=cpu rois');");
		assertEquals("1 segmented, 0 skipped, 0 failed", result);
		assertArrayEquals(cli, Images.toFloats(ImageFiles.read(macroOut.resolve("d1_labels.tif")).image()), "CLI and macro agree");
		try (var zip = new java.util.zip.ZipFile(macroOut.resolve("d1_rois.zip").toFile())) {
			assertEquals(objects, zip.size());
		}

		if (java.awt.GraphicsEnvironment.isHeadless()) return; // the ROI Manager needs a display: see MacrosTest
		// a second image adds its ROIs after the first one's; clearing is asked for explicitly
		RoiManager rm = ObjectOutputs.roiManager();
		rm.reset();
		run(Map.of("image", imp, "rois", "ROI Manager"));
		run(Map.of("image", TiffIO.open(InstanceModels.file("images", 2)), "rois", "ROI Manager"));
		int both = rm.getCount();
		assertTrue(both > objects, "ROIs of the first image kept: " + both);
		Module only = run(Map.of("image", TiffIO.open(InstanceModels.file("images", 2)), "rois", "ROI Manager", "clearRois", true));
		assertEquals(both - objects, rm.getCount());
		assertNull(only.getOutput("labels"), "ROI Manager only: no label image");
	}
}
