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
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.facade.Evaluator;

/**
 * {@code Plugins > Segmentation > U-Net > Evaluate Segmentation...}: compares a predicted label image
 * with ground truth and gives Dice, IoU, precision, recall, volumes, Hausdorff distance, HD95, ASSD and
 * surface Dice per class, in the images' calibrated units, as an ImageJ {@link ResultsTable} (shown in
 * a window unless headless). All work is done by {@link Evaluator}.
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
			Evaluator.PairResult r = Evaluator.evaluate(ImagePlusAdapter.wrap(prediction, prediction.getTitle()),
				ImagePlusAdapter.wrap(truth, truth.getTitle()), cls, null, tolerance, prediction.getTitle(), truth.getTitle());
			results = table(r);
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

	/**
	 * @param r metrics of one pair
	 * @return one row per class with the metrics as columns
	 */
	static ResultsTable table(Evaluator.PairResult r) {
		ResultsTable t = new ResultsTable();
		for (ClassMetrics m : r.metrics()) {
			t.incrementCounter();
			t.addValue("Prediction", r.prediction());
			t.addValue("Truth", r.truth());
			t.addValue("Class", m.label());
			t.addValue("Status", m.status());
			double[] v = Evaluator.values(m);
			for (int k = 0; k < v.length; k++) t.addValue(Evaluator.METRICS.get(k), v[k]);
			t.addValue("Unit", r.unit());
		}
		return t;
	}
}
