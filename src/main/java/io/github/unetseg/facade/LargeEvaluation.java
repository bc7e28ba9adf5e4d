package io.github.unetseg.facade;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.metrics.SegmentationMetrics;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Per-class metrics of label images too large for one array (more than 2^31 voxels, or lazily read files
 * larger than memory), with the same results as {@link SegmentationMetrics#compute} on the whole arrays:
 * one streaming pass counts each class's voxels and true positives (so Dice, IoU, precision, recall and
 * volumes have no size limit) and its bounding box in either image; the surface distances of a class are
 * then computed on that box grown by one voxel (clipped to the image), which holds every voxel and every
 * surface of the class and so gives the whole image's distances. A class whose box exceeds
 * {@code boxLimit} voxels keeps its overlap scores and gets {@code NaN} distances with the status
 * {@code "distances not computed"}.
 */
final class LargeEvaluation {

	private LargeEvaluation() {}

	/**
	 * @param prediction predicted labels {@code [x, y(, z)]}
	 * @param truth true labels, same size
	 * @param classes classes to evaluate, or {@code null} for every label &gt; 0 present in either
	 * @param spacing voxel size per axis, physical units
	 * @param tolerance surface-Dice tolerance, physical units
	 * @param names the two images' names, for messages
	 * @param boxLimit most voxels of a class's bounding box for its surface distances
	 * @return one entry per class
	 * @throws SegmentationException for values that are not class indices, or a 0/255 mask against 0/1 labels
	 */
	static <P extends RealType<P>, T extends RealType<T>> List<ClassMetrics> compute(RandomAccessibleInterval<P> prediction,
		RandomAccessibleInterval<T> truth, int[] classes, double[] spacing, double tolerance, String[] names, long boxLimit)
	{
		int n = prediction.numDimensions(), values = Short.MAX_VALUE + 1;
		long[] predCount = new long[values], trueCount = new long[values], tp = new long[values];
		long[][] min = new long[values][n], max = new long[values][n];
		for (long[] m : min) Arrays.fill(m, Long.MAX_VALUE);
		for (long[] m : max) Arrays.fill(m, Long.MIN_VALUE);
		Cursor<P> cp = Views.flatIterable(prediction).localizingCursor();
		Cursor<T> ct = Views.flatIterable(truth).cursor();
		long[] pos = new long[n];
		while (cp.hasNext()) {
			int p = label(cp.next().getRealDouble(), names[0]), t = label(ct.next().getRealDouble(), names[1]);
			predCount[p]++;
			trueCount[t]++;
			if (p == t) tp[p]++;
			if (p == 0 && t == 0) continue;
			cp.localize(pos);
			for (int k : p == t || t == 0 ? new int[] { p } : p == 0 ? new int[] { t } : new int[] { p, t })
				for (int d = 0; d < n; d++) {
					min[k][d] = Math.min(min[k][d], pos[d]);
					max[k][d] = Math.max(max[k][d], pos[d]);
				}
		}
		int[] cls = classes != null ? classes : present(predCount, trueCount, names);
		double voxelVolume = Arrays.stream(spacing).reduce(1, (a, b) -> a * b);
		List<ClassMetrics> out = new ArrayList<>();
		for (int c : cls) {
			if (c < 0 || c >= values || predCount[c] == 0 && trueCount[c] == 0) {
				out.add(new ClassMetrics(c, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN, Double.NaN,
					Double.NaN, "both empty"));
				continue;
			}
			Overlap o = new Overlap(tp[c], predCount[c] - tp[c], trueCount[c] - tp[c]);
			double pv = predCount[c] * voxelVolume, tv = trueCount[c] * voxelVolume;
			if (predCount[c] == 0 || trueCount[c] == 0) {
				double inf = Double.POSITIVE_INFINITY;
				out.add(new ClassMetrics(c, 0, 0, o.precision(), o.recall(), pv, tv, inf, inf, inf, 0, predCount[c] == 0 ? "prediction empty"
					: "truth empty"));
				continue;
			}
			long[] lo = new long[n], hi = new long[n];
			long box = 1;
			for (int d = 0; d < n; d++) {
				lo[d] = Math.max(prediction.min(d), min[c][d] - 1);
				hi[d] = Math.min(prediction.max(d), max[c][d] + 1);
				long length = hi[d] - lo[d] + 1;
				box = box > Long.MAX_VALUE / length ? Long.MAX_VALUE : box * length;
			}
			if (box > boxLimit) {
				out.add(new ClassMetrics(c, o.dice(), o.iou(), o.precision(), o.recall(), pv, tv, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
					"distances not computed"));
				continue;
			}
			int[] dims = new int[n];
			for (int d = 0; d < n; d++) dims[d] = (int) (hi[d] - lo[d] + 1);
			short[] a = mask(Views.interval(prediction, lo, hi), c, (int) box), b = mask(Views.interval(truth, lo, hi), c, (int) box);
			ClassMetrics m = SegmentationMetrics.compute(a, b, dims, spacing, new int[] { 1 }, tolerance).get(0);
			// the box holds every voxel of the class: its counts are the whole image's
			out.add(new ClassMetrics(c, m.dice(), m.iou(), m.precision(), m.recall(), m.predictedVolume(), m.trueVolume(), m.hausdorff(), m.hd95(),
				m.assd(), m.surfaceDice(), m.status()));
		}
		return out;
	}

	private static int label(double x, String name) {
		if (x != Math.rint(x) || x < 0 || x > Short.MAX_VALUE)
			throw new SegmentationException(name + " has the value " + x + ", not a class index (a non-negative integer). Fix: " +
				"pass a label image (e.g. *_labels.tif from unetseg segment), not an intensity or probability image.");
		return (int) x;
	}

	private static int[] present(long[] predCount, long[] trueCount, String[] names) {
		TreeSet<Integer> inP = new TreeSet<>(), inT = new TreeSet<>();
		for (int v = 1; v < predCount.length; v++) {
			if (predCount[v] > 0) inP.add(v);
			if (trueCount[v] > 0) inT.add(v);
		}
		Evaluator.checkNotA255Mask(inP, inT, names[0], names[1]);
		TreeSet<Integer> all = new TreeSet<>(inP);
		all.addAll(inT);
		return all.isEmpty() ? new int[] { 1 } : all.stream().mapToInt(Integer::intValue).toArray();
	}

	/** 1 where the label is {@code c}, 0 elsewhere, first axis fastest. */
	private static <R extends RealType<R>> short[] mask(RandomAccessibleInterval<R> region, int c, int voxels) {
		short[] out = new short[voxels];
		int i = 0;
		for (R v : Views.flatIterable(region)) out[i++] = v.getRealDouble() == c ? (short) 1 : 0;
		return out;
	}
}
