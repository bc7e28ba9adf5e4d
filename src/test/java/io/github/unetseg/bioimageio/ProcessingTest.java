package io.github.unetseg.bioimageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.ModelDescription.Step;

/**
 * The specification's processing steps against numpy (values printed by numpy 2.4.6 for the same
 * tensor, as bioimageio.core computes them).
 */
class ProcessingTest {

	static final long[] SHAPE = { 1, 2, 2, 3 };
	static final List<String> AXES = List.of("b", "c", "y", "x");

	static float[] tensor() {
		return new float[] { 1, 2, 3, 4, 5, 60, 0, 0, 1, 1, 0, 0 };
	}

	static float[] run(String id, Map<String, Object> kwargs) {
		return Processing.apply(List.of(new Step(id, kwargs)), tensor(), SHAPE, AXES);
	}

	@Test
	void zeroMeanUnitVariancePerChannelOverSpace() {
		float[] numpy = { -0.5403667688369751f, -0.4933783710002899f, -0.44638994336128235f, -0.39940154552459717f, -0.3524131178855896f,
			2.231949806213379f, -0.707105278968811f, -0.707105278968811f, 1.4142104387283325f, 1.4142104387283325f, -0.707105278968811f,
			-0.707105278968811f };
		assertArrayEquals(numpy, run("zero_mean_unit_variance", Map.of("axes", List.of("x", "y"))), 1e-6f);
		assertArrayEquals(numpy, run("zero_mean_unit_variance", Map.of("mode", "per_sample", "axes", "yx")), 1e-6f, "0.4 form");
	}

	@Test
	void scaleRangeWithNumpysPercentiles() {
		float[] numpy = { -0.016129031777381897f, 0.016129031777381897f, 0.04838709533214569f, 0.08064515888690948f, 0.11290322244167328f,
			1.887096643447876f, 0, 0, 0.9999990463256836f, 0.9999990463256836f, 0, 0 };
		assertArrayEquals(numpy, run("scale_range", Map.of("axes", List.of("y", "x"), "min_percentile", 10, "max_percentile", 90)), 1e-6f);
		assertEquals(7.6, Processing.percentile(new float[] { 1, 2, 3, 4, 10 }, 90), 1e-12, "np.percentile([1,2,3,4,10], 90)");
	}

	@Test
	void softmaxOverChannels() {
		float[] numpy = { 0.7310585975646973f, 0.8807970285415649f, 0.8807970285415649f, 0.9525741338729858f, 0.9933071732521057f, 1.0f,
			0.26894140243530273f, 0.11920291930437088f, 0.11920291930437088f, 0.04742587357759476f, 0.00669285049661994f, 8.75651089272076e-27f };
		assertArrayEquals(numpy, run("softmax", Map.of("axis", "c")), 1e-7f);
	}

	@Test
	void elementwiseSteps() {
		assertArrayEquals(new float[] { 2, 2, 3, 4, 5, 5, 2, 2, 2, 2, 2, 2 }, run("clip", Map.of("min", 2, "max", 5)), 0);
		assertArrayEquals(new float[] { 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 }, run("binarize", Map.of("threshold", 2.5)), 0);
		assertArrayEquals(new float[] { 3, 5, 7, 9, 11, 121, 0, 0, -1, -1, 0, 0 },
			run("scale_linear", Map.of("gain", List.of(2, -1), "offset", List.of(1, 0), "axis", "c")), 0, "per channel");
		float[] fixed = run("fixed_zero_mean_unit_variance", Map.of("mean", 1, "std", 2));
		assertEquals((60 - 1) / (2 + 1e-6), fixed[5], 1e-5);
		float[] s = run("sigmoid", Map.of());
		assertEquals(1 / (1 + Math.exp(-4)), s[3], 1e-7);
		assertArrayEquals(tensor(), run("ensure_dtype", Map.of("dtype", "float32")), 0);
	}

	@Test
	void unknownStepsAndAxesNameTheFix() {
		SegmentationException e = assertThrows(SegmentationException.class, () -> run("normalize_somehow", Map.of()));
		assertTrue(e.getMessage().contains("normalize_somehow") && e.getMessage().contains("Fix:"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> run("zero_mean_unit_variance", Map.of("axes", List.of("z"))));
		assertTrue(e.getMessage().contains("axis z"), e.getMessage());
	}
}
