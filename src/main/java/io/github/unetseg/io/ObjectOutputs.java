package io.github.unetseg.io;

import java.awt.GraphicsEnvironment;
import java.util.List;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.macro.Interpreter;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import io.github.unetseg.objects.ObjectMeasurements;

/**
 * An instance model's objects as ImageJ 1 shows them: ROIs in the ROI Manager and the per-object
 * table as a {@link ResultsTable}, for the Fiji command and the ImageJ 1 dialog alike.
 */
public final class ObjectOutputs {

	private ObjectOutputs() {}

	/**
	 * The ROI Manager to add objects to: the open one, the batch-mode one of a running macro, else a new
	 * one; {@code null} in a headless JVM, where ImageJ 1 cannot create one (it is an AWT window).
	 *
	 * @return the ROI Manager, or {@code null} when headless
	 */
	public static synchronized RoiManager roiManager() {
		RoiManager rm = RoiManager.getInstance();
		if (rm != null) return rm;
		if (GraphicsEnvironment.isHeadless()) return null;
		if (Interpreter.isBatchMode()) return RoiManager.getRoiManager();
		return new RoiManager();
	}

	/**
	 * Adds the ROIs of an image's objects ({@link ObjectRois#of}) to the ROI Manager, after those already
	 * there unless asked to clear them, so that a macro over several images keeps all of them. In a
	 * headless JVM, where there is no ROI Manager, they become the overlay of {@code target} instead.
	 *
	 * @param rois the ROIs, names are object ids (with the plane in 3D)
	 * @param image the image they belong to (its short title prefixes each ROI name)
	 * @param target where the overlay goes when headless (the label image, or the image itself)
	 * @param clear whether to remove the ROIs already in the manager first
	 * @return where the ROIs went: {@code "ROI Manager"} or {@code "overlay"}
	 */
	public static String addRois(List<Roi> rois, ImagePlus image, ImagePlus target, boolean clear) {
		RoiManager rm = roiManager();
		String prefix = image == null ? "" : image.getShortTitle() + "-";
		if (rm == null) {
			ij.gui.Overlay overlay = new ij.gui.Overlay();
			for (Roi r : rois) overlay.add(named(r, prefix));
			target.setOverlay(overlay);
			return "overlay";
		}
		if (clear) rm.reset();
		for (Roi r : rois) rm.addRoi(named(r, prefix));
		return "ROI Manager";
	}

	private static Roi named(Roi r, String prefix) {
		Roi copy = (Roi) r.clone();
		copy.setName(prefix + r.getName());
		return copy;
	}

	/**
	 * The per-object table as a ResultsTable, columns as {@link ObjectMeasurements#csv}.
	 *
	 * @param rows the measurements
	 * @param dimensions 2 or 3
	 * @param channels channels measured
	 * @param unit calibration unit
	 * @return the table, one row per object
	 */
	public static ResultsTable table(List<ObjectMeasurements.Measurement> rows, int dimensions, int channels, String unit) {
		return framesTable(List.of(rows), dimensions, channels, unit);
	}

	/**
	 * The per-object table of a time series: the rows of each frame in turn, with a first column
	 * {@code Frame} (1-based) when there is more than one frame; otherwise as {@link #table}.
	 *
	 * @param frames the measurements of each frame, object ids counted per frame
	 * @param dimensions 2 or 3 (of one frame)
	 * @param channels channels measured
	 * @param unit calibration unit
	 * @return the table, one row per object and frame
	 */
	public static ResultsTable framesTable(List<List<ObjectMeasurements.Measurement>> frames, int dimensions, int channels, String unit) {
		ResultsTable rt = new ResultsTable();
		String[] axes = { "X", "Y", "Z" }, extents = { "Width", "Height", "Depth" };
		String size = dimensions == 3 ? "Volume (" + unit + "^3)" : "Area (" + unit + "^2)";
		for (int t = 0; t < frames.size(); t++)
			for (ObjectMeasurements.Measurement m : frames.get(t)) {
				rt.incrementCounter();
				if (frames.size() > 1) rt.addValue("Frame", t + 1);
				rt.addValue("Label", m.label());
				rt.addValue(size, m.size());
				rt.addValue("Voxels", m.voxels());
				for (int d = 0; d < dimensions; d++) rt.addValue("Centroid " + axes[d] + " (" + unit + ")", m.centroid()[d]);
				for (int d = 0; d < dimensions; d++) rt.addValue("B" + axes[d] + " (px)", m.boxMin()[d]);
				for (int d = 0; d < dimensions; d++) rt.addValue(extents[d] + " (px)", m.boxSize()[d]);
				for (int c = 0; c < channels; c++) {
					String s = channels == 1 ? "" : " C" + (c + 1);
					rt.addValue("Mean" + s, m.mean()[c]);
					rt.addValue("Min" + s, m.min()[c]);
					rt.addValue("Max" + s, m.max()[c]);
					rt.addValue("StdDev" + s, m.std()[c]);
				}
				rt.addValue("Equivalent diameter (" + unit + ")", m.equivalentDiameter());
			}
		return rt;
	}
}
