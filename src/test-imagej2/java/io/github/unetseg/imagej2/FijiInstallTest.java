package io.github.unetseg.imagej2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.example.otherplugin.TensorFlow115Probe;

import ij.IJ;
import ij.ImagePlus;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.FijiInstall;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

/**
 * The Fiji install folder ({@link FijiInstall}, {@code unetseg install-fiji}) laid over a simulated
 * {@code Fiji.app} (ImageJ2 2.17.0 with its legacy layer and ImageJ 1, from the vendored repository:
 * {@code target/simulated-fiji/jars}), started as Fiji's launcher starts it (only {@code jars/*} on the class
 * path, {@code ij.dir} set, {@code net.imagej.Main --headless}), segmenting README's example through the
 * menu command from a macro; then again with TensorFlow 1.15 ({@code libtensorflow}) and protobuf-java 3 in
 * {@code jars/} and a command that runs a TensorFlow 1.15 graph before and after: both keep working. The
 * labels equal those computed here in the test's JVM.
 */
class FijiInstallTest {

	@TempDir
	Path dir;

	private static final Path MRI = Path.of("test-images/mri-t1-axial-z90.tif").toAbsolutePath();

	@Test
	void theInstallFolderSegmentsInASimulatedFiji() throws Exception {
		Path fiji = fiji("plain");
		try (Stream<Path> s = Files.list(fiji.resolve("jars"))) {
			assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("tensorflow") || p.getFileName().toString().startsWith(
				"protobuf")), "TensorFlow Java and protobuf 4 stay out of jars/");
		}
		String log = run(fiji, "");
		assertLabels(fiji, log);
	}

	@Test
	void itKeepsWorkingBesideTensorFlow115AndProtobuf3() throws Exception {
		Path fiji = fiji("with-tf115");
		for (String j : new String[] { "libtensorflow-1.15.0.jar", "libtensorflow_jni-1.15.0.jar", "protobuf-java-3.25.5.jar" })
			Files.createSymbolicLink(fiji.resolve("jars").resolve(j), Path.of("target/tf115", j).toAbsolutePath());
		probeJar(fiji.resolve("jars").resolve("tf115-probe.jar"));
		String log = run(fiji, "run(\"TensorFlow 1.15 Probe\");\n");
		assertTrue(log.contains("tensorflow 1.15: 1.15.0 computed 3.0"), "TensorFlow 1.15 before unetseg: " + log);
		assertTrue(log.contains("tensorflow 1.15: 1.15.0 computed 4.0"), "TensorFlow 1.15 after unetseg: " + log);
		assertLabels(fiji, log);
	}

	/** Lays the install folder over a simulated Fiji.app; returns Fiji.app. */
	private Path fiji(String name) throws IOException {
		Path jar = dir.resolve(name + "-build").resolve("unetseg-0.1.0-SNAPSHOT.jar");
		Files.createDirectories(jar.getParent());
		io.github.unetseg.testutil.Jars.of(Path.of("target/classes"), jar);
		List<Path> runtime = new ArrayList<>();
		for (String e : Files.readString(Path.of("target/runtime-classpath.txt")).trim().split(File.pathSeparator)) runtime.add(Path.of(e));
		Path overlay = dir.resolve(name + "-install");
		long t0 = System.nanoTime();
		FijiInstall.Summary s = FijiInstall.assemble(jar, runtime, Path.of("models"), Path.of("macros"), overlay);
		System.out.println("install folder: jars/ " + s.jars() + "; lib/unetseg/ " + s.engine() + "; models/ " + s.models() + "; macros/ " +
			s.macros());
		Path fiji = dir.resolve(name).resolve("Fiji.app");
		Files.createDirectories(fiji.resolve("jars"));
		try (Stream<Path> jars = Files.list(Path.of("target/simulated-fiji/jars"))) {
			for (Path j : jars.toList()) Files.createSymbolicLink(fiji.resolve("jars").resolve(j.getFileName()), j.toAbsolutePath());
		}
		// "copy the folder over Fiji.app"
		try (Stream<Path> files = Files.walk(overlay)) {
			for (Path p : files.toList()) {
				Path t = fiji.resolve(overlay.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
		System.out.printf("assembled and copied over Fiji.app in %.1f s%n", (System.nanoTime() - t0) / 1e9);
		return fiji;
	}

	/** Starts the simulated Fiji as its launcher does, headless, with a macro that segments README's example. */
	private String run(Path fiji, String before) throws Exception {
		Path macro = fiji.resolve("segment.ijm"), out = fiji.resolveSibling("labels.tif");
		Files.writeString(macro, before + "open(\"" + MRI + "\");\nrun(\"Segment Image...\", \"image=" + MRI.getFileName() +
			" model=brain-mri-2d\");\nselectImage(\"mri-t1-axial-z90_labels\");\nsaveAs(\"Tiff\", \"" + out + "\");\nprint(\"saved \" + getTitle());\n" + before);
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Dij.dir=" + fiji, "-Djava.util.prefs.userRoot=" + System.getProperty("java.util.prefs.userRoot", "target/test-prefs"), "-Djava.awt.headless=true", "-cp", fiji.resolve("jars") +
				File.separator + "*", "net.imagej.Main", "--headless", "-batch", macro.toString()));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		long t0 = System.nanoTime();
		Process p = pb.start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(300, TimeUnit.SECONDS));
		System.out.printf("Fiji start to first result: %.1f s%n%s%n", (System.nanoTime() - t0) / 1e9, log.lines().filter(l -> l.startsWith(
			"saved") || l.startsWith("tensorflow 1.15")).reduce("", (a, b) -> a + "  " + b + "\n"));
		assertEquals(0, p.exitValue(), log);
		return log;
	}

	private void assertLabels(Path fiji, String log) throws Exception {
		assertTrue(log.contains("saved labels.tif"), log);
		ImagePlus got = IJ.openImage(fiji.resolveSibling("labels.tif").toString());
		ImagePlus in = IJ.openImage(MRI.toString());
		try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), EngineOptions.defaults())) {
			ImagePlus expected = ImagePlusAdapter.toImagePlus(s.segment(ImagePlusAdapter.wrap(in, "mri"), SegmentationSettings.defaults(),
				ProgressListener.NONE, "mri").labels(), "expected");
			assertArrayEquals((byte[]) expected.getProcessor().getPixels(), (byte[]) got.getProcessor().getPixels(),
				"the labels of Fiji's Segment Image equal the in-process ones");
			assertEquals(in.getCalibration().pixelWidth, got.getCalibration().pixelWidth, 1e-9);
		}
	}

	/** A jar of another plugin: {@link TensorFlow115Probe} (and the TensorFlow 1.15 code it calls) with its own plugin index. */
	private static void probeJar(Path jar) throws IOException {
		try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
			for (Class<?> c : new Class<?>[] { TensorFlow115Probe.class, io.github.unetseg.command.FijiWithTensorFlow115.class }) {
				String cls = c.getName().replace('.', '/') + ".class";
				j.putNextEntry(new JarEntry(cls));
				j.write(Files.readAllBytes(Path.of("target/test-classes", cls)));
				j.closeEntry();
			}
			j.putNextEntry(new JarEntry("META-INF/json/org.scijava.plugin.Plugin"));
			j.write(("{\"class\":\"" + TensorFlow115Probe.class.getName() + "\",\"values\":{\"headless\":true,\"menuPath\":\"Plugins>TensorFlow " +
				"1.15 Probe\",\"type\":\"org.scijava.command.Command\"}}").getBytes(StandardCharsets.UTF_8));
			j.closeEntry();
		}
	}
}
