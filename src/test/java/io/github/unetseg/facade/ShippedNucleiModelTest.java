package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

/**
 * The shipped nuclei model on the README's two held-out dsb2018 images (never seen in training): the
 * objects it finds match the annotations (figures of the model card's evaluation of the same images).
 */
class ShippedNucleiModelTest {

	@Test
	void findsTheAnnotatedNucleiOfTwoHeldOutImages() {
		try (Segmenter s = Engines.segmenter(Path.of("models/nuclei-fluo-2d"), new EngineOptions(Device.CPU, 0))) {
			assertEquals("instances", s.spec().task());
			// measured: 55 of 62 nuclei found, AP@0.5 0.75; 23 of 24, AP@0.5 0.96
			check(s, "dsb2018-0287e7ee", 62, 0.70);
			check(s, "dsb2018-0532c64c", 24, 0.90);
		}
	}

	private static void check(Segmenter s, String name, int nuclei, double minAp) {
		io.github.unetseg.image.Volume<?> image = ImageFiles.read(Path.of("test-images/nuclei/" + name + ".png"));
		var truth = ImageFiles.read(Path.of("test-images/nuclei-labels/" + name + ".png"));
		SegmentationResult r = s.segment(image, SegmentationSettings.defaults(), ProgressListener.NONE, name);
		InstanceMatching.Counts[] c = InstanceEvaluator.matchInstances(r.labels(), truth, name, name + " labels");
		assertEquals(nuclei, c[0].nTrue());
		assertEquals(r.objectCount(), c[0].nPred());
		assertTrue(c[0].accuracy() >= minAp, name + ": AP@0.5 " + c[0].accuracy());
		assertTrue(Math.abs(r.objectCount() - nuclei) <= 0.15 * nuclei, name + ": " + r.objectCount() + " objects for " + nuclei + " nuclei");
	}
}
