package io.github.unetseg.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.ModelDescription.Axis;
import io.github.unetseg.bioimageio.ModelDescription.Tensor;

/** bioimage.io descriptions: the specification's example package in both formats, and made-up broken packages. */
class DescriptionsTest {

	static final Path EXAMPLE = Path.of("../shared/bioimageio/unet2d_nuclei_broad");

	@TempDir
	Path tmp;

	static final String DESCRIPTION = """
		%YAML 1.2
		---
		type: model
		format_version: 0.5.4
		name: tiny
		inputs:
		  - id: raw
		    axes:
		      - type: batch
		      - type: channel
		        channel_names: [a, b]
		      - id: y
		        type: space
		        size: {min: 64, step: 16}
		        scale: 0.5
		        unit: micrometer
		      - type: space
		        size: {min: 64, step: 16}
		    test_tensor: {source: in.npy, sha256: SHA}
		outputs:
		  - id: out
		    axes:
		      - type: batch
		      - type: channel
		        channel_names: [p]
		      - {id: y, type: space, size: {tensor_id: raw, axis_id: y}, halo: 8}
		      - {type: space, size: {tensor_id: raw, axis_id: x}, halo: 8}
		weights:
		  onnx: {source: model.onnx, sha256: SHA}
		  pytorch_state_dict: {source: 'https://example.com/w.pt', sha256: '00'}
		""";

	private Path tinyPackage(String sha) throws Exception {
		Path p = Files.createDirectories(tmp.resolve("tiny"));
		Files.write(p.resolve("in.npy"), new byte[] { 1, 2, 3 });
		Files.write(p.resolve("model.onnx"), new byte[] { 1, 2, 3 });
		Files.writeString(p.resolve("rdf.yaml"), DESCRIPTION.replace("SHA", sha));
		return p;
	}

	@Test
	void readsTheSpecificationsExampleInFormat05() {
		Assumptions.assumeTrue(Files.isDirectory(EXAMPLE), "the example package is in ../shared only on the project's machines");
		ModelDescription d = Descriptions.read(EXAMPLE);
		assertEquals("UNet 2D Nuclei Broad", d.name());
		assertEquals("0.5.4", d.formatVersion());
		Tensor in = d.inputs().get(0), out = d.outputs().get(0);
		assertEquals("bcyx", in.axisOrder());
		assertEquals(List.of(1, 1, 512, 512), in.axes().stream().map(Axis::size).toList());
		assertEquals(List.of("ensure_dtype", "zero_mean_unit_variance", "ensure_dtype"), in.steps().stream().map(ModelDescription.Step::id).toList());
		assertEquals(List.of("x", "y"), in.steps().get(1).kwargs().get("axes"));
		assertEquals("raw/y", out.axis("y").orElseThrow().reference());
		assertEquals(32, out.axis("x").orElseThrow().halo());
		assertEquals(List.of("sigmoid", "ensure_dtype"), out.steps().stream().map(ModelDescription.Step::id).toList());
		assertEquals(List.of("onnx", "pytorch_state_dict", "torchscript"), List.copyOf(d.weights().keySet()));
		assertTrue(d.weights().get("pytorch_state_dict").remote());
		assertEquals("test_output.npy", out.testTensor().source());
	}

	@Test
	void readsTheSpecificationsExampleInFormat04() {
		Assumptions.assumeTrue(Files.isDirectory(EXAMPLE), "the example package is in ../shared only on the project's machines");
		ModelDescription d = Descriptions.read(EXAMPLE.resolve("v0_4_9.bioimageio.yaml"));
		assertEquals("0.4.9", d.formatVersion());
		Tensor in = d.inputs().get(0), out = d.outputs().get(0);
		assertEquals("raw", in.id());
		assertEquals("bcyx", out.axisOrder());
		assertEquals(List.of(1, 1, 512, 512), in.axes().stream().map(Axis::size).toList());
		assertEquals("per_sample", in.steps().get(0).kwargs().get("mode"));
		Axis c = out.axis("c").orElseThrow();
		assertEquals("raw/c", c.reference());
		assertEquals(0.0, c.scale(), "a channel axis scaled by 0 (offset 0.5 gives one channel)");
		assertEquals(32, out.axis("y").orElseThrow().halo());
		assertEquals("test_input.npy", in.testTensor().source());
		assertNull(in.testTensor().sha256(), "0.4 test tensors carry no sha256");
	}

	@Test
	void readsParameterisedAxesAndPhysicalScale() throws Exception {
		Path p = tinyPackage(Descriptions.sha256(Files.write(tmp.resolve("probe"), new byte[] { 1, 2, 3 })));
		ModelDescription d = Descriptions.read(p);
		Axis y = d.inputs().get(0).axis("y").orElseThrow(), x = d.inputs().get(0).axis("x").orElseThrow();
		assertEquals(64, y.min());
		assertEquals(16, y.step());
		assertEquals(0.5, y.physicalScale());
		assertEquals("micrometer", y.unit());
		assertEquals("x", x.id(), "a space axis without id is x (0.5 default)");
		assertEquals(2, d.inputs().get(0).axis("c").orElseThrow().size(), "channel count from channel_names");
		assertEquals(8, d.outputs().get(0).axis("x").orElseThrow().halo());
	}

	@Test
	void aPackageZipIsUnpackedOnce() throws Exception {
		Path p = tinyPackage(Descriptions.sha256(Files.write(tmp.resolve("probe"), new byte[] { 1, 2, 3 })));
		Path zip = tmp.resolve("tiny.zip");
		try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o)) {
			for (String n : new String[] { "rdf.yaml", "in.npy", "model.onnx" }) {
				z.putNextEntry(new ZipEntry(n));
				z.write(Files.readAllBytes(p.resolve(n)));
				z.closeEntry();
			}
		}
		ModelDescription d = Descriptions.read(zip);
		assertEquals("tiny", d.name());
		assertTrue(Files.isRegularFile(d.root().resolve("model.onnx")));
		assertEquals(d.root(), Descriptions.read(zip).root(), "the same cache folder the second time");
	}

	@Test
	void brokenPackagesFailWithTheFieldAndTheFix() throws Exception {
		Path p = tinyPackage("0".repeat(64));
		SegmentationException e = assertThrows(SegmentationException.class, () -> Descriptions.read(p));
		assertTrue(e.getMessage().contains("in.npy") && e.getMessage().contains("inputs.raw.test_tensor") && e.getMessage().contains("Fix:"),
			e.getMessage());
		Files.writeString(p.resolve("rdf.yaml"), DESCRIPTION.replace("SHA", Descriptions.sha256(p.resolve("in.npy"))));
		Files.delete(p.resolve("model.onnx"));
		e = assertThrows(SegmentationException.class, () -> Descriptions.read(p));
		assertTrue(e.getMessage().contains("weights.onnx.source") && e.getMessage().contains("does not exist"), e.getMessage());
		Files.writeString(p.resolve("rdf.yaml"), DESCRIPTION.replace("0.5.4", "0.3.2"));
		e = assertThrows(SegmentationException.class, () -> Descriptions.read(p));
		assertTrue(e.getMessage().contains("format_version 0.3.2"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> Descriptions.read(tmp.resolve("nothing-here")));
		assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
	}
}
