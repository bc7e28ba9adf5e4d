package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.github.unetseg.data.InstanceTargets;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.objects.InstanceDecoder;
import io.github.unetseg.testutil.InstanceModels;
import io.github.unetseg.tiling.ProgressListener;

/**
 * The second instance formulation, end to end: {@code --instance-target distance} trains a U-Net on
 * background and 8 levels of the per-object normalised distance to the border, model.json says so, and
 * segmentation decodes its levels into the synthetic touching discs of the training data's held-out image.
 */
@Tag("slow")
class DistanceTargetModelTest {

	@Test
	void optionsMakeADistanceRequest() {
		TrainingRequest r = Options.training(Map.of("images", "i", "labels", "l", "output", "o", "task", "instances", "instance-target",
			"distance"));
		assertEquals(InstanceTargets.classNames(8), r.classNames());
		assertEquals(9, r.architecture().outputChannels());
		var e = assertThrows(io.github.unetseg.SegmentationException.class, () -> Options.training(Map.of("images", "i", "labels", "l",
			"output", "o", "task", "instances", "instance-target", "centres")));
		assertTrue(e.getMessage().contains("instance target must be boundary or distance"), e.getMessage());
	}

	@Test
	void aSpecChecksItsClassesAgainstItsTarget() {
		UNetConfig arch = new UNetConfig(2, 1, 9, 2, 8, false, 0);
		ModelSpec spec = ModelSpec.forUNet("d", arch, InstanceTargets.classNames(8), Normalization.percentile(), new double[] { 1, 1 }, "pixel",
			new long[] { 64, 64 }, new long[] { 8, 8 }, null);
		assertEquals(InstanceDecoder.Target.DISTANCE, spec.withInstances(new ModelSpec.Instances(0.5, 0.5, 0, 10, "distance")).instances()
			.targetKind());
		assertThrows(IllegalArgumentException.class, () -> spec.withInstances(new ModelSpec.Instances(0.5, 0.5, 0, 10)),
			"9 classes are not background, interior, boundary");
		assertEquals("boundary", new ModelSpec.Instances(0.5, 0.5, 0, 10, null).target(), "models written before targets are boundary models");
	}

	@Test
	void aDistanceModelTrainsAndSeparatesTouchingDiscs() throws java.io.IOException {
		TrainingOutcome o = InstanceModels.trained("distance");
		Path model = o.model().directory();
		ModelBundle b = ModelBundle.read(model);
		assertEquals("instances", b.spec().task());
		assertEquals(InstanceDecoder.Target.DISTANCE, b.spec().instances().targetKind());
		assertEquals(InstanceTargets.classNames(8), b.spec().classNames());
		assertTrue(Files.readString(model.resolve("model.json")).contains("\"target\": \"distance\""));
		for (EpochRecord e : o.history()) assertTrue(e.validationAp() >= 0 && e.validationAp() <= 1, "AP defined: " + e);
		try (Segmenter seg = Engines.segmenter(model, new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU,
			2)))
		{
			// d2 is the held-out image (validation 0.34 of three); measured: 61 objects, AP@0.5 0.98
			SegmentationResult r = seg.segment(ImageFiles.read(InstanceModels.file("images", 2)), SegmentationSettings.defaults(),
				ProgressListener.NONE, "d2");
			InstanceMatching.Counts c = InstanceEvaluator.matchInstances(r.labels(), ImageFiles.read(InstanceModels.file("labels", 2)), "d2",
				"d2 labels")[0];
			assertEquals(60, c.nTrue());
			assertTrue(c.accuracy() >= 0.8, "AP@0.5 " + c.accuracy() + ", " + r.objectCount() + " objects");
			System.out.println("distance-target model on d2: " + r.objectCount() + " objects of 60, AP@0.5 " + c.accuracy() + " (" +
				List.of(b.spec().instances().probabilityThreshold(), b.spec().instances().seedThreshold()) + ")");
		}
	}
}
