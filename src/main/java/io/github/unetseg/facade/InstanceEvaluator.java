package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.InstanceMatching;

/**
 * Object-level evaluation of instance label images (object ids, 0 = background): files or folders
 * matched by name as {@link Evaluator} matches them, scored with {@link InstanceMatching} (StarDist's
 * {@code matching} and {@code matching_dataset}), reported per image and for the set, as CSV.
 */
public final class InstanceEvaluator {

	private InstanceEvaluator() {}

	/**
	 * Object-level scores of one image ({@link InstanceMatching}: one-to-one matching by IoU, StarDist's
	 * {@code matching}).
	 *
	 * @param name the image's name for reports
	 * @param prediction predicted file
	 * @param truth reference file
	 * @param counts TP, FP, FN and matched IoU at each threshold of {@link InstanceMatching#THRESHOLDS}
	 */
	public record InstancePair(String name, String prediction, String truth, InstanceMatching.Counts[] counts) {}

	/**
	 * Object-level scores of a set of images.
	 *
	 * @param results per image
	 * @param skipped pairs that could not be scored, with the reason
	 * @param total counts summed over the images at each threshold ({@code matching_dataset})
	 */
	public record InstanceReport(List<InstancePair> results, List<Evaluator.Skipped> skipped, InstanceMatching.Counts[] total) {}

	/**
	 * Object-level scores of two instance label images (object ids, 0 = background; ids need not agree).
	 *
	 * @param prediction predicted objects {@code [x, y(, z), 1]}
	 * @param truth reference objects of the same size
	 * @param predictionName for messages
	 * @param truthName for messages
	 * @return counts at each threshold of {@link InstanceMatching#THRESHOLDS}
	 * @throws SegmentationException if sizes differ, a value is not a whole non-negative id, or the image
	 *     has more than 2<sup>31</sup> voxels
	 */
	public static InstanceMatching.Counts[] matchInstances(Volume<?> prediction, Volume<?> truth, String predictionName, String truthName) {
		if (!Arrays.equals(prediction.spatialSize(), truth.spatialSize()))
			throw new SegmentationException(predictionName + " (" + prediction.describeSize() + ") and " + truthName + " (" +
				truth.describeSize() + ") differ in size. Fix: compare the prediction with the ground truth of the same image.");
		return InstanceMatching.match(ids(truth, truthName), ids(prediction, predictionName), InstanceMatching.THRESHOLDS);
	}

	private static int[] ids(Volume<?> v, String name) {
		if (v.channels() != 1 || v.voxelCount() > Integer.MAX_VALUE - 8)
			throw new SegmentationException(name + " is not an instance label image of one channel below 2^31 voxels (" + v.describeSize() +
				"). Fix: give the object-id image.");
		int[] out = new int[(int) v.voxelCount()];
		int i = 0;
		for (Object t : net.imglib2.view.Views.flatIterable(v.image())) {
			double d = ((net.imglib2.type.numeric.RealType<?>) t).getRealDouble();
			if (d < 0 || d != Math.rint(d) || d > Integer.MAX_VALUE)
				throw new SegmentationException(name + " has the value " + d + ", which is no object id. Fix: give an instance label image " +
					"(0 = background, 1..N = objects).");
			out[i++] = (int) d;
		}
		return out;
	}

	/**
	 * Object-level scores of files or folders matched by name as in {@link #evaluateFiles}. A time series
	 * ({@link Frames}) gives one row per frame, named {@code base[t=k]}; the set's counts sum all frames.
	 *
	 * @param prediction an instance label file or a folder of them
	 * @param truth a reference file or a folder of them
	 * @return the report; pairs that failed are in {@link InstanceReport#skipped()}
	 * @throws SegmentationException if a path does not exist or one is a file and the other a folder
	 */
	public static InstanceReport evaluateInstanceFiles(Path prediction, Path truth) {
		List<Evaluator.Skipped> skipped = new ArrayList<>();
		Map<Path, Path> pairs = Evaluator.pairs(prediction, truth, skipped);
		List<InstancePair> results = new ArrayList<>();
		for (Map.Entry<Path, Path> e : pairs.entrySet()) {
			try {
				String name = ImageFiles.baseName(e.getValue()), p = e.getKey().toString(), t = e.getValue().toString();
				if (Frames.series(e.getKey(), e.getValue()))
					results.addAll(Frames.each(e.getKey(), e.getValue(), (v, f) -> new InstancePair(Frames.name(name, f), p, t, matchInstances(v[0],
						v[1], p + " frame " + f, t + " frame " + f))));
				else results.add(new InstancePair(name, p, t, matchInstances(ImageFiles.read(e.getKey()), ImageFiles.read(e.getValue()), p, t)));
			}
			catch (SegmentationException ex) {
				skipped.add(new Evaluator.Skipped(e.getKey().toString(), e.getValue().toString(), ex.getMessage()));
			}
		}
		InstanceMatching.Counts[] total = results.isEmpty() ? new InstanceMatching.Counts[0]
			: InstanceMatching.sum(results.stream().map(InstancePair::counts).toList());
		return new InstanceReport(results, skipped, total);
	}

	/**
	 * Writes an object-level report as CSV: one row per image and threshold, then the set's rows
	 * ({@code image} = {@code ALL}); columns threshold, tp, fp, fn, precision, recall, accuracy (AP), f1,
	 * mean_true_score, mean_matched_score, panoptic_quality, n_true, n_pred.
	 *
	 * @param report the report
	 * @param path target file, written atomically
	 * @throws SegmentationException if it cannot be written
	 */
	public static void writeInstanceCsv(InstanceReport report, Path path) {
		StringBuilder b = new StringBuilder("image,threshold,tp,fp,fn,precision,recall,accuracy,f1,mean_true_score,mean_matched_score," +
			"panoptic_quality,n_true,n_pred\n");
		for (InstancePair p : report.results()) for (InstanceMatching.Counts c : p.counts()) row(b, p.name(), c);
		for (InstanceMatching.Counts c : report.total()) row(b, "ALL", c);
		io.github.unetseg.AtomicFiles.writeString(path, b);
	}

	private static void row(StringBuilder b, String name, InstanceMatching.Counts c) {
		b.append(String.format(java.util.Locale.ROOT, "%s,%.2f,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d,%d%n", name.contains(",") ?
			"\"" + name + "\"" : name, c.threshold(), c.tp(), c.fp(), c.fn(), c.precision(), c.recall(), c.accuracy(), c.f1(),
			c.meanTrueScore(), c.meanMatchedScore(), c.panopticQuality(), c.nTrue(), c.nPred()));
	}
}
