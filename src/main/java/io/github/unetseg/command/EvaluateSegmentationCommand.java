package io.github.unetseg.command;

import java.awt.GraphicsEnvironment;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.facade.EvaluationReports;
import io.github.unetseg.facade.Evaluator;
import io.github.unetseg.facade.Frames;

/**
 * {@code Plugins > Segmentation > U-Net > Evaluate Segmentation...}: compares a predicted label image
 * with ground truth and gives Dice, IoU, precision, recall, volumes, Hausdorff distance, HD95, ASSD and
 * surface Dice per class, in the images' calibrated units, as an ImageJ {@link ResultsTable} (shown in
 * a window unless headless). A time series (both images with as many frames) is scored frame by frame
 * ({@link Frames}, as {@code unetseg evaluate} scores a time-series file), its rows with a {@code Frame} column.
 * All work is done by {@link Evaluator}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Evaluate Segmentation...", headless = true)
public class EvaluateSegmentationCommand extends ContextCommand {

	@Parameter(label = "Prediction", description = "Predicted label image (class indices)")
	private ImagePlus prediction;

	@Parameter(label = "Ground truth", description = "True label image of the same size and calibration")
	private ImagePlus truth;

	@Parameter(label = "Classes (empty = all present)", required = false, description = "Comma-separated class indices, e.g. 1,2")
	private String classes = "";

	@Parameter(label = "Surface Dice tolerance (calibrated units)", min = "0", description = "Boundary distance counted as agreement")
	private double tolerance = 1;

	@Parameter(label = "Class names (optional)", required = false, description = "Comma-separated, background first, or a model " +
		"(name or folder) whose model.json names the classes, e.g. organs")
	private String classNames = "";

	@Parameter(type = ItemIO.OUTPUT, label = "U-Net evaluation")
	private ResultsTable results;

	@Parameter(required = false)
	private LogService log;

	@Override
	public void run() {
		try {
			int[] cls = null;
			if (classes != null && !classes.isBlank()) {
				String[] parts = classes.split(",");
				cls = new int[parts.length];
				for (int i = 0; i < parts.length; i++) cls[i] = Integer.parseInt(parts[i].trim());
			}
			int[] chosen = cls;
			java.util.List<String> names = names(classNames);
			boolean series = prediction.getNFrames() > 1;
			ResultsTable table = new ResultsTable();
			Frames.each(prediction, truth, prediction.getTitle(), truth.getTitle(), (v, f) -> {
				addRows(table, Evaluator.evaluate(v[0], v[1], chosen, null, tolerance, prediction.getTitle(), truth.getTitle()), names, series
					? f : 0);
				return f;
			});
			results = table;
			if (!GraphicsEnvironment.isHeadless()) results.show("U-Net evaluation");
		}
		catch (NumberFormatException e) {
			cancel("Classes must be comma-separated integers, got \"" + classes + "\".");
		}
		catch (SegmentationException e) {
			if (log != null) log.error(e.getMessage());
			cancel(e.getMessage());
		}
	}

	/** Class names from a model (name or folder) or a comma-separated list; empty for none. */
	static java.util.List<String> names(String given) {
		if (given == null || given.isBlank()) return java.util.List.of();
		java.nio.file.Path model = io.github.unetseg.facade.ModelCatalog.models().get(given.trim());
		if (model == null && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(given.trim()).resolve("model.json")))
			model = java.nio.file.Path.of(given.trim());
		if (model != null) return io.github.unetseg.model.ModelBundle.read(model).spec().classNames();
		return java.util.Arrays.stream(given.split(",")).map(String::trim).toList();
	}

	/**
	 * Adds one row per class with the metrics as columns, volumes also in mL for images in mm.
	 *
	 * @param t the table
	 * @param r metrics of one pair
	 * @param classNames class names by index (background first), or empty
	 * @param frame the frame of a time series (1-based; a {@code Frame} column), or 0 for a single image
	 */
	static void addRows(ResultsTable t, Evaluator.PairResult r, java.util.List<String> classNames, int frame) {
		double ml = EvaluationReports.millilitres(r.unit());
		for (ClassMetrics m : r.metrics()) {
			t.incrementCounter();
			t.addValue("Prediction", r.prediction());
			t.addValue("Truth", r.truth());
			if (frame > 0) t.addValue("Frame", frame);
			t.addValue("Class", m.label());
			t.addValue("Class name", m.label() < classNames.size() ? classNames.get(m.label()) : String.valueOf(m.label()));
			t.addValue("Status", m.status());
			double[] v = Evaluator.values(m);
			for (int k = 0; k < v.length; k++) t.addValue(Evaluator.METRICS.get(k), v[k]);
			t.addValue("volume_prediction_ml", m.predictedVolume() * ml);
			t.addValue("volume_truth_ml", m.trueVolume() * ml);
			t.addValue("Unit", r.unit());
		}
	}
}
