package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import ij.ImagePlus;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.io.TiffIO;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.UNetExporter;
import io.github.unetseg.testutil.Images;

/** The Fiji command in a headless SciJava context, given parameters the way a macro gives them. */
class SegmentImageCommandTest {

	@TempDir
	static Path dir;

	static Context context;
	static Path model;

	@BeforeAll
	static void setUp() {
		context = new Context();
		UNetConfig c = new UNetConfig(2, 1, 1, 2, 8, false, 0);
		model = UNetExporter.writeRandom(dir.resolve("m"), ModelSpec.forUNet("cmd", c, List.of("background", "brain"),
			Normalization.percentile(), new double[] { 1, 1 }, "mm", new long[] { 96, 96 }, new long[] { 23, 23 }, null), 3)
			.directory();
	}

	@AfterAll
	static void tearDown() {
		context.service(SegmenterService.class).release();
		context.dispose();
	}

	@Test
	void menuEntryAndParametersAreThoseMacrosRecord() {
		CommandInfo info = context.service(CommandService.class).getCommand(SegmentImageCommand.class);
		assertEquals("[Plugins, Segmentation, U-Net, Segment Image...]", info.getMenuPath().toString());
		assertTrue(info.canRunHeadless());
		List<String> inputs = new java.util.ArrayList<>();
		for (ModuleItem<?> i : info.inputs())
			if (!i.getType().getName().startsWith("org.scijava") && !org.scijava.service.Service.class.isAssignableFrom(i.getType()))
				inputs.add(i.getName());
		assertEquals(List.of("image", "model", "modelFolder", "tile", "halo", "overlap", "border", "batch", "threads", "device", "precision",
			"tta", "threshold", "probabilities", "rgb", "channels", "orientation", "postprocess", "resample", "probThreshold", "seedThreshold", "minSize", "diameter", "stitchThreshold", "rois", "clearRois", "measure"),
			inputs);
		List<String> outputs = new java.util.ArrayList<>();
		for (ModuleItem<?> o : info.outputs()) outputs.add(o.getName());
		assertEquals(List.of("labels", "probabilityMap", "objects"), outputs);
	}

	@Test
	void modelsOfTheModelsFolderAreOfferedByNameAndUsable() throws Exception {
		var module = context.service(org.scijava.module.ModuleService.class).createModule(
			context.service(CommandService.class).getCommand(SegmentImageCommand.class));
		module.initialize();
		var choices = module.getInfo().getInput("model", String.class).getChoices();
		assertTrue(choices.contains("brain-mri-2d") && choices.contains("brain-mri-3d"), String.valueOf(choices));
		ImagePlus imp = TiffIO.open(Path.of("test-images/mri-t1-axial-z90.tif"));
		Module m = run(Map.of("image", imp, "model",
			"brain-mri-2d", "tile", "128", "device", "cpu"));
		ImagePlus labels = (ImagePlus) m.getOutput("labels");
		float[] got = (float[]) labels.getProcessor().convertToFloatProcessor().getPixels();
		float[] truth = (float[]) TiffIO.open(Path.of("test-images/mri-t1-axial-z90-brainmask.tif")).getProcessor()
			.convertToFloatProcessor().getPixels();
		long inter = 0, sum = 0;
		for (int i = 0; i < got.length; i++) {
			if (got[i] == 1 && truth[i] == 1) inter++;
			sum += (long) got[i] + (long) truth[i];
		}
		assertTrue(2.0 * inter / sum > 0.98, "Dice " + 2.0 * inter / sum);
	}

	@org.junit.jupiter.params.ParameterizedTest
	@org.junit.jupiter.params.provider.ValueSource(strings = { "same", "mirror" })
	void givesTheSameLabelsAsTheServiceWithCalibrationAndLut(String border) throws Exception {
		ImagePlus imp = TiffIO.open(Path.of("test-images/mri-t1-axial-z90.tif"));
		Module m = run(Map.of("image", imp, "model",
			"other folder", "modelFolder", model.toFile(), "tile", "auto", "overlap", 0.0, "border", border, "batch", 0, "device", "cpu",
			"threshold", 0.5, "probabilities", true));
		ImagePlus labels = (ImagePlus) m.getOutput("labels");
		ImagePlus probs = (ImagePlus) m.getOutput("probabilityMap");
		assertNotNull(labels);
		assertNotNull(probs);
		assertEquals(8, labels.getBitDepth());
		assertEquals("mm", labels.getCalibration().getUnit());
		assertEquals(1.0, labels.getCalibration().pixelWidth);
		assertEquals("mri-t1-axial-z90_labels", labels.getTitle());
		assertTrue(labels.getProcessor().isColorLut() || labels.getProcessor().getLut().getRed(1) != 1, "label LUT");
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 0))) {
			var expected = s.segment(castVolume(TiffIO.read(Path.of("test-images/mri-t1-axial-z90.tif"))),
				SegmentationSettings.defaults().withBorder(TilePlan.Border.parse(border)).withProbabilities(true),
				io.github.unetseg.tiling.ProgressListener.NONE, "x");
			float[] e = Images.toFloats(castVolume(expected.labels()).image());
			float[] got = (float[]) labels.getProcessor().convertToFloatProcessor().getPixels();
			assertArrayEquals(e, got);
			assertArrayEquals(Images.toFloats(expected.probabilities().image()), (float[]) probs.getProcessor().getPixels(), 0);
			var other = s.segment(castVolume(TiffIO.read(Path.of("test-images/mri-t1-axial-z90.tif"))), SegmentationSettings.defaults()
				.withBorder(border.equals("same") ? TilePlan.Border.MIRROR : TilePlan.Border.SAME).withProbabilities(true),
				io.github.unetseg.tiling.ProgressListener.NONE, "x");
			assertTrue(!java.util.Arrays.equals(Images.toFloats(other.probabilities().image()), (float[]) probs.getProcessor().getPixels()),
				"the border parameter reaches the segmentation: the other border gives other probabilities");
		}
	}

	@Test
	void aModelThatDoesNotFitCancelsWithTheReason() throws Exception {
		ImagePlus rgb = new ImagePlus("rgb", new ij.process.ColorProcessor(40, 30));
		Module m = run(Map.of("image", rgb, "model",
			"other folder", "modelFolder", model.toFile(), "device", "cpu"));
		SegmentImageCommand cmd = (SegmentImageCommand) m;
		assertTrue(cmd.isCanceled());
		assertTrue(cmd.getCancelReason().contains("3 channel") && cmd.getCancelReason().contains("8-bit"), cmd.getCancelReason());
		assertNull(m.getOutput("labels"));
	}

	/** DynamicCommands must be run through the ModuleService (CommandService.run returns null for them). */
	static Module run(Map<String, Object> inputs) throws Exception {
		return context.service(org.scijava.module.ModuleService.class).run(
			context.service(CommandService.class).getCommand(SegmentImageCommand.class), true, inputs).get();
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static io.github.unetseg.image.Volume<net.imglib2.type.numeric.real.FloatType> castVolume(io.github.unetseg.image.Volume<?> v) {
		return (io.github.unetseg.image.Volume) v;
	}
}
