package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.facade.EvaluationReports;
import io.github.unetseg.facade.Evaluator;
import io.github.unetseg.facade.InstanceEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg evaluate}: Dice, IoU, precision, recall, volumes, Hausdorff distance, HD95, ASSD and
 * surface Dice per class between predictions and ground truth, in physical units. Exit code 1 when any
 * pair was skipped (the report still covers the others).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
	description = "Compare label images with ground truth (files, or folders matched by name).")
final class EvaluateCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--prediction", required = true, description = "Predicted label image or folder (a_labels.tif matches a.tif).")
	Path prediction;

	@Option(names = "--truth", required = true, description = "Ground-truth label image or folder.")
	Path truth;

	@Option(names = "--classes", split = ",", description = "Classes to evaluate (default: every label > 0 present).")
	int[] classes;

	@Option(names = "--spacing", split = ",", description = "Voxel spacing z,y,x (2D: y,x) overriding the files' calibration.")
	double[] spacing;

	@Option(names = "--tolerance", defaultValue = "1", description = "Surface Dice tolerance in physical units (default: ${DEFAULT-VALUE}).")
	double tolerance;

	@Option(names = "--output", description = "Report CSV (a _summary.csv is written beside it); .json writes JSON.")
	Path output;

	@Option(names = "--model", description = "Model folder or name whose model.json names the classes (e.g. organs) in the report.")
	String model;

	@Option(names = "--class-names", split = ",", description = "Class names, background first (instead of --model).")
	java.util.List<String> classNames;

	@Option(names = "--label-classes", description = "CSV of the classes annotated in each truth image (columns image, classes; " +
		"OpenKBP's index.csv as it is): a class not annotated in an image is not scored there.")
	Path labelClasses;

	@Option(names = "--instances", description = "Score objects instead of classes: label images hold object ids (0 = background); " +
		"one-to-one matching by IoU (Hungarian, StarDist's matching_dataset): precision, recall, F1, accuracy (AP), mean matched " +
		"IoU and panoptic quality at IoU 0.5, 0.55, ..., 0.9, per image and for the set (counts summed over images).")
	boolean instances;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
		if (!(tolerance >= 0)) {
			err.println("error: --tolerance must be >= 0");
			return 2;
		}
		try {
			Evaluator.checkSpacing(spacing);
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 2;
		}
		if (instances) return instances(out, err);
		double[] xyz = null;
		if (spacing != null) {
			xyz = new double[spacing.length];
			for (int i = 0; i < spacing.length; i++) xyz[i] = spacing[spacing.length - 1 - i];
		}
		try {
			java.util.List<String> names = classNames != null ? classNames : model != null ? io.github.unetseg.model.ModelBundle.read(
				io.github.unetseg.facade.ModelCatalog.models().getOrDefault(model, Path.of(model))).spec().classNames() : java.util.List.of();
			Evaluator.Report r = Evaluator.evaluateFiles(prediction, truth, classes, xyz, tolerance, names,
				labelClasses == null ? null : io.github.unetseg.data.LabelClasses.read(labelClasses));
			print(out, r);
			if (r.results().size() > 1) printSummary(out, r);
			if (output != null) {
				if (output.toString().endsWith(".json")) EvaluationReports.writeJson(r, output);
				else EvaluationReports.writeCsv(r, output);
				out.println("report written to " + output);
			}
			r.skipped().forEach(s -> err.println("skipped: " + s.reason()));
			out.flush();
			return r.skipped().isEmpty() ? 0 : 1;
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 1;
		}
	}

	private int instances(PrintWriter out, PrintWriter err) {
		try {
			InstanceEvaluator.InstanceReport r = InstanceEvaluator.evaluateInstanceFiles(prediction, truth);
			out.printf(Locale.ROOT, "%-28s %7s %7s %7s %9s %7s %7s%n", "image", "objects", "found", "AP@0.5", "F1@0.5", "PQ@0.5", "mIoU");
			for (InstanceEvaluator.InstancePair p : r.results()) {
				var c = p.counts()[0];
				out.printf(Locale.ROOT, "%-28s %7d %7d %7.4f %9.4f %7.4f %7.4f%n", p.name(), c.nTrue(), c.nPred(), c.accuracy(), c.f1(),
					c.panopticQuality(), c.meanMatchedScore());
			}
			if (r.total().length > 0) {
				out.printf(Locale.ROOT, "all %d image(s): %d objects in the truth, %d predicted%n", r.results().size(), r.total()[0].nTrue(),
					r.total()[0].nPred());
				out.printf(Locale.ROOT, "%9s %6s %6s %6s %9s %7s %7s %7s %7s %7s%n", "IoU", "TP", "FP", "FN", "precision", "recall", "AP",
					"F1", "mIoU", "PQ");
				for (var c : r.total())
					out.printf(Locale.ROOT, "%9.2f %6d %6d %6d %9.4f %7.4f %7.4f %7.4f %7.4f %7.4f%n", c.threshold(), c.tp(), c.fp(), c.fn(),
						c.precision(), c.recall(), c.accuracy(), c.f1(), c.meanMatchedScore(), c.panopticQuality());
				out.printf(Locale.ROOT, "mean AP over IoU 0.5-0.9: %.4f%n", io.github.unetseg.metrics.InstanceMatching.meanAccuracy(r.total()));
			}
			if (output != null) {
				InstanceEvaluator.writeInstanceCsv(r, output);
				out.println("report written to " + output);
			}
			r.skipped().forEach(s -> err.println("skipped: " + s.reason()));
			out.flush();
			return r.skipped().isEmpty() ? 0 : 1;
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 1;
		}
	}

	static void print(PrintWriter out, Evaluator.Report r) {
		out.printf(Locale.ROOT, "%-28s %-12s %8s %8s %10s %10s %10s %8s %9s %9s  %s%n", "image", "class", "Dice", "IoU", "HD", "HD95",
			"ASSD", "SurfDice", "true mL", "pred mL", "status");
		for (Evaluator.PairResult p : r.results())
			for (ClassMetrics m : p.metrics()) {
				double ml = EvaluationReports.millilitres(p.unit());
				out.printf(Locale.ROOT, "%-28s %-12s %8.4f %8.4f %10.3f %10.3f %10.3f %8.4f %9.2f %9.2f  %s (%s)%n", p.name(),
					r.className(m.label()), m.dice(), m.iou(), m.hausdorff(), m.hd95(), m.assd(), m.surfaceDice(), m.trueVolume() * ml,
					m.predictedVolume() * ml, m.status(), p.unit());
			}
	}

	/** Per class over the images: Dice and HD95 mean, median and worst case, and the mean true volume. */
	static void printSummary(PrintWriter out, Evaluator.Report r) {
		out.printf(Locale.ROOT, "%-12s %4s %8s %8s %8s %9s %9s %9s %9s%n", "class", "n", "Dice", "median", "worst", "HD95", "median",
			"worst", "true mL");
		java.util.Map<Integer, double[][]> rows = new java.util.TreeMap<>();
		int dice = Evaluator.METRICS.indexOf("dice"), hd95 = Evaluator.METRICS.indexOf("hd95"), vol = Evaluator.METRICS.indexOf("volume_truth");
		for (double[] row : EvaluationReports.summary(r)) rows.computeIfAbsent((int) row[0], k -> new double[Evaluator.METRICS.size()][])[(int) row[1]] = row;
		String unit = r.results().get(0).unit();
		double[] means = new double[2];
		int n = 0;
		for (var e : rows.entrySet()) {
			double[] d = e.getValue()[dice], h = e.getValue()[hd95], v = e.getValue()[vol];
			out.printf(Locale.ROOT, "%-12s %4d %8.4f %8.4f %8.4f %9.3f %9.3f %9.3f %9.2f%n", r.className(e.getKey()), (long) d[2], d[3], d[4],
				d[7], h[3], h[4], h[7], v[3] * EvaluationReports.millilitres(unit));
			if (Double.isFinite(d[3])) {
				means[0] += d[3];
				means[1] += h[3];
				n++;
			}
		}
		if (n > 0) out.printf(Locale.ROOT, "mean over %d classes: Dice %.4f, HD95 %.3f %s%n", n, means[0] / n, means[1] / n, unit);
	}
}
