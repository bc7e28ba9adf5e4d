package io.github.unetseg.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-class overlap and surface-distance metrics of a predicted label image against ground truth, in
 * physical units: Dice, IoU, precision, recall, volumes ({@link Overlap}), and Hausdorff distance,
 * HD95, ASSD and surface Dice at a tolerance ({@link SurfaceDistances}, built on the exact linear-time
 * {@link EuclideanDistanceTransform}). Conventions for empty masks are those of {@link ClassMetrics}.
 */
public final class SegmentationMetrics {

	private SegmentationMetrics() {}

	/**
	 * Computes the metrics of the given classes.
	 *
	 * @param prediction predicted class per voxel, first axis fastest
	 * @param truth true class per voxel, same grid
	 * @param dims size per axis {@code [x, y(, z)]}
	 * @param spacing voxel size per axis, physical units, each &gt; 0
	 * @param classes class indices to evaluate (usually the foreground classes 1..C-1)
	 * @param tolerance surface-Dice tolerance in physical units, &gt;= 0
	 * @return one entry per requested class, in the given order
	 * @throws IllegalArgumentException if the arrays do not match the grid
	 */
	public static List<ClassMetrics> compute(short[] prediction, short[] truth, int[] dims, double[] spacing, int[] classes,
		double tolerance)
	{
		long n = 1;
		for (int d : dims) n *= d;
		if (prediction.length != n || truth.length != n) throw new IllegalArgumentException("label arrays do not match the grid");
		double voxelVolume = 1;
		for (double s : spacing) voxelVolume *= s;
		int maxClass = 0;
		for (int c : classes) maxClass = Math.max(maxClass, c);
		Overlap[] overlaps = Overlap.perClass(prediction, truth, maxClass + 1);
		List<ClassMetrics> out = new ArrayList<>();
		byte[] a = new byte[prediction.length], b = new byte[prediction.length];
		for (int c : classes) {
			Overlap o = overlaps[c];
			long predCount = o.truePositives() + o.falsePositives(), trueCount = o.truePositives() + o.falseNegatives();
			double pv = predCount * voxelVolume, tv = trueCount * voxelVolume;
			if (predCount == 0 && trueCount == 0) {
				out.add(new ClassMetrics(c, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN, Double.NaN,
					Double.NaN, "both empty"));
				continue;
			}
			if (predCount == 0 || trueCount == 0) {
				double inf = Double.POSITIVE_INFINITY;
				out.add(new ClassMetrics(c, 0, 0, o.precision(), o.recall(), pv, tv, inf, inf, inf, 0,
					predCount == 0 ? "prediction empty" : "truth empty"));
				continue;
			}
			for (int i = 0; i < a.length; i++) {
				a[i] = prediction[i] == c ? (byte) 1 : 0;
				b[i] = truth[i] == c ? (byte) 1 : 0;
			}
			SurfaceDistances s = SurfaceDistances.of(a, b, dims, spacing);
			out.add(new ClassMetrics(c, o.dice(), o.iou(), o.precision(), o.recall(), pv, tv, s.hausdorff(), s.percentileHausdorff(95),
				s.assd(), s.surfaceDice(tolerance), "ok"));
		}
		return out;
	}
}
