package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.Descriptions;
import io.github.unetseg.bioimageio.ModelDescription;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * {@code unetseg export --format bioimageio} on the shipped 2D brain model: the description is valid
 * against the specification's JSON schema (model 0.5.7), {@code test-model} passes on the export, and
 * segmenting with the package gives the original model's labels, through the round trip of
 * {@code config.unetseg} and through the package's own description (SavedModel weights on TensorFlow Java).
 */
class PackageExporterTest {

	static final Path MODEL = Path.of("models/brain-mri-2d"), SAMPLE = Path.of("test-images/mri-t1-axial-z90.tif");
	static final Path SCHEMA = Path.of("test-images/bioimageio/bioimageio_schema.json");

	@TempDir
	static Path tmp;

	static Path zip;
	static Map<String, Object> written;

	@BeforeAll
	static void export() {
		zip = tmp.resolve("brain-mri-2d.zip");
		written = PackageExporter.export(MODEL, SAMPLE, zip, new PackageExporter.Options(List.of("A. Author", "B. Author"), "CC-BY-4.0",
			List.of("mri")));
	}

	@Test
	void theDescriptionIsValidAgainstTheSchemaAndInvalidCopiesAreNot() throws Exception {
		Map<String, Object> yaml;
		try (ZipFile z = new ZipFile(zip.toFile())) {
			for (String f : List.of("bioimageio.yaml", "README.md", "cover.png", "test_input.npy", "test_output.npy", "brain-mri-2d-savedmodel.zip",
				"history.csv"))
				assertTrue(z.getEntry(f) != null, f + " in the package");
			yaml = map(new Load(LoadSettings.builder().build()).loadFromInputStream(z.getInputStream(z.getEntry("bioimageio.yaml"))));
		}
		Schema schema = modelSchema();
		ObjectMapper json = new ObjectMapper();
		List<Error> errors = schema.validate(json.valueToTree(yaml));
		assertEquals(List.of(), errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList());
		assertEquals("0.5.7", yaml.get("format_version"));
		// the validator does check: an older format version, a missing field, a bad licence and a zero size step deep in
		// an axis are errors
		String text = json.writeValueAsString(yaml);
		for (String[] change : new String[][] { { "\"format_version\":\"0.5.7\"", "\"format_version\":\"0.5.4\"" },
			{ "\"inputs\":", "\"inputz\":" }, { "\"license\":\"CC-BY-4.0\"", "\"license\":\"not-a-licence\"" },
			{ "\"step\":8", "\"step\":0" } })
		{
			assertTrue(text.contains(change[0]), change[0]);
			assertFalse(schema.validate(json.readTree(text.replace(change[0], change[1]))).isEmpty(), "refused: " + change[1]);
		}
	}

	@Test
	void testModelPassesOnTheExportWithItsSavedModelWeights() {
		PackageTests.Outcome o = PackageTests.run(zip, 2);
		assertTrue(o.passed(), o.toString());
		assertEquals("tensorflow_saved_model_bundle", o.weights());
		// 181 x 217 -> centre 176 x 216 on the 8-pixel grid
		assertEquals(176 * 216, o.outputs().get(0).elements());
		assertTrue(o.outputs().get(0).maxDifference() < 1e-5, "unetseg's normalisation and the package's scale_range agree: " + o);
	}

	@Test
	void theRoundTripKeepsModelJsonAndSegmentsIdentically() {
		ModelDescription d = Descriptions.read(zip);
		Path folder = Descriptions.savedModel(d);
		assertEquals(ModelBundle.toJson(ModelBundle.read(MODEL).spec()), ModelBundle.toJson(ModelBundle.read(folder).spec()),
			"model.json survives config.unetseg");
		Volume<?> image = ImageFiles.read(SAMPLE);
		byte[] original = labels(MODEL, image), exported = labels(zip, image);
		assertArrayEquals(original, exported, "the package segments as the model folder");
	}

	@Test
	void aForeignSavedModelPackageRunsThroughItsOwnDescription() throws Exception {
		// the same package without config.unetseg: PackageSpec maps scale_range to percentile normalisation and
		// PackageTileModel runs the SavedModel through the package's axes
		Path folder = tmp.resolve("foreign");
		try (ZipFile z = new ZipFile(zip.toFile())) {
			for (var e : java.util.Collections.list(z.entries())) {
				Path to = folder.resolve(e.getName());
				Files.createDirectories(to.getParent());
				Files.copy(z.getInputStream(e), to);
			}
		}
		String yaml = Files.readString(folder.resolve("bioimageio.yaml"));
		Files.writeString(folder.resolve("bioimageio.yaml"), yaml.substring(0, yaml.indexOf("\nconfig:")) + "\n");
		assertTrue(PackageTests.run(folder, 2).passed());
		Volume<?> image = ImageFiles.read(SAMPLE);
		byte[] original = labels(MODEL, image), foreign = labels(folder, image);
		int differ = 0;
		for (int i = 0; i < original.length; i++) if (original[i] != foreign[i]) differ++;
		// the package has no post-processing (unetseg's model fills holes) and tiles by its own halo
		assertTrue(differ < original.length / 100, differ + " of " + original.length + " pixels differ");
	}

	@Test
	void badExportsAreRefusedWithTheFix() {
		SegmentationException e = assertThrows(SegmentationException.class, () -> PackageExporter.export(MODEL, Path.of(
			"test-images/ch2.nii.gz"), tmp.resolve("x.zip"), new PackageExporter.Options(List.of("A"), "MIT", List.of())));
		assertTrue(e.getMessage().contains("--sample") && e.getMessage().contains("3 dimensions") && e.getMessage().contains("Fix:"),
			e.getMessage());
		assertFalse(Files.exists(tmp.resolve("x.zip")), "nothing half-written");
		e = assertThrows(SegmentationException.class, () -> PackageExporter.export(MODEL, SAMPLE, tmp.resolve("y.zip"),
			new PackageExporter.Options(List.of(), "MIT", List.of())));
		assertTrue(e.getMessage().contains("--author"), e.getMessage());
	}

	/** The schema with its root replaced by the model 0.5 definition (the discriminator is not evaluated by validators). */
	static Schema modelSchema() throws Exception {
		ObjectNode root = (ObjectNode) new ObjectMapper().readTree(SCHEMA.toFile());
		ObjectNode s = new ObjectMapper().createObjectNode();
		s.put("$schema", "https://json-schema.org/draft/2020-12/schema");
		s.set("$defs", root.get("$defs"));
		s.put("$ref", "#/$defs/bioimageio__spec__model__v0_5__ModelDescr");
		return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(s.toString());
	}

	private static byte[] labels(Path model, Volume<?> image) {
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 2))) {
			SegmentationResult r = s.segment(image, SegmentationSettings.defaults(), ProgressListener.NONE, "sample");
			return bytes(r.labels());
		}
	}

	private static <T extends RealType<T>> byte[] bytes(Volume<T> v) {
		byte[] b = new byte[(int) v.voxelCount()];
		int i = 0;
		for (T t : Views.flatIterable(v.image())) b[i++] = (byte) t.getRealDouble();
		return b;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object o) {
		return (Map<String, Object>) o;
	}
}
