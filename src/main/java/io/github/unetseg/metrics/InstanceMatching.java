package io.github.unetseg.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Object-level scores of an instance segmentation against a reference, in the convention of StarDist's
 * {@code stardist.matching.matching} and {@code matching_dataset} (Schmidt et al., MICCAI 2018;
 * github.com/stardist/stardist, {@code stardist/matching.py}).
 *
 * <p>Objects are the non-zero ids of two label images of the same size. For an IoU threshold
 * {@code t}, true and predicted objects are matched one-to-one by the Hungarian method so that the number
 * of pairs with {@code IoU >= t} is largest and, among such matchings, their summed IoU (StarDist's cost
 * {@code -(iou >= t) - iou / (2 n)}); a pair counts as a true positive when its IoU is at least
 * {@code t} (for {@code t >= 0.5} the matching is unique, since an object can overlap at most one
 * other by more than half). Then, with TP, FP (unmatched predictions) and FN (unmatched references):
 * precision {@code TP/(TP+FP)}, recall {@code TP/(TP+FN)}, accuracy ("AP" of the Data Science Bowl and
 * StarDist) {@code TP/(TP+FP+FN)}, F1 {@code 2TP/(2TP+FP+FN)}, mean true score {@code sum IoU / n_true},
 * mean matched score {@code sum IoU / TP}, panoptic quality {@code sum IoU / (TP + FP/2 + FN/2)}
 * (Kirillov et al., CVPR 2019). Over a data set the counts and IoU sums are added before dividing
 * ({@link #sum}), as {@code matching_dataset(by_image=False)}. A ratio whose denominator is 0 is 0, as
 * in StarDist.
 *
 * <p>The Hungarian method runs on each connected part of the graph of candidate pairs (pairs with IoU
 * at least {@code t}), so thousands of objects cost little.
 */
public final class InstanceMatching {

	/** The IoU thresholds of the usual report: 0.5, 0.55, ..., 0.9. */
	public static final double[] THRESHOLDS = { 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9 };

	private InstanceMatching() {}

	/**
	 * Counts at one threshold, for one image or summed over several.
	 *
	 * @param threshold IoU threshold
	 * @param tp matched pairs with IoU at least the threshold
	 * @param fp predicted objects not matched
	 * @param fn reference objects not matched
	 * @param matchedIoU summed IoU of the true positives
	 * @param nTrue reference objects
	 * @param nPred predicted objects
	 */
	public record Counts(double threshold, long tp, long fp, long fn, double matchedIoU, long nTrue, long nPred) {

		/** @return {@code TP/(TP+FP)}, 0 if undefined */
		public double precision() {
			return ratio(tp, tp + fp);
		}

		/** @return {@code TP/(TP+FN)}, 0 if undefined */
		public double recall() {
			return ratio(tp, tp + fn);
		}

		/** @return {@code TP/(TP+FP+FN)}, the Data Science Bowl's and StarDist's "AP", 0 if undefined */
		public double accuracy() {
			return ratio(tp, tp + fp + fn);
		}

		/** @return {@code 2TP/(2TP+FP+FN)}, 0 if undefined */
		public double f1() {
			return ratio(2 * tp, 2 * tp + fp + fn);
		}

		/** @return summed IoU of the matches divided by the reference objects, 0 if undefined */
		public double meanTrueScore() {
			return ratio(matchedIoU, nTrue);
		}

		/** @return mean IoU of the matches, 0 if undefined */
		public double meanMatchedScore() {
			return ratio(matchedIoU, tp);
		}

		/** @return {@code sum IoU / (TP + FP/2 + FN/2)}, 0 if undefined */
		public double panopticQuality() {
			return ratio(matchedIoU, tp + fp / 2.0 + fn / 2.0);
		}

		private static double ratio(double a, double b) {
			return b > 0 ? a / b : 0;
		}
	}

	/**
	 * Matches two label images at several thresholds.
	 *
	 * @param truth reference object ids, 0 = background, flat
	 * @param prediction predicted object ids, same length
	 * @param thresholds IoU thresholds in {@code (0, 1]}
	 * @return one {@link Counts} per threshold, in order
	 * @throws IllegalArgumentException if the lengths differ or an id is negative
	 */
	public static Counts[] match(int[] truth, int[] prediction, double... thresholds) {
		if (truth.length != prediction.length) throw new IllegalArgumentException("label images differ in size");
		// compact ids: objects present, numbered 0..n-1
		int[] tIndex = compact(truth), pIndex = compact(prediction);
		int nt = tIndex.length == 0 ? 0 : Arrays.stream(tIndex).max().getAsInt() + 1;
		int np = pIndex.length == 0 ? 0 : Arrays.stream(pIndex).max().getAsInt() + 1;
		long[] tArea = new long[nt], pArea = new long[np];
		int overlapping = 0;
		for (int i = 0; i < truth.length; i++) {
			if (truth[i] != 0) tArea[tIndex[truth[i]]]++;
			if (prediction[i] != 0) pArea[pIndex[prediction[i]]]++;
			if (truth[i] != 0 && prediction[i] != 0) overlapping++;
		}
		long[] keys = new long[overlapping];
		for (int i = 0, k = 0; i < truth.length; i++)
			if (truth[i] != 0 && prediction[i] != 0) keys[k++] = (long) tIndex[truth[i]] * np + pIndex[prediction[i]];
		Arrays.sort(keys);
		List<int[]> pairs = new ArrayList<>(); // t, p
		List<Double> ious = new ArrayList<>();
		for (int k = 0; k < keys.length;) {
			int e = k;
			while (e < keys.length && keys[e] == keys[k]) e++;
			int t = (int) (keys[k] / np), p = (int) (keys[k] % np);
			long inter = e - k;
			pairs.add(new int[] { t, p });
			ious.add(inter / (double) (tArea[t] + pArea[p] - inter));
			k = e;
		}
		Counts[] out = new Counts[thresholds.length];
		for (int ti = 0; ti < thresholds.length; ti++) {
			double th = thresholds[ti];
			if (!(th > 0 && th <= 1)) throw new IllegalArgumentException("IoU threshold must be in (0, 1], got " + th);
			List<int[]> cand = new ArrayList<>();
			List<Double> candIou = new ArrayList<>();
			for (int i = 0; i < pairs.size(); i++)
				if (ious.get(i) >= th) {
					cand.add(pairs.get(i));
					candIou.add(ious.get(i));
				}
			double[] matched = assign(cand, candIou, nt, np);
			out[ti] = new Counts(th, (long) matched[0], np - (long) matched[0], nt - (long) matched[0], matched[1], nt, np);
		}
		return out;
	}

	/**
	 * Adds counts of several images at the same thresholds.
	 *
	 * @param perImage per image, the counts at the same thresholds in the same order
	 * @return the summed counts
	 * @throws IllegalArgumentException if the list is empty or the thresholds differ
	 */
	public static Counts[] sum(List<Counts[]> perImage) {
		if (perImage.isEmpty()) throw new IllegalArgumentException("no images");
		Counts[] first = perImage.get(0);
		Counts[] out = new Counts[first.length];
		for (int t = 0; t < first.length; t++) {
			long tp = 0, fp = 0, fn = 0, nt = 0, np = 0;
			double iou = 0;
			for (Counts[] c : perImage) {
				if (c[t].threshold() != first[t].threshold()) throw new IllegalArgumentException("thresholds differ between images");
				tp += c[t].tp();
				fp += c[t].fp();
				fn += c[t].fn();
				iou += c[t].matchedIoU();
				nt += c[t].nTrue();
				np += c[t].nPred();
			}
			out[t] = new Counts(first[t].threshold(), tp, fp, fn, iou, nt, np);
		}
		return out;
	}

	/**
	 * The mean accuracy (AP) over thresholds, e.g. "mean AP over IoU 0.5-0.9" for {@link #THRESHOLDS}.
	 *
	 * @param counts counts at several thresholds
	 * @return the mean of their {@link Counts#accuracy()}, 0 for none
	 */
	public static double meanAccuracy(Counts[] counts) {
		return java.util.Arrays.stream(counts).mapToDouble(Counts::accuracy).average().orElse(0);
	}

	/** Maps each id present to 0..n-1 in increasing id order; index by id. */
	private static int[] compact(int[] labels) {
		int max = 0;
		for (int v : labels) {
			if (v < 0) throw new IllegalArgumentException("negative object id " + v);
			max = Math.max(max, v);
		}
		boolean[] present = new boolean[max + 1];
		for (int v : labels) present[v] = true;
		int[] index = new int[max + 1];
		int n = 0;
		for (int v = 1; v <= max; v++) index[v] = present[v] ? n++ : -1;
		return n == 0 ? new int[0] : index;
	}

	/** Maximum matching, most pairs first then most IoU, per connected part; returns {pairs, summed IoU}. */
	private static double[] assign(List<int[]> cand, List<Double> iou, int nt, int np) {
		// union-find over true (0..nt-1) and predicted (nt..nt+np-1) nodes
		int[] parent = new int[nt + np];
		for (int i = 0; i < parent.length; i++) parent[i] = i;
		for (int[] c : cand) union(parent, c[0], nt + c[1]);
		java.util.Map<Integer, List<Integer>> parts = new java.util.HashMap<>();
		for (int i = 0; i < cand.size(); i++) parts.computeIfAbsent(find(parent, cand.get(i)[0]), k -> new ArrayList<>()).add(i);
		double pairs = 0, total = 0;
		for (List<Integer> part : parts.values()) {
			if (part.size() == 1) {
				pairs++;
				total += iou.get(part.get(0));
				continue;
			}
			List<Integer> ts = new ArrayList<>(), ps = new ArrayList<>();
			for (int i : part) {
				if (!ts.contains(cand.get(i)[0])) ts.add(cand.get(i)[0]);
				if (!ps.contains(cand.get(i)[1])) ps.add(cand.get(i)[1]);
			}
			int m = Math.max(ts.size(), ps.size());
			double[][] cost = new double[m][m];
			double[][] score = new double[m][m];
			for (int i : part) {
				int r = ts.indexOf(cand.get(i)[0]), c = ps.indexOf(cand.get(i)[1]);
				score[r][c] = iou.get(i);
				cost[r][c] = -1 - iou.get(i) / (2.0 * m);
			}
			int[] rowToCol = Hungarian.minimise(cost);
			for (int r = 0; r < m; r++) {
				int c = rowToCol[r];
				if (c >= 0 && score[r][c] > 0) {
					pairs++;
					total += score[r][c];
				}
			}
		}
		return new double[] { pairs, total };
	}

	private static int find(int[] parent, int i) {
		while (parent[i] != i) i = parent[i] = parent[parent[i]];
		return i;
	}

	private static void union(int[] parent, int a, int b) {
		parent[find(parent, a)] = find(parent, b);
	}
}
