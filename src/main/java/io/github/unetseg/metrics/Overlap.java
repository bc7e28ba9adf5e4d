package io.github.unetseg.metrics;

/**
 * Voxel counts of one class in a prediction against ground truth, and the overlap scores derived from
 * them (Dice 1945 / Sørensen 1948, Jaccard 1912).
 *
 * @param truePositives voxels labelled with the class in both
 * @param falsePositives voxels with the class in the prediction only
 * @param falseNegatives voxels with the class in the ground truth only
 */
public record Overlap(long truePositives, long falsePositives, long falseNegatives) {

	/**
	 * Counts per class in two label arrays of the same voxels.
	 *
	 * @param prediction predicted class per voxel
	 * @param truth true class per voxel, same length
	 * @param classes number of classes; labels outside {@code [0, classes)} are ignored
	 * @return one {@code Overlap} per class, index = class
	 * @throws IllegalArgumentException if the arrays differ in length
	 */
	public static Overlap[] perClass(short[] prediction, short[] truth, int classes) {
		if (prediction.length != truth.length) throw new IllegalArgumentException("label arrays differ in length");
		long[] tp = new long[classes], fp = new long[classes], fn = new long[classes];
		for (int i = 0; i < prediction.length; i++) {
			int p = prediction[i], t = truth[i];
			if (p == t) {
				if (p >= 0 && p < classes) tp[p]++;
			}
			else {
				if (p >= 0 && p < classes) fp[p]++;
				if (t >= 0 && t < classes) fn[t]++;
			}
		}
		Overlap[] o = new Overlap[classes];
		for (int c = 0; c < classes; c++) o[c] = new Overlap(tp[c], fp[c], fn[c]);
		return o;
	}

	/** @return true if the class is absent from both prediction and truth */
	public boolean bothEmpty() {
		return truePositives + falsePositives + falseNegatives == 0;
	}

	/**
	 * @return {@code 2 TP / (2 TP + FP + FN)} in {@code [0, 1]}; {@code NaN} when the class is absent
	 *     from both (MONAI's {@code ignore_empty=True} convention, reported as such rather than 0 or 1)
	 */
	public double dice() {
		return bothEmpty() ? Double.NaN : 2.0 * truePositives / (2.0 * truePositives + falsePositives + falseNegatives);
	}

	/** @return {@code TP / (TP + FP + FN)}, {@code NaN} when both are empty */
	public double iou() {
		return bothEmpty() ? Double.NaN : (double) truePositives / (truePositives + falsePositives + falseNegatives);
	}

	/** @return {@code TP / (TP + FP)}, {@code NaN} when nothing was predicted */
	public double precision() {
		return truePositives + falsePositives == 0 ? Double.NaN : (double) truePositives / (truePositives + falsePositives);
	}

	/** @return {@code TP / (TP + FN)}, {@code NaN} when the truth is empty */
	public double recall() {
		return truePositives + falseNegatives == 0 ? Double.NaN : (double) truePositives / (truePositives + falseNegatives);
	}
}
