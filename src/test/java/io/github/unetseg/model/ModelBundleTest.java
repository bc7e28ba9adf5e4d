package io.github.unetseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;

class ModelBundleTest {

	@TempDir
	Path dir;

	static ModelSpec spec() {
		UNetConfig c = new UNetConfig(3, 2, 4, 2, 8, true, 0.1);
		return ModelSpec.forUNet("brain", c, List.of("bg", "a", "b", "c"), new Normalization(Normalization.Method.ZSCORE, 0, 1),
			new double[] { 1, 1, 2.5 }, "mm", new long[] { 64, 64, 32 }, new long[] { 16, 16, 8 },
			new ModelSpec.Provenance("unetseg 0.1.0", "2026-11-23T00:00:00Z", "ch2", "test"));
	}

	@Test
	void jsonRoundTripKeepsEveryField() {
		ModelSpec s = spec();
		ModelSpec back = ModelBundle.parse(ModelBundle.toJson(s), "model.json");
		assertEquals(s.name(), back.name());
		assertEquals(s.classNames(), back.classNames());
		assertEquals(s.architecture(), back.architecture());
		assertEquals(s.normalization(), back.normalization());
		assertEquals(s.provenance(), back.provenance());
		assertArrayEquals(s.spacing(), back.spacing());
		assertArrayEquals(s.tile(), back.tile());
		assertArrayEquals(s.halo(), back.halo());
		assertEquals("bzyxc", back.axes());
		assertEquals(4, back.outputChannels());
		// training's mirroring: unknown (not written), or recorded either way
		assertEquals(null, back.mirrored());
		assertTrue(!ModelBundle.toJson(s).contains("trainedWithMirroring"));
		for (Boolean m : new Boolean[] { true, false })
			assertEquals(m, ModelBundle.parse(ModelBundle.toJson(s.withMirrored(m)), "model.json").mirrored());
	}

	@Test
	void postProcessingPerClassRoundTripsAndNamesUnknownClasses() {
		ModelSpec.PostProcessing some = ModelSpec.PostProcessing.parse("largest=A:c, holes");
		assertEquals(List.of("A", "c"), some.largestComponentClasses());
		assertTrue(some.fillHoles());
		assertEquals("largest=A:c,holes", some.toString());
		assertEquals(some, ModelSpec.PostProcessing.parse(some.toString()));
		// names match the model's classes without regard to case; background is never cleaned
		assertArrayEquals(new boolean[] { false, true, false, true }, some.largestComponentOf(List.of("bg", "a", "b", "c")));
		assertArrayEquals(new boolean[] { false, true, true, true }, ModelSpec.PostProcessing.parse("largest").largestComponentOf(
			List.of("bg", "a", "b", "c")));
		assertArrayEquals(new boolean[4], ModelSpec.PostProcessing.parse("holes").largestComponentOf(List.of("bg", "a", "b", "c")));
		ModelSpec s = spec().withPostProcessing(new ModelSpec.PostProcessing(true, false, List.of("b")));
		String json = ModelBundle.toJson(s);
		assertTrue(json.contains("\"largestComponentClasses\": [\n      \"b\"\n    ]"), json);
		assertEquals(s.postprocessing(), ModelBundle.parse(json, "model.json").postprocessing());
		// every class: the list is not written
		assertTrue(!ModelBundle.toJson(spec().withPostProcessing(ModelSpec.PostProcessing.parse("largest"))).contains("largestComponentClasses"));
		String m = assertThrows(SegmentationException.class, () -> ModelBundle.parse(json.replace("\"b\"\n", "\"Brainstem\"\n"),
			"/m/model.json")).getMessage();
		assertTrue(m.contains("/m/model.json") && m.contains("'Brainstem'") && m.contains("[a, b, c]") && m.contains("Fix"), m);
		m = assertThrows(SegmentationException.class, () -> ModelBundle.parse(json.replace("\"largestComponent\": true",
			"\"largestComponent\": false"), "/m/model.json")).getMessage();
		assertTrue(m.contains("postprocessing") && m.contains("largestComponent is false"), m);
		assertThrows(IllegalArgumentException.class, () -> ModelSpec.PostProcessing.parse("largest="));
	}

	@Test
	void leftRightMirroringRoundTripsAndNeedsAnOrientationAndKnownClasses() {
		ModelSpec s = spec().withOrientation("PLI").withMirrored(false).withLeftRight(LeftRightMirroring.parse("A:c"));
		String json = ModelBundle.toJson(s);
		assertTrue(json.contains("\"mirroredLeftRight\": [\n    \"A:c\"\n  ]"), json);
		ModelSpec back = ModelBundle.parse(json, "model.json");
		assertEquals(s.leftRight(), back.leftRight());
		// class indices: a (1) and c (3) swap, b keeps its label; the axis coded L is y
		assertArrayEquals(new int[] { 0, 3, 2, 1 }, back.leftRight().classMap(back.classNames()));
		assertEquals(1, LeftRightMirroring.axis(back.orientation()));
		assertEquals(0, LeftRightMirroring.axis("RAS"));
		assertTrue(!ModelBundle.toJson(spec()).contains("mirroredLeftRight"));
		String m = assertThrows(SegmentationException.class, () -> ModelBundle.parse(json.replace("\"orientation\": \"PLI\",\n", ""),
			"/m/model.json")).getMessage();
		assertTrue(m.contains("/m/model.json") && m.contains("orientation"), m);
		m = assertThrows(SegmentationException.class, () -> ModelBundle.parse(json.replace("A:c", "A:Eye_L"), "/m/model.json")).getMessage();
		assertTrue(m.contains("'Eye_L'") && m.contains("[a, b, c]"), m);
		assertThrows(IllegalArgumentException.class, () -> LeftRightMirroring.parse("a:b,b:c").classMap(List.of("bg", "a", "b", "c")));
		assertThrows(IllegalArgumentException.class, () -> LeftRightMirroring.parse("a-b"));
		assertThrows(IllegalArgumentException.class, () -> LeftRightMirroring.axis("PAI"));
		assertEquals(List.of(), LeftRightMirroring.parse("none").pairs());
	}

	@Test
	void badFieldsAreNamedWithAFix() {
		String json = ModelBundle.toJson(spec());
		String[][] cases = { { "\"inputChannels\": 2", "\"inputChannels\": \"two\"", "inputChannels" },
			{ "\"schemaVersion\": 1", "\"schemaVersion\": 7", "schemaVersion" },
			{ "\"axes\": \"bzyxc\"", "\"axes\": \"bczyx\"", "axes" },
			{ "\"output\": \"softmax\"", "\"output\": \"relu\"", "output" },
			{ "\"method\": \"ZSCORE\"", "\"method\": \"MAGIC\"", "normalization" },
			{ "\"tile\": [\n    64,", "\"tile\": [\n    62,", "tile" } };
		for (String[] c : cases) {
			assertTrue(json.contains(c[0]), "fixture contains " + c[0]);
			SegmentationException e = assertThrows(SegmentationException.class,
				() -> ModelBundle.parse(json.replace(c[0], c[1]), "/m/model.json"), c[2]);
			assertTrue(e.getMessage().contains("/m/model.json") && e.getMessage().contains(c[2]) && e.getMessage().contains("Fix"),
				e.getMessage());
		}
		SegmentationException e = assertThrows(SegmentationException.class, () -> ModelBundle.parse("{ not json", "x.json"));
		assertTrue(e.getMessage().contains("not valid JSON"));
	}

	/** Messages that used to blame the wrong field or say "one of three". */
	@Test
	void messagesNameTheFieldThatIsWrong() {
		String json = ModelBundle.toJson(spec());
		String m = assertThrows(SegmentationException.class, () -> ModelBundle.parse(json.replace("\"axes\": \"bzyxc\"",
			"\"axes\": \"byxc\""), "m.json")).getMessage();
		assertTrue(m.contains("dimensions") && m.contains("is 3 but axes \"byxc\" is 2D"), m);
		m = assertThrows(SegmentationException.class, () -> ModelBundle.parse(json.replace("\"tile\": [\n    64,",
			"\"tile\": [\n    -512,"), "m.json")).getMessage();
		assertTrue(m.contains("must be positive"), m);
		m = assertThrows(SegmentationException.class, () -> ModelBundle.parse(json.replace("\"classes\": 4", "\"classes\": 3"),
			"m.json")).getMessage();
		assertTrue(m.contains("architecture has 3 output channel(s)") && m.contains("need 4"), m);
	}

	@Test
	void folderProblemsNameTheMissingPiece() throws IOException {
		assertTrue(assertThrows(SegmentationException.class, () -> ModelBundle.read(dir.resolve("nope"))).getMessage()
			.contains("does not exist"));
		assertTrue(assertThrows(SegmentationException.class, () -> ModelBundle.read(dir)).getMessage().contains("saved_model.pb"));
		Files.writeString(dir.resolve("saved_model.pb"), "x");
		assertTrue(assertThrows(SegmentationException.class, () -> ModelBundle.read(dir)).getMessage().contains("variables"));
		Files.createDirectories(dir.resolve("variables"));
		Files.writeString(dir.resolve("variables/variables.index"), "x");
		assertTrue(assertThrows(SegmentationException.class, () -> ModelBundle.read(dir)).getMessage().contains("model.json"));
		ModelBundle.writeSpec(dir, spec());
		assertEquals("brain", ModelBundle.read(dir).spec().name());
		try (var s = Files.list(dir)) {
			assertEquals(3, s.count(), "no temporary file left: " + dir);
		}
	}

	@Test
	void receptiveFieldAndFlopsOfKnownArchitectures() {
		// depth 2: convs 2+4+8+4+2 plus pooling 1+2 = 23 pixels
		assertEquals(23, new UNetConfig(2, 1, 1, 2, 16, false, 0).receptiveFieldRadius());
		assertEquals(51, new UNetConfig(2, 1, 1, 3, 16, false, 0).receptiveFieldRadius());
		// one level, 1 input channel, 2 filters, binary: full-res convs 2*9*(1*2 + 2*2) = 108, bottleneck at 1/4:
		// 2*9*(2*4 + 4*4)/4 = 108, up-conv 2*4*2*4/4 = 16, decoder convs 2*9*(2*2*2 + 2*2) = 216, head 2*2 = 4
		assertEquals(108 + 108 + 16 + 216 + 4, new UNetConfig(2, 1, 1, 1, 2, false, 0).flopsPerVoxel(), 1e-9);
	}
}
