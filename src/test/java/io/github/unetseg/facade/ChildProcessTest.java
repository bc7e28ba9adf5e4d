package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan.Border;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The child-JVM implementations of the facade give what the in-process ones give: the same labels,
 * probabilities, statuses, figures and training, with the settings travelling as one JSON job.
 */
@Tag("slow")
class ChildProcessTest {

	@TempDir
	static Path dir;

	static final Path MODEL = Path.of("models/brain-mri-2d");
	static final EngineOptions CPU = new EngineOptions(Device.CPU, 0);

	@BeforeAll
	static void childClassPath() {
		System.setProperty("unetseg.engine.classpath", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
	}

	@AfterAll
	static void clear() {
		System.clearProperty("unetseg.engine.classpath");
		System.clearProperty("unetseg.engine");
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static float[] pixels(Volume<?> v) {
		return Images.toFloats(((Volume<FloatType>) (Volume) v).image());
	}

	@Test
	void theFactoryChoosesByTheCoexistenceCheckOrTheProperty() {
		assertTrue(Engines.inProcess(), "TensorFlow Java 1.x is on the test class path");
		System.setProperty("unetseg.engine", "process");
		try (Segmenter s = Engines.segmenter(MODEL, CPU)) {
			assertTrue(s instanceof ChildProcessSegmenter);
			assertTrue(Engines.trainer() instanceof ChildProcessTrainer);
			assertEquals("brain-mri-2d", s.spec().name());
		}
		finally {
			System.clearProperty("unetseg.engine");
		}
		try (Segmenter s = Engines.segmenter(MODEL, CPU)) {
			assertTrue(s instanceof LocalSegmenter);
		}
	}

	@Test
	void anImageInMemoryGivesTheSameLabelsAndProbabilities() {
		Volume<?> image = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif"));
		// a fixed batch: the automatic one follows the free memory, which differs between the two processes on a busy
		// machine, and another batch may round the last float bits differently
		SegmentationSettings settings = Options.segmentation(Map.of("model", MODEL.toString(), "border", "mirror", "probabilities", "true",
			"tile", "128", "batch", "2")).settings();
		SegmentationResult here, there;
		try (Segmenter s = new LocalSegmenter(MODEL, CPU)) {
			here = s.segment(image, settings, ProgressListener.NONE, "z90");
		}
		List<String> progress = new ArrayList<>();
		try (Segmenter s = new ChildProcessSegmenter(MODEL, CPU)) {
			there = s.segment(image, settings, (done, total, message) -> progress.add(done + "/" + total), "z90");
			assertTrue(s.device().endsWith("(engine process)"), s.device());
		}
		assertArrayEquals(pixels(here.labels()), pixels(there.labels()));
		assertArrayEquals(pixels(here.probabilities()), pixels(there.probabilities()));
		assertArrayEquals(here.plan().tileSize(), there.plan().tileSize(), "the settings reached the child");
		assertEquals(here.plan().tiles().size(), there.plan().tiles().size());
		assertEquals(Border.MIRROR, there.plan().border());
		assertEquals("mm", there.labels().calibration().unit());
		assertTrue(!progress.isEmpty() && progress.get(progress.size() - 1).split("/")[0].equals(progress.get(progress.size() - 1)
			.split("/")[1]), "the child's progress arrives: " + progress);
	}

	@Test
	void foldersGiveTheSameStatusesOutputsAndErrors() throws Exception {
		Path in = Files.createDirectories(dir.resolve("in"));
		Path a = Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), in.resolve("a.tif"));
		Path broken = Files.write(in.resolve("b.tif"), "not a TIFF".getBytes());
		Path c = Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("c.tif"));
		List<Path> inputs = List.of(a, broken, c);
		record Seen(int index, FileStatus status, String error) {}
		List<List<Seen>> seen = new ArrayList<>();
		List<Map<FileStatus, Integer>> counts = new ArrayList<>();
		for (boolean child : new boolean[] { false, true }) {
			Path out = dir.resolve(child ? "child" : "local");
			Files.createDirectories(out);
			Files.writeString(out.resolve("c_labels.tif"), "done before"); // skipped
			List<Seen> s = new ArrayList<>();
			try (Segmenter segmenter = child ? new ChildProcessSegmenter(MODEL, CPU) : new LocalSegmenter(MODEL, CPU)) {
				counts.add(segmenter.segmentFiles(inputs, out, SegmentationSettings.defaults(), false, (i, f, status, r, e) -> {
					s.add(new Seen(i, status, e == null ? null : e.getMessage()));
					if (status == FileStatus.DONE) {
						assertEquals(OutputFiles.labels(f, out), r.labelsFile());
						assertTrue(r.result().plan().tiles().size() >= 1 && r.seconds() > 0 && r.result().seconds() > 0);
					}
				}));
			}
			seen.add(s);
		}
		assertEquals(seen.get(0), seen.get(1));
		assertEquals(counts.get(0), counts.get(1));
		assertEquals(List.of(FileStatus.DONE, FileStatus.FAILED, FileStatus.SKIPPED), seen.get(1).stream().map(Seen::status).toList());
		assertTrue(seen.get(1).get(1).error().contains("b.tif"), seen.get(1).get(1).error());
		assertArrayEquals(Files.readAllBytes(dir.resolve("local/a_labels.tif")), Files.readAllBytes(dir.resolve("child/a_labels.tif")));
		assertEquals("done before", Files.readString(dir.resolve("child/c_labels.tif")));
	}

	@Test
	void aBadModelFailsWithTheSameMessage() {
		Path missing = dir.resolve("no-model");
		String local = org.junit.jupiter.api.Assertions.assertThrows(SegmentationException.class, () -> new LocalSegmenter(missing, CPU))
			.getMessage();
		String child = org.junit.jupiter.api.Assertions.assertThrows(SegmentationException.class, () -> new ChildProcessSegmenter(missing,
			CPU)).getMessage();
		assertEquals(local, child);
	}

	@Test
	void trainingInTheChildReportsEpochsAndWritesTheModel() throws Exception {
		Path[] data = Images.brainTrainingFolders(dir, "train");
		Path images = data[0], labels = data[1];
		TrainingRequest r = Options.training(Options.parse("images=" + images + " labels=" + labels + " output=" + dir.resolve("trained") +
			" classes=background,brain depth=2 filters=4 epochs=2 steps=2 batch=2 patch=64 device=cpu"));
		List<EpochRecord> epochs = new ArrayList<>();
		TrainingOutcome o = new ChildProcessTrainer().train(r, ProgressListener.NONE, epochs::add);
		assertEquals(2, epochs.size());
		assertEquals(List.of(1, 2), o.history().stream().map(EpochRecord::epoch).toList());
		assertEquals(epochs.get(1).meanDice(), o.history().get(1).meanDice(), 1e-6);
		assertEquals(TrainingHistory.best(o.history()).epoch(), o.bestEpoch());
		assertEquals("trained", o.model().spec().name());
		assertTrue(Files.isRegularFile(dir.resolve("trained/saved_model.pb")));
	}
}
