package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;

/**
 * unetseg beside CSBDeep/StarDist/DeepImageJ's TensorFlow: a JVM with {@code libtensorflow} 1.15.0
 * (from Maven Central, copied to target/tf115 by the build) first on the class path and TensorFlow Java
 * 1.1.0 behind it, as both would be in one Fiji. TensorFlow 1.15 must work before and after, and
 * unetseg's Segment Image must give the same labels as in a clean JVM (it runs its engine in a child
 * process there).
 */
@Tag("slow")
class TensorFlowCoexistenceTest {

	@TempDir
	Path dir;

	@Test
	void bothTensorFlowsWorkInOneJvm() throws Exception {
		String testCp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		List<String> cp = new ArrayList<>(List.of(Path.of("target/tf115/libtensorflow-1.15.0.jar").toAbsolutePath().toString(),
			Path.of("target/tf115/libtensorflow_jni-1.15.0.jar").toAbsolutePath().toString()));
		cp.add(testCp);
		Path labelsOut = dir.resolve("labels.txt");
		Path model = Path.of("models/brain-mri-2d").toAbsolutePath(), image = Path.of("test-images/mri-t1-axial-z90.tif").toAbsolutePath();
		ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Djava.awt.headless=true", "-Djava.util.prefs.userRoot=" + dir.resolve("prefs"), "-Dunetseg.engine.classpath=" + testCp, "-cp", String.join(File.pathSeparator, cp),
			FijiWithTensorFlow115.class.getName(), image.toString(), model.toString(), labelsOut.toString(), dir.toString())
			.redirectErrorStream(true);
		Path folderIn = Files.createDirectories(dir.resolve("in"));
		Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), folderIn.resolve("a.tif"));
		Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), folderIn.resolve("b.tif"));
		Files.writeString(folderIn.resolve("notes.txt"), "not an image");
		Path trainImages = Files.createDirectories(dir.resolve("train-images")), trainLabels = Files.createDirectories(dir.resolve(
			"train-labels"));
		for (String z : new String[] { "z70", "z90" }) {
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + ".tif"), trainImages.resolve(z + ".tif"));
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + "-brainmask.tif"), trainLabels.resolve(z + ".tif"));
		}
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(300, TimeUnit.SECONDS));
		assertEquals(0, p.exitValue(), log);
		assertTrue(log.contains("tensorflow 1.15 before: 1.15.0 computed 3.0"), log);
		assertTrue(log.contains("engine in process: false"), log);
		assertTrue(log.contains("labels mri-t1-axial-z90_labels 181x217 mm"), log);
		assertTrue(log.contains("tensorflow 1.15 after: 1.15.0 computed 4.0"), log);
		assertTrue(log.contains("folder a.tif=done,b.tif=done"), "Segment Folder through the engine process: " + log);
		assertTrue(log.contains("macro 2 segmented, 0 skipped, 0 failed"), "the macro entry through the engine process: " + log);
		assertTrue(log.contains("trained trained epochs 2 dice true"), "Train Model through the engine process: " + log);
		assertEquals("trained", io.github.unetseg.model.ModelBundle.read(dir.resolve("trained")).spec().name());
		assertTrue(log.contains("macro-train best epoch "), "the macro train entry through the engine process: " + log);
		assertEquals("macro-trained", io.github.unetseg.model.ModelBundle.read(dir.resolve("macro-trained")).spec().name());
		for (String name : new String[] { "a", "b" })
			assertArrayEquals(Files.readAllBytes(dir.resolve("out").resolve(name + "_labels.tif")),
				Files.readAllBytes(dir.resolve("macro-out").resolve(name + "_labels.tif")), "macro and Segment Folder give the same file");

		List<String> lines = Files.readAllLines(labelsOut);
		float[] got = new float[lines.size()];
		for (int i = 0; i < got.length; i++) got[i] = Float.parseFloat(lines.get(i));
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 0))) {
			var r = s.segment((Volume) ImageFiles.read(image), SegmentationSettings.defaults(), ProgressListener.NONE, "z90");
			assertArrayEquals(Images.toFloats(((Volume<net.imglib2.type.numeric.real.FloatType>) (Volume) r.labels()).image()), got);
			for (String name : new String[] { "a", "b" }) {
				Path in = dir.resolve("in").resolve(name + ".tif");
				var expected = s.segment((Volume) ImageFiles.read(in), SegmentationSettings.defaults(), ProgressListener.NONE, name);
				assertArrayEquals(Images.toFloats(((Volume<net.imglib2.type.numeric.real.FloatType>) (Volume) expected.labels()).image()),
					Images.toFloats(((Volume<net.imglib2.type.numeric.real.FloatType>) (Volume) ImageFiles.read(dir.resolve("out")
						.resolve(name + "_labels.tif"))).image()), name + ": the engine process's folder labels equal a clean JVM's");
			}
		}
	}
}
