package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.TrainingSet;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.objects.InstanceDecoder;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Chooses an instance model's probability and seed thresholds on annotated images, as StarDist's
 * {@code optimize_thresholds} does after training: each image is predicted once, then decoded
 * ({@link InstanceDecoder}) for every pair of thresholds of a grid, and the pair with the highest AP at
 * IoU 0.5 over the set (TP/(TP+FP+FN), counts summed over images) wins; ties go to the pair nearer to
 * 0.5, 0.5. The model's minimum size is kept. {@link #apply} writes the pair into {@code model.json}.
 */
public final class ThresholdTuning {

	/** Probability thresholds tried. */
	static final double[] PROBABILITY = { 0.3, 0.4, 0.5, 0.6, 0.7 };
	/** Seed thresholds tried. */
	static final double[] SEED = { 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95 };

	private ThresholdTuning() {}

	/**
	 * The outcome.
	 *
	 * @param probabilityThreshold the chosen probability threshold
	 * @param seedThreshold the chosen seed threshold
	 * @param ap AP at IoU 0.5 with them, in {@code [0, 1]}
	 * @param before AP at IoU 0.5 with the model's thresholds before tuning
	 * @param images images used
	 */
	public record Result(double probabilityThreshold, double seedThreshold, double ap, double before, int images) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "probability threshold %.2f, seed threshold %.2f: AP@0.5 %.4f on %d image(s) (%.4f with the " +
				"thresholds before)", probabilityThreshold, seedThreshold, ap, images, before);
		}
	}

	/**
	 * Tunes the thresholds of an instance model on image/label folders (matched by name, as for training).
	 *
	 * @param segmenter the open model (an instance model)
	 * @param images folder of images
	 * @param labels folder of instance label images (object ids, 0 = background)
	 * @param progress progress and cancellation
	 * @return the chosen thresholds and their AP
	 * @throws SegmentationException if the model is not an instance model or the folders do not pair up
	 */
	public static Result tune(Segmenter segmenter, Path images, Path labels, ProgressListener progress) {
		return tune(segmenter, TrainingSet.fromFolders(images, labels, ImageFiles::baseName), progress);
	}

	/**
	 * Tunes the thresholds of an instance model on image/label pairs.
	 *
	 * @param segmenter the open model (an instance model)
	 * @param set the pairs (images and instance label images)
	 * @param progress progress and cancellation
	 * @return the chosen thresholds and their AP
	 * @throws SegmentationException if the model is not an instance model or a file cannot be read
	 */
	public static Result tune(Segmenter segmenter, TrainingSet set, ProgressListener progress) {
		ModelSpec spec = segmenter.spec();
		if (spec.instances() == null)
			throw new SegmentationException("Model " + spec.name() + " is a semantic model; thresholds are tuned for instance models only.");
		List<float[][]> maps = new ArrayList<>();
		List<int[]> sizes = new ArrayList<>(), truths = new ArrayList<>();
		SegmentationSettings settings = SegmentationSettings.defaults().withProbabilities(true);
		int k = 0;
		for (TrainingSet.Pair p : set.pairs()) {
			progress.progress(k++, set.pairs().size(), "predicting " + p.image().getFileName());
			if (progress.isCancelled()) throw new java.util.concurrent.CancellationException("threshold tuning cancelled");
			Volume<?> image = ImageFiles.read(p.image());
			SegmentationResult r = segment(segmenter, image, settings, p.image().toString());
			long[] s = image.spatialSize();
			int n = s.length;
			int[] size = { (int) s[0], (int) s[1], n == 3 ? (int) s[2] : 1 };
			int voxels = size[0] * size[1] * size[2];
			maps.add(InstanceDecoder.maps(r.probabilities(), spec.instances().targetKind()));
			sizes.add(size);
			int[] truth = new int[voxels];
			int i = 0;
			for (Object t : Views.flatIterable(ImageFiles.read(p.labels()).image())) truth[i++] = (int) ((RealType<?>) t).getRealDouble();
			truths.add(truth);
		}
		ModelSpec.Instances m = spec.instances();
		double before = ap(maps, sizes, truths, m.parameters(Double.NaN, Double.NaN, -1));
		double best = -1, bp = m.probabilityThreshold(), bs = m.seedThreshold();
		int combos = PROBABILITY.length * SEED.length, done = 0;
		for (double pt : PROBABILITY)
			for (double st : SEED) {
				progress.progress(done++, combos, String.format(Locale.ROOT, "decoding with thresholds %.2f / %.2f", pt, st));
				double ap = ap(maps, sizes, truths, m.parameters(pt, st, -1));
				boolean nearer = Math.abs(pt - 0.5) + Math.abs(st - 0.5) < Math.abs(bp - 0.5) + Math.abs(bs - 0.5);
				if (ap > best + 1e-12 || Math.abs(ap - best) <= 1e-12 && nearer) {
					best = ap;
					bp = pt;
					bs = st;
				}
			}
		return new Result(bp, bs, best, before, set.pairs().size());
	}

	private static double ap(List<float[][]> maps, List<int[]> sizes, List<int[]> truths, InstanceDecoder.Parameters p) {
		List<InstanceMatching.Counts[]> all = new ArrayList<>();
		for (int i = 0; i < maps.size(); i++)
			all.add(InstanceMatching.match(truths.get(i), InstanceDecoder.decode(maps.get(i)[0], maps.get(i)[1], sizes.get(i), p).labels(), 0.5));
		return InstanceMatching.sum(all)[0].accuracy();
	}

	/**
	 * Writes tuned thresholds into a model folder's {@code model.json} (atomically).
	 *
	 * @param modelDir the instance model's folder
	 * @param r the tuning result
	 * @throws SegmentationException if the folder holds no instance model or cannot be written
	 */
	public static void apply(Path modelDir, Result r) {
		ModelSpec spec = ModelBundle.read(modelDir).spec();
		if (spec.instances() == null) throw new SegmentationException(modelDir + " holds a semantic model; it has no object thresholds.");
		ModelSpec.Instances m = spec.instances();
		ModelBundle.writeSpec(modelDir, spec.withInstances(new ModelSpec.Instances(r.probabilityThreshold(), r.seedThreshold(), m.minSize(),
			m.objectDiameter(), m.target())).withNote("thresholds tuned: " + r));
	}

	/** A segmentation of a volume of any pixel type, without progress; also {@link PostProcessingTuning}'s. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static <T extends RealType<T>> SegmentationResult segment(Segmenter s, Volume<?> v, SegmentationSettings settings, String name) {
		return s.segment((Volume<T>) (Volume) v, settings, ProgressListener.NONE, name);
	}
}
