package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.io.Npy;

/** {@code test-model} on the specification's example package (both descriptions) and on broken copies of it. */
class PackageTestsTest {

	static final Path EXAMPLE = Path.of("../shared/bioimageio/unet2d_nuclei_broad");

	@TempDir
	Path tmp;

	@Test
	void theExamplePackagePassesInBothFormats() {
		Assumptions.assumeTrue(Files.isDirectory(EXAMPLE), "the example package is in ../shared only on the project's machines");
		for (Path description : new Path[] { EXAMPLE, EXAMPLE.resolve("v0_4_9.bioimageio.yaml") }) {
			PackageTests.Outcome o = PackageTests.run(description, 2);
			assertTrue(o.passed(), description + ": " + o);
			PackageTests.Comparison c = o.outputs().get(0);
			assertEquals(512 * 512, c.elements());
			assertEquals(26, c.allowed(), "100 per million of 262,144");
			assertTrue(c.maxDifference() < 1e-4, "ONNX Runtime reproduces the package's own output: " + c);
		}
	}

	@Test
	void aWrongExpectedOutputFailsAndTorchScriptOnlyIsRefused() throws Exception {
		Assumptions.assumeTrue(Files.isDirectory(EXAMPLE), "the example package is in ../shared only on the project's machines");
		Path copy = Files.createDirectories(tmp.resolve("pkg"));
		try (Stream<Path> s = Files.list(EXAMPLE)) {
			for (Path p : s.toList()) Files.copy(p, copy.resolve(p.getFileName()));
		}
		// the 0.4 description carries no sha256 for test tensors: change the expected output there
		Npy.Array out = Npy.read(copy.resolve("test_output.npy"));
		double[] v = out.values().clone();
		for (int i = 0; i < 100; i++) v[i * 1000] += 0.5;
		Npy.write(copy.resolve("test_output.npy"), new Npy.Array(out.shape(), "f4", v));
		PackageTests.Outcome o = PackageTests.run(copy.resolve("v0_4_9.bioimageio.yaml"), 2);
		assertFalse(o.passed());
		assertEquals(100, o.outputs().get(0).failing());
		assertEquals(0.5, o.outputs().get(0).maxDifference(), 1e-3);
		// in 0.5 the same change is a sha256 mismatch, named
		SegmentationException e = assertThrows(SegmentationException.class, () -> PackageTests.run(copy, 2));
		assertTrue(e.getMessage().contains("test_output.npy") && e.getMessage().contains("outputs.probability.test_tensor"), e.getMessage());
		// weights that do not run here: one line that says which
		String yaml = Files.readString(copy.resolve("v0_4_9.bioimageio.yaml"));
		Files.writeString(copy.resolve("v0_4_9.bioimageio.yaml"), yaml.replace("  onnx:", "  onnx_removed:"));
		e = assertThrows(SegmentationException.class, () -> PackageTests.run(copy.resolve("v0_4_9.bioimageio.yaml"), 2));
		assertTrue(e.getMessage().contains("torchscript") && e.getMessage().contains("unetseg runs [onnx, tensorflow_saved_model_bundle]") &&
			!e.getMessage().contains("\n"),
			e.getMessage());
	}

	@Test
	void onnxRuntimeAndTensorFlowRunInOneJvm() {
		Assumptions.assumeTrue(Files.isDirectory(EXAMPLE), "the example package is in ../shared only on the project's machines");
		var image = io.github.unetseg.io.ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif"));
		try (Segmenter tf = Engines.segmenter(Path.of("models/brain-mri-2d"), new io.github.unetseg.tensorflow.EngineOptions(
			io.github.unetseg.tensorflow.Device.CPU, 2)))
		{
			float[] before = probabilities(tf.segment(image, SegmentationSettings.defaults().withProbabilities(true), io.github.unetseg.tiling.ProgressListener.NONE, "a"));
			assertTrue(PackageTests.run(EXAMPLE, 2).passed(), "ONNX Runtime after TensorFlow");
			float[] after = probabilities(tf.segment(image, SegmentationSettings.defaults().withProbabilities(true), io.github.unetseg.tiling.ProgressListener.NONE, "b"));
			org.junit.jupiter.api.Assertions.assertArrayEquals(before, after, 0f, "TensorFlow unchanged after ONNX Runtime");
		}
	}

	@Test
	void segmentingWithThePackageReproducesItsTestOutput() {
		Assumptions.assumeTrue(Files.isDirectory(EXAMPLE), "the example package is in ../shared only on the project's machines");
		Npy.Array in = Npy.read(EXAMPLE.resolve("test_input.npy")), expected = Npy.read(EXAMPLE.resolve("test_output.npy"));
		assertTrue(Engines.isPackage(EXAMPLE) && !Engines.isPackage(Path.of("models/brain-mri-2d")));
		var image = new io.github.unetseg.image.Volume<>(net.imglib2.img.array.ArrayImgs.floats(in.floats(), 512, 512, 1),
			io.github.unetseg.image.Calibration.uncalibrated(2));
		try (Segmenter s = Engines.segmenter(EXAMPLE, new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU, 2))) {
			assertEquals("CPU (ONNX Runtime)", s.device());
			SegmentationResult r = s.segment(image, SegmentationSettings.defaults().withProbabilities(true),
				io.github.unetseg.tiling.ProgressListener.NONE, "test_input");
			float[] p = probabilities(r);
			double max = 0;
			for (int i = 0; i < p.length; i++) max = Math.max(max, Math.abs(p[i] - expected.values()[i]));
			// normalised on the whole image, one 512 tile, sigmoid per tile: the package's own result
			assertTrue(max < 1e-4, "largest difference " + max);
			// an image smaller than the network's fixed input: its tile is mirror-padded to 512 x 512 by the engine
			var small = new io.github.unetseg.image.Volume<>(net.imglib2.view.Views.interval(image.image(), new long[] { 0, 0, 0 },
				new long[] { 299, 199, 0 }), image.calibration());
			SegmentationResult q = s.segment(small, SegmentationSettings.defaults(), io.github.unetseg.tiling.ProgressListener.NONE, "crop");
			assertEquals(1, q.plan().tiles().size());
			org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] { 300, 200 }, q.labels().spatialSize());
		}
	}

	@Test
	void badPackagesFailWithOneLineNamingTheFieldAndTheFix() throws Exception {
		Assumptions.assumeTrue(Files.isDirectory(EXAMPLE), "the example package is in ../shared only on the project's machines");
		String yaml = Files.readString(EXAMPLE.resolve("bioimageio.yaml")).replace("\r\n", "\n");
		// {change to the 0.5 description, file to delete or null, words the message must hold}
		String[][] cases = {
			{ "", "weights.onnx", "weights.onnx.source", "does not exist" },
			{ "sha256: 92768a2e0f2643c8|sha256: 00000a2e0f2643c8", null, "inputs.raw.test_tensor", "SHA-256" },
			{ "  onnx:|  onnx_x:", null, "unetseg runs [onnx, tensorflow_saved_model_bundle]", "torchscript" },
			{ "- id: zero_mean_unit_variance|- id: zero_mean_unit_varianse", null, "zero_mean_unit_varianse", "correct the step's id" },
			{ "      - size: 512\n        id: y|      - size: 256\n        id: y", null, "test tensor is 512 along axis y", "size is 256" },
			{ "      - type: channel\n        channel_names:\n          - raw_intensity\n|", null, "test tensor has 4 axes", "correct the axes" } };
		int n = 0;
		for (String[] c : cases) {
			Path copy = Files.createDirectories(tmp.resolve("bad" + n++));
			try (Stream<Path> s = Files.list(EXAMPLE)) {
				for (Path p : s.toList()) Files.copy(p, copy.resolve(p.getFileName()));
			}
			String text = yaml;
			if (!c[0].isEmpty()) {
				String[] change = c[0].replace("\\n", "\n").split("\\|", -1);
				assertTrue(text.contains(change[0]), change[0]);
				text = text.replace(change[0], change[1]);
			}
			Files.writeString(copy.resolve("bioimageio.yaml"), text);
			if (c[1] != null) Files.delete(copy.resolve(c[1]));
			SegmentationException e = assertThrows(SegmentationException.class, () -> PackageTests.run(copy, 2), c[0]);
			assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains(c[3]) && e.getMessage().contains("Fix:") &&
				!e.getMessage().contains("\n"), e.getMessage());
		}
		// axes that do not match the weights: a channels-last description (and test tensor) for a channels-first network
		Path copy = Files.createDirectories(tmp.resolve("bad-axes"));
		try (Stream<Path> s = Files.list(EXAMPLE)) {
			for (Path p : s.toList()) Files.copy(p, copy.resolve(p.getFileName()));
		}
		Npy.Array in = Npy.read(copy.resolve("test_input.npy"));
		Npy.write(copy.resolve("test_input.npy"), new Npy.Array(new long[] { 1, 512, 512, 1 }, "f4", in.values()));
		String channel = "      - type: channel\n        channel_names:\n          - raw_intensity\n";
		String text = yaml.replaceFirst(channel, "").replaceFirst("(      - size: 512\n        type: space\n)", "$1" + channel)
			.replace("92768a2e0f2643c80b57afa5494019a5aafe5b0d92fe36ae740763adf3594a57",
				io.github.unetseg.bioimageio.Descriptions.sha256(copy.resolve("test_input.npy")));
		Files.writeString(copy.resolve("bioimageio.yaml"), text);
		SegmentationException e = assertThrows(SegmentationException.class, () -> PackageTests.run(copy, 2));
		assertTrue(e.getMessage().contains("ONNX Runtime") && e.getMessage().contains("Fix:") && !e.getMessage().contains("\n"), e.getMessage());
	}

	private static float[] probabilities(SegmentationResult r) {
		var p = r.probabilities();
		float[] v = new float[(int) (p.voxelCount() * p.channels())];
		int i = 0;
		for (var t : net.imglib2.view.Views.flatIterable(p.image())) v[i++] = t.get();
		return v;
	}
}
