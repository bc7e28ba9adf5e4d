package io.github.unetseg.macro;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ij.IJ;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.service.EngineProcess;
import io.github.unetseg.service.EvaluationService;
import io.github.unetseg.service.InputFiles;
import io.github.unetseg.service.ModelCache;
import io.github.unetseg.service.SegmentationService;
import io.github.unetseg.service.SegmentationSettings;
import io.github.unetseg.service.TrainingService;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

/**
 * The ImageJ 1 macro entry points, usable in any ImageJ 1.54 or Fiji without the SciJava legacy layer:
 * through the macro extension ({@code run("unetseg Macro Extensions"); Ext.segment(in, model, out);},
 * see {@link UnetsegMacroExtensions}) or directly with {@code call()}:
 * {@code call("io.github.unetseg.macro.UnetsegMacros.segment", in, model, out)}. Every function delegates
 * to the same service classes as the CLI and the Fiji commands and returns a string (ImageJ's
 * {@code call()} contract): a result, or {@code "error: ..."} with the reason, which is also logged.
 * Progress goes to ImageJ's status bar and progress bar.
 */
public final class UnetsegMacros {

	private UnetsegMacros() {}

	private static final ProgressListener IJ_PROGRESS = (done, total, message) -> {
		IJ.showStatus("U-Net: " + message);
		IJ.showProgress((int) done, (int) Math.max(1, total));
	};

	private static String fail(SegmentationException e) {
		IJ.log("unetseg error: " + e.getMessage());
		return "error: " + e.getMessage();
	}

	/**
	 * Segments one file or every image of a folder (TIFF, NIfTI) and writes {@code <name>_labels.tif}
	 * (or {@code .nii.gz}) into {@code outputDir}; files whose outputs exist are skipped.
	 *
	 * @param input image file or folder
	 * @param model model folder
	 * @param outputDir output folder (created)
	 * @return {@code "<segmented> segmented, <skipped> skipped, <failed> failed"} or {@code "error: ..."}
	 */
	public static String segment(String input, String model, String outputDir) {
		try {
			if (!EngineProcess.inProcess()) return segmentInEngineProcess(input, model, outputDir);
			SegmentationService s = ModelCache.get(Path.of(model), new EngineOptions(Device.AUTO, 0));
			List<Path> files = InputFiles.expand(List.of(input));
			List<String> errors = new ArrayList<>();
			var counts = s.segmentBatch(files, Path.of(outputDir), SegmentationSettings.defaults(), false,
				new SegmentationService.BatchListener() {
					@Override
					public ProgressListener progress(int index, Path f) {
						return IJ_PROGRESS;
					}

					@Override
					public void file(int index, Path f, SegmentationService.Status status, SegmentationService.FileResult r,
						SegmentationException error)
					{
						if (error != null) {
							errors.add(error.getMessage());
							IJ.log("unetseg error: " + error.getMessage());
						}
						else if (r != null) IJ.log(String.format(Locale.ROOT, "unetseg: %s -> %s (%.2f s, %s)", f.getFileName(),
							r.labelsFile(), r.seconds(), r.result().device()));
					}
				});
			IJ.showProgress(1.0);
			return String.format(Locale.ROOT, "%d segmented, %d skipped, %d failed", counts.get(SegmentationService.Status.DONE),
				counts.get(SegmentationService.Status.SKIPPED), counts.get(SegmentationService.Status.FAILED));
		}
		catch (SegmentationException e) {
			return fail(e);
		}
	}

	/**
	 * {@link #segment} in a child JVM ({@link EngineProcess}), when another plugin's TensorFlow 1.15 owns
	 * {@code org.tensorflow} in this one.
	 */
	private static String segmentInEngineProcess(String input, String model, String outputDir) {
		List<Path> files = InputFiles.expand(List.of(input));
		Path out = Path.of(outputDir);
		EngineProcess.BatchOutcome o = EngineProcess.segmentFiles(files, List.of("--model", Path.of(model).toAbsolutePath().toString()), out,
			false, false, IJ_PROGRESS);
		if (o.error() != null) IJ.log("unetseg error: " + o.error());
		IJ.showProgress(1.0);
		return String.format(Locale.ROOT, "%d segmented, %d skipped, %d failed", count(o, SegmentationService.Status.DONE),
			count(o, SegmentationService.Status.SKIPPED), count(o, SegmentationService.Status.FAILED));
	}

	private static long count(EngineProcess.BatchOutcome o, SegmentationService.Status s) {
		return o.statuses().stream().filter(s::equals).count();
	}

	/**
	 * Trains a model from an images folder and a labels folder.
	 *
	 * @param images images folder
	 * @param labels labels folder (same file names)
	 * @param output model folder to create
	 * @param options space-separated {@code key=value}: {@code dims} (2), {@code classes}
	 *     (background,foreground), {@code depth} (3), {@code filters} (16), {@code epochs} (50),
	 *     {@code steps} (50), {@code batch}, {@code patch}, {@code lr} (0.001), {@code loss} (dice_ce),
	 *     {@code seed} (42), {@code init} (model folder to fine-tune), {@code resume} (false)
	 * @return {@code "best epoch E, validation Dice D"} or {@code "error: ..."}
	 */
	public static String train(String images, String labels, String output, String options) {
		try {
			Map<String, String> o = new HashMap<>();
			for (String kv : options.trim().split("\\s+"))
				if (kv.contains("=")) o.put(kv.substring(0, kv.indexOf('=')).toLowerCase(Locale.ROOT), kv.substring(kv.indexOf('=') + 1));
			if (!EngineProcess.inProcess()) return trainInEngineProcess(images, labels, output, o);
			int dims = Integer.parseInt(o.getOrDefault("dims", "2"));
			List<String> classes = List.of(o.getOrDefault("classes", "background,foreground").split(","));
			UNetConfig arch = new UNetConfig(dims, Integer.parseInt(o.getOrDefault("channels", "1")), classes.size() == 2 ? 1 : classes.size(),
				Integer.parseInt(o.getOrDefault("depth", "3")), Integer.parseInt(o.getOrDefault("filters", "16")), false, 0);
			TrainingConfig d = TrainingConfig.defaults(dims);
			long[] patch = d.patchSize();
			if (o.containsKey("patch")) java.util.Arrays.fill(patch, Long.parseLong(o.get("patch")));
			TrainingConfig cfg = new TrainingConfig(Integer.parseInt(o.getOrDefault("epochs", "50")),
				Integer.parseInt(o.getOrDefault("steps", "50")), Integer.parseInt(o.getOrDefault("batch", "" + d.batchSize())), patch,
				Double.parseDouble(o.getOrDefault("lr", "0.001")), d.epsilon(), d.weightDecay(), d.schedule(),
				o.getOrDefault("loss", "dice_ce"), null, d.foregroundFraction(), true, d.validationFraction(), d.patience(),
				Long.parseLong(o.getOrDefault("seed", "42")));
			TrainingService.Outcome out = TrainingService.train(new TrainingService.Request(Path.of(images), Path.of(labels), null, null,
				Path.of(output), Path.of(output).getFileName().toString(), arch, classes, Normalization.percentile(), cfg,
				o.containsKey("init") ? Path.of(o.get("init")) : null, Boolean.parseBoolean(o.getOrDefault("resume", "false")),
				new EngineOptions(Device.AUTO, 0)), IJ_PROGRESS, e -> IJ.log(String.format(Locale.ROOT,
					"unetseg: epoch %d loss %.4f validation Dice %.4f", e.epoch(), e.loss(), e.meanDice())));
			return String.format(Locale.ROOT, "best epoch %d, validation Dice %.4f", out.bestEpoch(), out.bestDice());
		}
		catch (SegmentationException e) {
			return fail(e);
		}
		catch (IllegalArgumentException e) {
			IJ.log("unetseg error: " + e.getMessage());
			return "error: " + e.getMessage();
		}
	}

	/**
	 * {@link #train} in a child JVM ({@link EngineProcess}) as {@code unetseg train}, when another
	 * plugin's TensorFlow 1.15 owns {@code org.tensorflow} here; the result is read from the model's
	 * {@code history.csv}.
	 */
	private static String trainInEngineProcess(String images, String labels, String output, Map<String, String> o) {
		List<String> args = new ArrayList<>(List.of("train", "--images", images, "--labels", labels, "--output", output));
		for (String key : List.of("dims", "classes", "channels", "depth", "filters", "epochs", "steps", "batch", "patch", "lr", "loss",
			"seed", "init"))
			if (o.containsKey(key)) args.addAll(List.of("--" + key, o.get(key)));
		if (Boolean.parseBoolean(o.getOrDefault("resume", "false"))) args.add("--resume");
		EngineProcess.run(args, IJ_PROGRESS);
		TrainingService.EpochRecord best = null;
		for (TrainingService.EpochRecord e : TrainingService.readHistory(Path.of(output)))
			if (best == null || e.meanDice() > best.meanDice()) best = e; // the first best epoch, as the training picks it
		if (best == null) throw new SegmentationException(output + "/history.csv lists no epoch. Fix: train for at least one epoch.");
		return String.format(Locale.ROOT, "best epoch %d, validation Dice %.4f", best.epoch(), best.meanDice());
	}

	/**
	 * Evaluates predictions against ground truth (files, or folders matched by name) and writes a CSV
	 * report (and its {@code _summary.csv}).
	 *
	 * @param prediction label file or folder
	 * @param truth truth file or folder
	 * @param report CSV path, or empty for none
	 * @return the mean Dice over all evaluated images and classes, as text, or {@code "error: ..."}
	 */
	public static String evaluate(String prediction, String truth, String report) {
		try {
			EvaluationService.Report r = EvaluationService.evaluateFiles(Path.of(prediction), Path.of(truth), null, null, 1);
			if (report != null && !report.isBlank()) EvaluationService.writeCsv(r, Path.of(report));
			r.skipped().forEach(s -> IJ.log("unetseg skipped: " + s.reason()));
			double sum = 0;
			int n = 0;
			for (EvaluationService.PairResult p : r.results())
				for (ClassMetrics m : p.metrics()) if (!Double.isNaN(m.dice())) {
					sum += m.dice();
					n++;
				}
			return n == 0 ? "NaN" : String.format(Locale.ROOT, "%.6f", sum / n);
		}
		catch (SegmentationException e) {
			return fail(e);
		}
	}
}
