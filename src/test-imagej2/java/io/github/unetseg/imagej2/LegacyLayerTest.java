package io.github.unetseg.imagej2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPostprocessorPlugin;
import org.scijava.module.process.AbstractPreprocessorPlugin;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.PluginInfo;
import org.scijava.plugin.PluginService;
import org.scijava.service.Service;

import ij.IJ;
import ij.ImagePlus;
import ij.Menus;
import ij.io.FileSaver;
import ij.measure.ResultsTable;
import ij.plugin.frame.Recorder;
import net.imagej.ImageJ;
import net.imagej.legacy.IJ1Helper;
import net.imagej.legacy.LegacyService;

/**
 * unetseg's Fiji commands inside a real ImageJ2 2.17.0 with its legacy layer (ImageJ 1's menus and macro
 * recorder for SciJava commands), headless: every command is in ImageJ 1's command table at its menu
 * path; run as a user runs it (a menu click, {@code IJ.doCommand}, with the dialog's inputs filled in as
 * imagej-legacy's own {@code MacroRecorderPostprocessorTest} does) it records a macro line with all its
 * parameters; that line, run as a macro, gives byte-identical outputs. The Dataset path and the menu bar (Xvfb)
 * are checked by {@link DatasetAndMenuBarTest}.
 */
class LegacyLayerTest {

	private static ImageJ ij;

	private static LegacyService legacy;

	@TempDir
	static Path dir;

	static final List<String> COMMANDS = List.of("Segment Image...", "Segment Folder...", "Train Model...", "Evaluate Segmentation...",
		"Model Info...", "Test Model...", "Export Model...");

	@BeforeAll
	static void start() {
		ij = new ImageJ();
		legacy = ij.get(LegacyService.class);
	}

	@AfterAll
	static void stop() {
		if (ij != null) ij.context().dispose();
	}

	@Test
	void everyCommandIsInImageJ1sCommandTableAtItsMenuPath() {
		assertTrue(legacy.isActive(), "the legacy layer is active");
		Map<String, String> found = new TreeMap<>();
		for (CommandInfo c : ij.get(CommandService.class).getCommands())
			if (c.getClassName().startsWith("io.github.unetseg.") && c.getMenuPath() != null && !c.getMenuPath().isEmpty()) {
				found.put(c.getTitle(), c.getMenuPath().getMenuString());
				assertEquals("command:" + c.getClassName(), Menus.getCommands().get(c.getTitle()), "ImageJ 1's command table: " + c.getTitle());
			}
		System.out.println("commands in ImageJ 1's command table: " + found);
		assertEquals(new TreeSet<>(COMMANDS), found.keySet());
		for (String title : COMMANDS) assertEquals("Plugins > Segmentation > U-Net > " + title, found.get(title));
	}

	@Test
	void eachCommandRecordsItsMacroLineAndTheLineReplaysToTheSameOutputs() throws Exception {
		Path work = Files.createDirectories(dir.resolve("record"));
		String mri = Path.of("test-images/mri-t1-axial-z90.tif").toAbsolutePath().toString();
		String brainModel = Path.of("models/brain-mri-2d").toAbsolutePath().toString();
		ImagePlus image = IJ.openImage(mri), truth = IJ.openImage(Path.of("test-images/mri-t1-axial-z90-brainmask.tif").toAbsolutePath()
			.toString());
		Path in = Files.createDirectories(work.resolve("in")), trainImages = Files.createDirectories(work.resolve("train-images")),
			trainLabels = Files.createDirectories(work.resolve("train-labels"));
		Files.copy(Path.of(mri), in.resolve("b.tif"));
		for (String z : new String[] { "z70", "z90" }) {
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + ".tif"), trainImages.resolve(z + ".tif"));
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + "-brainmask.tif"), trainLabels.resolve(z + ".tif"));
		}

		// Segment Image: the labels as TIFF bytes (pixels, calibration, lookup table)
		Map<String, Object> segment = segmentation(image, brainModel);
		segment.put("clearRois", false);
		check("Segment Image...", segment, m -> tiff((ImagePlus) m.getOutput("labels")), image);

		// Segment Folder: every file written
		Map<String, Object> folder = new LinkedHashMap<>();
		folder.put("input", in.toFile());
		folder.put("output", work.resolve("out").toFile());
		Map<String, Object> seg = segmentation(null, brainModel);
		seg.remove("image");
		folder.putAll(seg);
		folder.put("stream", "auto");
		folder.put("overwrite", true);
		check("Segment Folder...", folder, m -> files(work.resolve("out")));

		// Evaluate Segmentation: the table
		ImagePlus prediction = IJ.openImage(Path.of("test-images/mri-t1-axial-z90-brainmask.tif").toAbsolutePath().toString());
		prediction.setTitle("prediction.tif");
		truth.setTitle("truth.tif");
		prediction.getProcessor().setValue(0); // a prediction that differs from the truth
		prediction.getProcessor().fill(new ij.gui.Roi(60, 60, 50, 40));
		Map<String, Object> evaluate = new LinkedHashMap<>();
		evaluate.put("prediction", prediction);
		evaluate.put("truth", truth);
		evaluate.put("classes", "1");
		evaluate.put("tolerance", 2.0);
		evaluate.put("classNames", "background,brain");
		check("Evaluate Segmentation...", evaluate, m -> table((ResultsTable) m.getOutput("results")),
			prediction, truth);

		// Model Info: the table and the training history plot
		Map<String, Object> info = new LinkedHashMap<>();
		info.put("model", "other folder");
		info.put("modelFolder", new File(brainModel));
		check("Model Info...", info, m -> table((ResultsTable) m.getOutput("info")) + tiff((ImagePlus) m.getOutput("history")));

		// Export Model, then Test Model on the package
		Map<String, Object> export = new LinkedHashMap<>();
		export.put("model", "other folder");
		export.put("modelFolder", new File(brainModel));
		export.put("sample", new File(mri));
		export.put("output", work.resolve("brain.zip").toFile());
		export.put("authors", "unetseg developers");
		export.put("license", "CC-BY-4.0");
		export.put("tags", "brain,mri");
		check("Export Model...", export, m -> m.getOutput("passed") + " " + zipWithoutTimestamp(work.resolve("brain.zip")));
		Map<String, Object> test = new LinkedHashMap<>();
		test.put("model", work.resolve("brain.zip").toFile());
		test.put("threads", 1);
		check("Test Model...", test, m -> m.getOutput("passed") + " " + table((ResultsTable) m.getOutput("results")));

		// Train Model: a tiny model; the model's files
		Map<String, Object> train = new LinkedHashMap<>();
		train.put("images", trainImages.toFile());
		train.put("labels", trainLabels.toFile());
		train.put("output", work.resolve("trained").toFile());
		train.put("validationImages", trainImages.toFile());
		train.put("validationLabels", trainLabels.toFile());
		train.put("name", "trained");
		train.put("task", "semantic");
		train.put("instanceTarget", "boundary");
		train.put("dimensions", "2D");
		train.put("classes", "background,brain");
		train.put("channels", 1);
		train.put("depth", 2);
		train.put("filters", 4);
		train.put("batchNorm", false);
		train.put("dropout", 0.0);
		train.put("normalization", "percentile");
		train.put("normRange", "1,99.8");
		train.put("window", "");
		train.put("epochs", 1);
		train.put("steps", 2);
		train.put("batch", 2);
		train.put("patch", 64);
		train.put("learningRate", 0.001);
		train.put("epsilon", 1e-7);
		train.put("weightDecay", 1e-4);
		train.put("schedule", "poly");
		train.put("classWeights", "");
		train.put("foreground", 0.333);
		train.put("validation", 0.2);
		train.put("patience", 15);
		train.put("loss", "dice_ce");
		train.put("boundaryWeight", "auto");
		train.put("augment", true);
		train.put("mirror", true);
		train.put("pairedClasses", "");
		train.put("spacing", "median");
		train.put("maxHours", 0.0);
		train.put("seed", 42L);
		train.put("resume", false);
		train.put("threads", 1);
		train.put("device", "cpu");
		train.put("precision", "float32");
		check("Train Model...", train, m -> {
			String model = (String) m.getOutput("model");
			return files(Path.of(model).resolve("variables")) + Files.readString(Path.of(model, "model.json")).replaceAll(
				"\"(created|seconds|trainingSeconds)\": [^,\\n]*", "");
		});
	}

	/** Every option of Segment Image / Segment Folder, as a user would set them in the dialog. */
	private static Map<String, Object> segmentation(ImagePlus image, String model) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("image", image);
		m.put("model", "other folder");
		m.put("modelFolder", new File(model));
		m.put("tile", "auto");
		m.put("halo", "model");
		m.put("overlap", 0.25);
		m.put("border", "mirror");
		m.put("batch", 2);
		m.put("threads", 1);
		m.put("device", "cpu");
		m.put("precision", "float32");
		m.put("tta", true);
		m.put("threshold", 0.5);
		m.put("probabilities", false);
		m.put("rgb", "refuse");
		m.put("channels", "all");
		m.put("orientation", "auto");
		m.put("postprocess", "model");
		m.put("resample", true);
		m.put("probThreshold", "model");
		m.put("seedThreshold", "model");
		m.put("minSize", "model");
		m.put("diameter", 0.0);
		m.put("stitchThreshold", 0.0);
		m.put("rois", "label image");
		m.put("measure", false);
		return m;
	}

	interface Outputs {

		String of(Module m) throws IOException;
	}

	/**
	 * Runs a command as a menu click with the given inputs (recording on), checks the recorded macro line
	 * against all parameters, replays that line as a macro and compares the outputs.
	 *
	 * @param images the images of the ImagePlus inputs (recorded as titles; the replay macro opens them first)
	 */
	private static void check(String title, Map<String, Object> inputs, Outputs outputs, ImagePlus... images)
		throws Exception
	{
		CommandInfo info = (CommandInfo) ij.get(CommandService.class).getCommand(((String) Menus.getCommands().get(title)).substring(
			"command:".length()));
		// all parameters: every input except services, the context and optional files left empty
		List<String> expected = new ArrayList<>();
		for (ModuleItem<?> item : info.inputs()) {
			Class<?> t = item.getType();
			if (Service.class.isAssignableFrom(t) || Context.class.isAssignableFrom(t)) continue;
			if (!inputs.containsKey(item.getName())) {
				assertTrue(!item.isRequired() && t == File.class, title + ": no value for " + item.getName() + " (only optional files may stay empty)");
				continue;
			}
			expected.add(item.getName());
		}
		StringBuilder line = new StringBuilder("run(\"" + title + "\", \"");
		for (String name : expected) {
			Object v = inputs.get(name);
			String text = v instanceof ImagePlus imp ? imp.getTitle() : v instanceof File f ? f.getAbsolutePath() : String.valueOf(v);
			line.append(line.charAt(line.length() - 1) == '"' ? "" : " ").append(name.toLowerCase()).append('=').append(text.contains(" ")
				? "[" + text + "]" : text);
		}
		line.append("\");");

		PluginInfo<PreprocessorPlugin> fill = new PluginInfo<>(FillInputs.class, PreprocessorPlugin.class);
		fill.setPriority(10000);
		PluginInfo<PostprocessorPlugin> done = new PluginInfo<>(Done.class, PostprocessorPlugin.class);
		done.setPriority(-100000);
		PluginService plugins = ij.get(PluginService.class);
		plugins.addPlugin(fill);
		plugins.addPlugin(done);
		IJ1Helper original = legacy.getIJ1Helper();
		List<String> options = new ArrayList<>();
		String recordedOutputs, replayedOutputs;
		try {
			FillInputs.values = inputs;
			FillInputs.command = info.getClassName();
			Done.latch = new CountDownLatch(1);
			legacy.setIJ1Helper(new IJ1Helper(legacy) {

				@Override
				public void recordOption(String key, String value) {
					options.add(asRecorded(key, value));
					super.recordOption(key, value);
				}
			});
			Recorder.record = true;
			try {
				IJ.doCommand(title); // a menu click: ImageJ 1's Executer thread, not a macro
				assertTrue(Done.latch.await(300, TimeUnit.SECONDS), title + " did not finish");
				Thread.sleep(200);
			}
			finally {
				Recorder.record = false;
				legacy.setIJ1Helper(original);
				FillInputs.values = null;
			}
			assertTrue(Done.module.getDelegateObject().getClass().getName().equals(info.getClassName()));
			recordedOutputs = outputs.of(Done.module);
			String recorded = "run(\"" + title + "\", \"" + String.join(" ", options) + "\");";
			System.out.println("recorded: " + recorded);
			assertEquals(line.toString(), recorded, title + ": the recorded line has all parameters");

			if (title.equals("Train Model...")) // as on a fresh machine: Train Model does not write into an existing model folder
				io.github.unetseg.AtomicFiles.deleteTree(((File) inputs.get("output")).toPath());
			StringBuilder macro = new StringBuilder();
			for (ImagePlus imp : images) if (imp != null) {
				// the replay opens the images the line names, as a macro over files would
				Path f = dir.resolve("open").resolve(imp.getTitle());
				Files.createDirectories(f.getParent());
				IJ.saveAsTiff(imp, f.toString());
				macro.append("open(\"").append(f).append("\");\n");
			}
			macro.append(recorded);
			Done.latch = new CountDownLatch(1);
			Done.module = null;
			IJ.runMacro(macro.toString());
			assertTrue(Done.latch.await(300, TimeUnit.SECONDS), title + " from the macro did not finish");
			assertNotNull(Done.module);
			replayedOutputs = outputs.of(Done.module);
		}
		finally {
			plugins.removePlugin(fill);
			plugins.removePlugin(done);
		}
		assertEquals(recordedOutputs, replayedOutputs, title + ": the replayed line gives the same outputs");
		System.out.println("replayed " + title + ": same outputs (" + recordedOutputs.length() + " characters compared)");
	}

	/** {@code key=value} as ImageJ 1's Recorder writes it into the Recorder window (its trimKey and addQuotes). */
	private static String asRecorded(String key, String value) {
		try {
			java.lang.reflect.Method trimKey = Recorder.class.getDeclaredMethod("trimKey", String.class), addQuotes = Recorder.class
				.getDeclaredMethod("addQuotes", String.class);
			trimKey.setAccessible(true);
			addQuotes.setAccessible(true);
			return trimKey.invoke(null, key) + "=" + addQuotes.invoke(null, value);
		}
		catch (ReflectiveOperationException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String tiff(ImagePlus imp) {
		assertNotNull(imp);
		byte[] b = new FileSaver(imp).serialize();
		return sha256(b) + ":" + b.length;
	}

	private static String sha256(byte[] bytes) {
		try {
			return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (java.security.NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String table(ResultsTable t) {
		assertNotNull(t);
		StringBuilder b = new StringBuilder(t.getColumnHeadings()).append('\n');
		for (int r = 0; r < t.size(); r++) b.append(t.getRowAsString(r)).append('\n');
		return b.toString();
	}

	private static String files(Path folder) throws IOException {
		StringBuilder b = new StringBuilder();
		try (Stream<Path> s = Files.walk(folder)) {
			for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
				byte[] bytes = Files.readAllBytes(p);
				b.append(folder.relativize(p)).append(' ').append(sha256(bytes)).append('\n');
			}
		}
		assertTrue(b.length() > 0, "files in " + folder);
		return b.toString();
	}

	/** The package's entries and contents, the description's timestamp left out (it is the time of the export). */
	private static String zipWithoutTimestamp(Path zip) throws IOException {
		StringBuilder b = new StringBuilder();
		try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
			for (java.util.zip.ZipEntry e : java.util.Collections.list(z.entries()).stream().sorted(java.util.Comparator.comparing(
				java.util.zip.ZipEntry::getName)).toList())
			{
				byte[] bytes = z.getInputStream(e).readAllBytes();
				if (e.getName().endsWith(".yaml")) bytes = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replaceAll(
					"(?m)^timestamp:.*$", "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
				b.append(e.getName()).append(' ').append(sha256(bytes)).append('\n');
			}
		}
		return b.toString();
	}

	/** Stands in for the user filling in the command's dialog. */
	public static class FillInputs extends AbstractPreprocessorPlugin {

		static volatile Map<String, Object> values;

		static volatile String command;

		@Override
		public void process(Module module) {
			Map<String, Object> v = values;
			if (v == null || !module.getDelegateObject().getClass().getName().equals(command)) return;
			for (Map.Entry<String, Object> e : v.entrySet()) {
				module.setInput(e.getKey(), e.getValue());
				module.resolveInput(e.getKey());
			}
		}
	}

	/** Hands the finished module to the test (after the legacy layer's postprocessors, the recorder's included). */
	public static class Done extends AbstractPostprocessorPlugin {

		static volatile CountDownLatch latch;

		static volatile Module module;

		@Override
		public void process(Module m) {
			if (!m.getDelegateObject().getClass().getName().startsWith("io.github.unetseg.")) return;
			module = m;
			if (latch != null) latch.countDown();
		}
	}
}
