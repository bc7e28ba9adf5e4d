package io.github.unetseg.macro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Every script in macros/ run by a real ImageJ 1.54 ({@code net.imagej:ij}) in {@code -batch} mode, with
 * the plugin jar in ImageJ's plugins folder, on the real test images. The scripts that use the macro
 * extension need ImageJ's menus, hence a display: they run under Xvfb ({@code xvfb-run}, installed by
 * .ci/run); {@code batch-headless.ijm} runs with {@code java.awt.headless=true}.
 */
@Tag("slow")
class MacrosTest {

	@TempDir
	static Path dir;

	static Path ijDir;

	/** ImageJ's folder with plugins/unetseg_.jar built from the compiled classes (with plugins.config). */
	@BeforeAll
	static void plugin() throws IOException {
		ijDir = dir.resolve("imagej");
		Path plugins = ijDir.resolve("plugins");
		Files.createDirectories(plugins);
		io.github.unetseg.testutil.Jars.of(Path.of("target/classes"), plugins.resolve("unetseg_.jar"));
	}

	/** Whether {@code xvfb-run} can give ImageJ a display (.ci/run installs it). */
	static boolean xvfb() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
			if (Files.isExecutable(Path.of(dir, "xvfb-run"))) return true;
		return false;
	}

	/** Skips a test that needs ImageJ's menus when no virtual display can be started, saying why. */
	static void assumeDisplay() {
		org.junit.jupiter.api.Assumptions.assumeTrue(xvfb(), "xvfb-run is not installed, so ImageJ 1 cannot get the display its menus " +
			"and macro extensions need; install it with apt-get install xvfb xauth (.ci/run does) to run this test");
	}

	static String imagej(boolean display, String macro, String args) throws Exception {
		List<String> cmd = new ArrayList<>();
		if (display) {
			assumeDisplay();
			cmd.addAll(List.of("xvfb-run", "-a"));
		}
		cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dplugins.dir=" + ijDir,
			"-Djava.awt.headless=" + !display, "-Djava.util.prefs.userRoot=" + System.getProperty("java.util.prefs.userRoot", "target/test-prefs"), "-cp", System.getProperty("java.class.path"), "ij.ImageJ", "-batch",
			Path.of("macros", macro).toAbsolutePath().toString(), args));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(300, TimeUnit.SECONDS), "ImageJ finished");
		assertEquals(0, p.exitValue(), log);
		return log;
	}

	static float[] pixels(Path f) {
		Volume<?> v = ImageFiles.read(f);
		return Images.toFloats(((Volume<net.imglib2.type.numeric.real.FloatType>) (Volume) v).image());
	}

	@Test
	void headlessBatchMacroSegmentsAndEvaluatesLikeTheService() throws Exception {
		Path in = dir.resolve("in"), truth = dir.resolve("truth"), out = dir.resolve("headless");
		Files.createDirectories(in);
		Files.createDirectories(truth);
		for (String z : new String[] { "z70", "z90" }) {
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + ".tif"), in.resolve(z + ".tif"));
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + "-brainmask.tif"), truth.resolve(z + ".tif"));
		}
		String log = imagej(false, "batch-headless.ijm", "input=" + in + " model=" + Path.of("models/brain-mri-2d").toAbsolutePath() +
			" output=" + out + " truth=" + truth + " options=border=mirror,batch=2");
		assertTrue(log.contains("unetseg segment: 2 segmented, 0 skipped, 0 failed"), log);
		try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), new EngineOptions(Device.CPU, 0))) {
			for (String z : new String[] { "z70", "z90" }) {
				var expected = s.segment((Volume) ImageFiles.read(in.resolve(z + ".tif")), SegmentationSettings.defaults()
					.withBorder(io.github.unetseg.tiling.TilePlan.Border.MIRROR),
					ProgressListener.NONE, z);
				assertArrayEquals(Images.toFloats(((Volume<net.imglib2.type.numeric.real.FloatType>) (Volume) expected.labels()).image()),
					pixels(out.resolve(z + "_labels.tif")), z);
			}
		}
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("mean Dice ([0-9.]+)").matcher(log);
		assertTrue(m.find(), log);
		assertTrue(Double.parseDouble(m.group(1)) > 0.97, log);
		List<String> report = Files.readAllLines(out.resolve("report.csv"));
		assertEquals(3, report.size(), report.toString());
	}

	@Test
	void imageJ1DialogPluginRunsFromARecordedMacroLine() throws Exception {
		assumeDisplay();
		Path macro = dir.resolve("dialog.ijm"), out = dir.resolve("dialog-labels.tif");
		Files.writeString(macro, "open(\"" + Path.of("test-images/mri-t1-axial-z90.tif").toAbsolutePath() + "\");\n" +
			"run(\"Segment Image (ImageJ 1)...\", \"model=brain-mri-2d folder=[] tile=auto overlap=0 device=cpu threshold=0.5\");\n" +
			"print(\"result: \" + getTitle() + \" \" + bitDepth() + \"-bit\");\n" +
			"saveAs(\"Tiff\", \"" + out + "\");\n");
		List<String> cmd = new ArrayList<>(List.of("xvfb-run", "-a", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Dplugins.dir=" + ijDir, "-Dunetseg.models=" + Path.of("models").toAbsolutePath(), "-cp", System.getProperty("java.class.path"),
			"ij.ImageJ", "-batch", macro.toString()));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(300, TimeUnit.SECONDS));
		assertEquals(0, p.exitValue(), log);
		assertTrue(log.contains("result: mri-t1-axial-z90_labels 8-bit"), log);
		float[] got = pixels(out), truth = pixels(Path.of("test-images/mri-t1-axial-z90-brainmask.tif"));
		long inter = 0, sum = 0;
		for (int i = 0; i < got.length; i++) {
			if (got[i] == 1 && truth[i] == 1) inter++;
			sum += (long) got[i] + (long) truth[i];
		}
		assertTrue(2.0 * inter / sum > 0.98, "Dice " + 2.0 * inter / sum);
		assertEquals("mm", ImageFiles.read(out).calibration().unit());
	}

	@Test
	void objectsGoToTheRoiManagerOfARealImageJAndAccumulateOverImages() throws Exception {
		assumeDisplay();
		Path model = io.github.unetseg.testutil.InstanceModels.trained().model().directory();
		Path macro = dir.resolve("objects.ijm");
		String args = "model=" + model.getFileName() + " folder=[] tile=auto overlap=0 device=cpu threshold=0.5 channels=all probability=model " +
			"seed=model minimum=model object=0 link=0 output=both measure";
		Files.writeString(macro, "setBatchMode(true);\n" +
			"open(\"" + io.github.unetseg.testutil.InstanceModels.file("images", 1) + "\");\n" +
			"run(\"Segment Image (ImageJ 1)...\", \"" + args + "\");\n" +
			"getStatistics(area, mean, min, max); print(\"first: \" + max + \" objects, \" + roiManager(\"count\") + \" ROIs, \" + Table.size(\"Objects of d1\") + \" rows\");\n" +
			"open(\"" + io.github.unetseg.testutil.InstanceModels.file("images", 2) + "\");\n" +
			"run(\"Segment Image (ImageJ 1)...\", \"" + args + "\");\n" +
			"getStatistics(area, mean, min, max); print(\"second: \" + max + \" objects, \" + roiManager(\"count\") + \" ROIs\");\n" +
			"open(\"" + io.github.unetseg.testutil.InstanceModels.file("images", 2) + "\");\n" +
			"run(\"Segment Image (ImageJ 1)...\", \"" + args + " clear\");\n" +
			"print(\"cleared: \" + roiManager(\"count\") + \" ROIs\");\n");
		List<String> cmd = new ArrayList<>(List.of("xvfb-run", "-a", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Dplugins.dir=" + ijDir, "-Dunetseg.models=" + model.getParent(), "-cp", System.getProperty("java.class.path"), "ij.ImageJ",
			"-batch", macro.toString()));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(300, TimeUnit.SECONDS));
		assertEquals(0, p.exitValue(), log);
		java.util.regex.Matcher first = java.util.regex.Pattern.compile("first: (\\d+) objects, (\\d+) ROIs, (\\d+) rows").matcher(log);
		java.util.regex.Matcher second = java.util.regex.Pattern.compile("second: (\\d+) objects, (\\d+) ROIs").matcher(log);
		java.util.regex.Matcher cleared = java.util.regex.Pattern.compile("cleared: (\\d+) ROIs").matcher(log);
		assertTrue(first.find() && second.find() && cleared.find(), log);
		int n1 = Integer.parseInt(first.group(1)), n2 = Integer.parseInt(second.group(1));
		assertTrue(n1 > 0, log);
		assertEquals(n1, Integer.parseInt(first.group(2)), "one ROI per object: " + log);
		assertEquals(n1, Integer.parseInt(first.group(3)), "one table row per object: " + log);
		assertEquals(n1 + n2, Integer.parseInt(second.group(2)), "the first image's ROIs are kept: " + log);
		assertEquals(n2, Integer.parseInt(cleared.group(1)), "clear empties the ROI Manager first: " + log);
	}

	@Test
	void extensionMacrosSegmentTrainAndEvaluateFolders() throws Exception {
		Path in = dir.resolve("ext-in"), labels = dir.resolve("ext-labels"), out = dir.resolve("ext-out");
		Files.createDirectories(in);
		Files.createDirectories(labels);
		for (String z : new String[] { "z70", "z90" }) {
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + ".tif"), in.resolve(z + ".tif"));
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + "-brainmask.tif"), labels.resolve(z + ".tif"));
		}
		String model = Path.of("models/brain-mri-2d").toAbsolutePath().toString();
		String log = imagej(true, "segment-folder.ijm", "input=" + in + " model=" + model + " output=" + out +
			" options=halo=model,precision=float32,threshold=0.5");
		assertTrue(log.contains("unetseg segment-folder: 2 segmented"), log);
		float[] p = pixels(out.resolve("z90_labels.tif")), t = pixels(labels.resolve("z90.tif"));
		long inter = 0, sum = 0;
		for (int i = 0; i < p.length; i++) {
			if (p[i] == 1 && t[i] == 1) inter++;
			sum += (long) p[i] + (long) t[i];
		}
		assertTrue(2.0 * inter / sum > 0.97, "Dice of the macro's output " + 2.0 * inter / sum);

		Path report = dir.resolve("ext-report.csv");
		log = imagej(true, "evaluate-folder.ijm", "prediction=" + out + " truth=" + labels + " report=" + report);
		assertTrue(log.contains("unetseg evaluate: mean Dice 0.9"), log);
		assertEquals(3, Files.readAllLines(report).size());

		Path trained = dir.resolve("ext-model");
		log = imagej(true, "train-from-folders.ijm", "images=" + in + " labels=" + labels + " output=" + trained +
			" options=dims=2,classes=background;brain,depth=2,filters=4,epochs=2,steps=2,batch=2,patch=64");
		assertTrue(log.contains("unetseg train: best epoch"), log);
		assertEquals(List.of("background", "brain"), ModelBundle.read(trained).spec().classNames());
	}
}
