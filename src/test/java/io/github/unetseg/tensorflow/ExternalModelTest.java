package io.github.unetseg.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;

/**
 * A SavedModel not built by unetseg (other signature key and tensor names, logits output, no
 * architecture block), as a Python export would be, described by a hand-written model.json.
 */
class ExternalModelTest {

	@TempDir
	Path dir;

	/** y = 2x - 1 per pixel as 3-class logits (x, -x, 0): a 1x1 "network" with a known answer. */
	Path export(String key, String in, String out) throws Exception {
		Path d = dir.resolve("external");
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 1)));
			Operand<TFloat32> w = tf.variable(tf.constant(Shape.of(1, 1, 1, 3), DataBuffers.of(new float[] { 1, -1, 0 })));
			Operand<TFloat32> logits = tf.withName("scores").nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "SAME");
			s.initialize();
			SavedModelBundle.exporter(d.toString()).withSession(s)
				.withSignature(Signature.builder().key(key).input(in, x).output(out, logits).build()).export();
		}
		return d;
	}

	static ModelSpec spec(String signature, String in, String out, int channels) {
		return new ModelSpec("keras-like", "external", 2, channels, List.of("a", "b", "c"), "softmax", true, signature, in, out,
			new Normalization(Normalization.Method.NONE, 0, 1), new double[] { 1, 1 }, "pixel", new long[] { 64, 64 },
			new long[] { 0, 0 }, 1, null, null, null);
	}

	@Test
	void exportedModelWithLogitsIsUsableThroughModelJson() throws Exception {
		Path d = export("predict", "pixels", "logits");
		ModelBundle.writeSpec(d, spec("predict", "pixels", "logits", 1));
		try (TensorFlowModel m = TensorFlowModel.load(ModelBundle.read(d), new EngineOptions(Device.CPU, 1))) {
			float[] p = m.predict(new float[] { 0, 2, -1, 0.5f }, 1, new long[] { 2, 2 });
			for (int i = 0; i < 4; i++) {
				float v = new float[] { 0, 2, -1, 0.5f }[i];
				double a = Math.exp(v), b = Math.exp(-v), c = 1, sum = a + b + c;
				assertEquals(a / sum, p[3 * i], 1e-6);
				assertEquals(b / sum, p[3 * i + 1], 1e-6);
				assertEquals(c / sum, p[3 * i + 2], 1e-6);
			}
		}
	}

	@Test
	void mismatchesBetweenModelJsonAndSignatureNameTheField() throws Exception {
		Path d = export("predict", "pixels", "logits");
		ModelBundle.writeSpec(d, spec("serving_default", "pixels", "logits", 1));
		var e = assertThrows(SegmentationException.class, () -> TensorFlowModel.load(ModelBundle.read(d), EngineOptions.defaults()));
		assertTrue(e.getMessage().contains("'signature'") && e.getMessage().contains("[predict]"), e.getMessage());
		ModelBundle.writeSpec(d, spec("predict", "input", "logits", 1));
		e = assertThrows(SegmentationException.class, () -> TensorFlowModel.load(ModelBundle.read(d), EngineOptions.defaults()));
		assertTrue(e.getMessage().contains("'inputName'") && e.getMessage().contains("pixels"), e.getMessage());
		ModelBundle.writeSpec(d, spec("predict", "pixels", "logits", 2));
		e = assertThrows(SegmentationException.class, () -> TensorFlowModel.load(ModelBundle.read(d), EngineOptions.defaults()));
		assertTrue(e.getMessage().contains("inputChannels"), e.getMessage());
		Files.delete(d.resolve("variables").resolve("variables.index"));
		ModelBundle.writeSpec(d, spec("predict", "pixels", "logits", 1));
		e = assertThrows(SegmentationException.class, () -> TensorFlowModel.load(ModelBundle.read(d), EngineOptions.defaults()));
		assertTrue(e.getMessage().contains("weights are missing"), e.getMessage());
	}
}
