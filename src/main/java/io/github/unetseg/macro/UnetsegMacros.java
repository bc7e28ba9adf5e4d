package io.github.unetseg.macro;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ij.IJ;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.EvaluationReports;
import io.github.unetseg.facade.Evaluator;
import io.github.unetseg.facade.FileListener;
import io.github.unetseg.facade.FileResult;
import io.github.unetseg.facade.FileStatus;
import io.github.unetseg.facade.InputFiles;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.SegmenterCache;
import io.github.unetseg.facade.TrainingOutcome;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.tiling.ProgressListener;

/**
 * The ImageJ 1 macro entry points, usable in any ImageJ 1.54 or Fiji without the SciJava legacy layer:
 * through the macro extension ({@code run("unetseg Macro Extensions"); Ext.segment(in, model, out);},
 * see {@link UnetsegMacroExtensions}) or directly with {@code call()}:
 * {@code call("io.github.unetseg.macro.UnetsegMacros.segment", in, model, out, "tile=256 border=mirror")}.
 * Every function maps its arguments onto the facade's options ({@link Options}, the CLI's names without
 * dashes) and calls the same {@link Segmenter}/{@link io.github.unetseg.facade.Trainer} as the CLI and
 * the Fiji commands; it returns a string (ImageJ's
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

	/** The open model of ImageJ 1 macros (ImageJ 1 has no context to close it; it lives until ImageJ quits). */
	private static final SegmenterCache MODELS = new SegmenterCache();

	/** @return the open model of ImageJ 1 entries (macros and the ImageJ 1 dialog) */
	static SegmenterCache models() {
		return MODELS;
	}

	/**
	 * Segments one file or every image of a folder and writes {@code <name>_labels<ext>} into
	 * {@code outputDir}; files whose outputs exist are skipped. The model's defaults for everything else.
	 *
	 * @param input image file or folder (formats: {@link io.github.unetseg.io.ImageFiles#READABLE})
	 * @param model model folder, or the name of a model in the models folders
	 * @param outputDir output folder (created)
	 * @return {@code "<segmented> segmented, <skipped> skipped, <failed> failed"} or {@code "error: ..."}
	 */
	public static String segment(String input, String model, String outputDir) {
		return segment(input, model, outputDir, "");
	}

	/**
	 * Segments one file or every image of a folder with options, as {@code unetseg segment} does.
	 *
	 * @param input image file or folder (formats: {@link io.github.unetseg.io.ImageFiles#READABLE})
	 * @param model model folder, or the name of a model in the models folders
	 * @param outputDir output folder (created)
	 * @param options {@code unetseg segment}'s options as space-separated {@code key=value} (names without
	 *     dashes, {@link Options#SEGMENT}), e.g. {@code "tile=256 overlap=0.25 border=mirror probabilities"}
	 * @return {@code "<segmented> segmented, <skipped> skipped, <failed> failed"} or {@code "error: ..."}
	 */
	public static String segment(String input, String model, String outputDir, String options) {
		try {
			Map<String, String> given = new LinkedHashMap<>(Options.parse(options));
			given.put("model", model);
			Options.Segmentation o = Options.segmentation(given);
			Segmenter s = MODELS.get(o.model(), o.engine());
			List<Path> files = InputFiles.withoutOutputs(InputFiles.expand(List.of(input)), Path.of(outputDir));
			var counts = s.segmentFiles(files, Path.of(outputDir), o.settings(), o.overwrite(), new FileListener() {
				@Override
				public ProgressListener progress(int index, Path f) {
					return IJ_PROGRESS;
				}

				@Override
				public void file(int index, Path f, FileStatus status, FileResult r, SegmentationException error) {
					if (error != null) IJ.log("unetseg error: " + error.getMessage());
					else if (r != null) IJ.log(String.format(Locale.ROOT, "unetseg: %s -> %s (%.2f s, %s)", f.getFileName(), r.labelsFile(),
						r.seconds(), r.result().device()));
				}
			});
			IJ.showProgress(1.0);
			return String.format(Locale.ROOT, "%d segmented, %d skipped, %d failed", counts.get(FileStatus.DONE),
				counts.get(FileStatus.SKIPPED), counts.get(FileStatus.FAILED));
		}
		catch (SegmentationException e) {
			return fail(e);
		}
	}

	/**
	 * Trains a model from an images folder and a labels folder.
	 *
	 * @param images images folder
	 * @param labels labels folder (same file names)
	 * @param output model folder to create
	 * @param options {@code unetseg train}'s options as space-separated {@code key=value} (names without
	 *     dashes, {@link Options#TRAIN}), e.g. {@code "dims=2 classes=background,nucleus epochs=50 lr=0.001
	 *     resume"}
	 * @return {@code "best epoch E, validation Dice D"} or {@code "error: ..."}
	 */
	public static String train(String images, String labels, String output, String options) {
		try {
			Map<String, String> given = new LinkedHashMap<>(Options.parse(options));
			given.put("images", images);
			given.put("labels", labels);
			given.put("output", output);
			TrainingOutcome out = Engines.trainer().train(Options.training(given), IJ_PROGRESS, e -> IJ.log(String.format(Locale.ROOT,
				"unetseg: epoch %d loss %.4f validation Dice %.4f", e.epoch(), e.loss(), e.meanDice())));
			out.warnings().forEach(w -> IJ.log("unetseg warning: " + w));
			return String.format(Locale.ROOT, "best epoch %d, validation Dice %.4f", out.bestEpoch(), out.bestDice());
		}
		catch (SegmentationException e) {
			return fail(e);
		}
		catch (java.util.concurrent.CancellationException e) {
			IJ.log("unetseg: " + e.getMessage());
			return "error: " + e.getMessage();
		}
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
			Evaluator.Report r = Evaluator.evaluateFiles(Path.of(prediction), Path.of(truth), null, null, 1);
			if (report != null && !report.isBlank()) EvaluationReports.writeCsv(r, Path.of(report));
			r.skipped().forEach(s -> IJ.log("unetseg skipped: " + s.reason()));
			double sum = 0;
			int n = 0;
			for (Evaluator.PairResult p : r.results())
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
