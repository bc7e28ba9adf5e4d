package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

import ij.ImagePlus;
import ij.measure.ResultsTable;

/** Segment Folder... and Model Info... in a headless SciJava context, with parameters as a macro gives them. */
class FolderAndInfoCommandTest {

	@TempDir
	static Path dir;

	static Context context;

	@BeforeAll
	static void setUp() {
		context = new Context();
	}

	@AfterAll
	static void tearDown() {
		context.service(SegmenterService.class).release();
		context.dispose();
	}

	static Module run(Class<? extends org.scijava.command.Command> c, Map<String, Object> in) throws Exception {
		return context.service(ModuleService.class).run(context.service(CommandService.class).getCommand(c), true, in).get();
	}

	@Test
	void segmentFolderWritesOneLabelImagePerInputAndSkipsDoneOnes() throws Exception {
		Path in = dir.resolve("in"), out = dir.resolve("out");
		Files.createDirectories(in);
		Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), in.resolve("a.tif"));
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("b.tif"));
		Files.writeString(in.resolve("notes.txt"), "not an image");
		Map<String, Object> params = Map.of("input", in.toFile(), "output", out.toFile(), "model", "brain-mri-2d", "tile", "auto",
			"device", "cpu", "precision", "mixed", "border", "same", "probabilities", false, "overwrite", false);
		ResultsTable t = (ResultsTable) run(SegmentFolderCommand.class, params).getOutput("results");
		assertEquals(2, t.size());
		assertEquals("done", t.getStringValue("Status", 0));
		assertEquals("CPU, mixed precision", t.getStringValue("Device", 0), "the precision parameter reaches the engine");
		assertTrue(Files.exists(out.resolve("a_labels.tif")) && Files.exists(out.resolve("b_labels.tif")));
		t = (ResultsTable) run(SegmentFolderCommand.class, params).getOutput("results");
		assertEquals("skipped", t.getStringValue("Status", 1));
		assertEquals("[Plugins, Segmentation, U-Net, Segment Folder...]",
			context.service(CommandService.class).getCommand(SegmentFolderCommand.class).getMenuPath().toString());
	}

	@Test
	void modelInfoShowsModelJsonAndTheTrainingHistory() throws Exception {
		Module m = run(ModelInfoCommand.class, Map.of("model", "brain-mri-3d"));
		assertTrue(!((org.scijava.Cancelable) m).isCanceled(), ((org.scijava.Cancelable) m).getCancelReason());
		ResultsTable t = (ResultsTable) m.getOutput("info");
		StringBuilder all = new StringBuilder();
		for (int i = 0; i < t.size(); i++) all.append(t.getStringValue("Field", i)).append('=').append(t.getStringValue("Value", i)).append('\n');
		String s = all.toString();
		assertTrue(s.contains("dimensions=3D (bzyxc)") && s.contains("classes=background, brain (sigmoid)") &&
			s.contains("receptive field radius=23 px") && s.contains("trained spacing=[1.0, 1.0, 1.0] mm"), s);
		ImagePlus h = (ImagePlus) m.getOutput("history");
		assertNotNull(h);
		assertEquals(600, h.getWidth());
	}

	@Test
	void testModelRunsABioimageIoPackagesTests() throws Exception {
		Path example = Path.of("../shared/bioimageio/unet2d_nuclei_broad");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(example), "the example package is in ../shared only on the " +
			"project's machines");
		Module m = run(TestModelCommand.class, Map.of("model", example.toFile(), "threads", 2));
		assertEquals(true, m.getOutput("passed"));
		ResultsTable t = (ResultsTable) m.getOutput("results");
		assertEquals("probability", t.getStringValue("Output", 0));
		assertEquals("passed", t.getStringValue("Result", 0));
		assertTrue(t.getValue("Largest difference", 0) < 1e-4, "" + t.getValue("Largest difference", 0));
	}

	@Test
	void exportModelWritesATestedPackage(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
		Path zip = tmp.resolve("brain.zip");
		Module m = run(ExportModelCommand.class, Map.of("model", "brain-mri-2d", "sample", new java.io.File("test-images/mri-t1-axial-z90.tif"),
			"output", zip.toFile(), "authors", "A. Author; B. Author", "license", "MIT", "tags", "mri, brain"));
		assertTrue(!((org.scijava.Cancelable) m).isCanceled(), ((org.scijava.Cancelable) m).getCancelReason());
		assertEquals(true, m.getOutput("passed"));
		io.github.unetseg.bioimageio.ModelDescription d = io.github.unetseg.bioimageio.Descriptions.read(zip);
		assertEquals("0.5.7", d.formatVersion());
		assertEquals(java.util.Optional.of("tensorflow_saved_model_bundle"), d.runnableWeights());
		assertEquals("[Plugins, Segmentation, U-Net, Export Model...]",
			context.service(CommandService.class).getCommand(ExportModelCommand.class).getMenuPath().toString());
	}
}
