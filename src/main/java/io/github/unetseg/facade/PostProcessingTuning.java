package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.LabelClasses;
import io.github.unetseg.data.TrainingSet;
import io.github.unetseg.image.LabelCleanup;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.metrics.SegmentationMetrics;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Chooses a semantic model's post-processing on annotated validation images, as the per-class step of
 * nnU-Net's {@code determine_postprocessing} does after training (Isensee et al., Nature Methods 2021;
 * {@code nnunetv2/postprocessing/remove_connected_components.py}; its first step, all foreground classes
 * as one region, is not made here): each image is segmented once without post-processing; then, per
 * foreground class, keeping only the class's largest connected component
 * ({@link LabelCleanup#keepLargestComponents(short[], int[], boolean[])}) is adopted when it raises that
 * class's mean Dice over the images (a class's clean-up changes only its own voxels, so the classes are
 * decided independently); last, hole filling ({@link LabelCleanup#fillHoles}) on top of that choice is
 * adopted when it raises the mean over classes of the per-class mean Dice. Ties keep the labels as they
 * are (nnU-Net's strict comparison). Dice is the decision, as in nnU-Net; HD95 (physical units, from the
 * truth image's voxel spacing) is reported beside it. Classes not annotated in an image (partial labels,
 * {@link LabelClasses}) are not scored there; a class absent from both prediction and truth is not
 * scored either (its Dice is undefined). {@link #apply} writes the choice into {@code model.json}.
 */
public final class PostProcessingTuning {

	private PostProcessingTuning() {}

	/**
	 * The measurement of one class.
	 *
	 * @param name the class's name
	 * @param images images in which the class was scored
	 * @param dice mean Dice without post-processing, {@code [0, 1]}, NaN when never scored
	 * @param diceLargest mean Dice with the largest component kept
	 * @param hd95 mean HD95 without post-processing over the images where it is finite, physical units
	 * @param hd95Largest the same with the largest component kept
	 * @param largest whether keeping the largest component was adopted
	 */
	public record ClassChoice(String name, int images, double dice, double diceLargest, double hd95, double hd95Largest, boolean largest) {}

	/**
	 * The outcome.
	 *
	 * @param classes the measurement per foreground class, in the model's order
	 * @param mean mean over classes of the per-class mean Dice without post-processing
	 * @param meanChosen the same with the largest-component choice
	 * @param meanHoles the same with the largest-component choice and hole filling
	 * @param choice the adopted post-processing
	 * @param images images used
	 */
	public record Result(List<ClassChoice> classes, double mean, double meanChosen, double meanHoles, ModelSpec.PostProcessing choice,
		int images)
	{

		@Override
		public String toString() {
			StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "post-processing %s on %d image(s): mean Dice %.4f as predicted, %.4f " +
				"with the largest-component choice, %.4f with hole filling too", choice, images, mean, meanChosen, meanHoles));
			for (ClassChoice c : classes)
				b.append(String.format(Locale.ROOT, "%n  %-16s %3d image(s)  Dice %.4f -> %.4f  HD95 %.2f -> %.2f  %s", c.name(), c.images(),
					c.dice(), c.diceLargest(), c.hd95(), c.hd95Largest(), c.largest() ? "largest component" : "as predicted"));
			return b.toString();
		}
	}

	/**
	 * One validation image, segmented without post-processing.
	 *
	 * @param prediction class indices, x fastest, {@code [x, y, z]} with {@code z = 1} in 2D
	 * @param truth true class indices on the same grid
	 * @param size {@code [x, y, z]}
	 * @param spacing voxel size {@code [x, y(, z)]}, physical units
	 * @param annotated per class index whether it was annotated, or {@code null} for all
	 */
	public record Case(short[] prediction, short[] truth, int[] size, double[] spacing, boolean[] annotated) {}

	/**
	 * Segments image/label pairs with a semantic model and chooses its post-processing.
	 *
	 * @param segmenter the open model (a semantic model)
	 * @param set the validation pairs (images and class-index label images)
	 * @param annotated the classes annotated per image, or {@code null} when every class is annotated everywhere
	 * @param progress progress and cancellation
	 * @return the measurements and the choice
	 * @throws SegmentationException if the model is an instance model, the set is empty, or a file cannot be read
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	public static Result tune(Segmenter segmenter, TrainingSet set, LabelClasses annotated, ProgressListener progress) {
		ModelSpec spec = segmenter.spec();
		if (spec.instances() != null)
			throw new SegmentationException("Model " + spec.name() + " is an instance model; its post-processing is its object thresholds. " +
				"Fix: tune it without --label-classes.");
		if (set.pairs().isEmpty()) throw new SegmentationException("No validation images to choose the post-processing on.");
		SegmentationSettings settings = SegmentationSettings.defaults().withPostprocess("none");
		List<Case> cases = new ArrayList<>();
		int k = 0;
		for (TrainingSet.Pair p : set.pairs()) {
			progress.progress(k++, set.pairs().size(), "segmenting " + p.image().getFileName());
			if (progress.isCancelled()) throw new java.util.concurrent.CancellationException("post-processing tuning cancelled");
			Volume<?> image = ImageFiles.read(p.image()), truth = ImageFiles.read(p.labels());
			SegmentationResult r = ThresholdTuning.segment(segmenter, image, settings, p.image().toString());
			if (!Arrays.equals(truth.spatialSize(), image.spatialSize()))
				throw new SegmentationException(p.labels() + " is " + truth.describeSize() + " but its image " + p.image() + " is " +
					image.describeSize() + ". Fix: pair each image with its own label image.");
			long[] s = image.spatialSize();
			int[] size = { (int) s[0], (int) s[1], s.length == 3 ? (int) s[2] : 1 };
			cases.add(new Case(flat(r.labels()), flat(truth), size, truth.calibration().spacing(), annotated == null ? null
				: annotated.present(ImageFiles.baseName(p.image()), spec.classNames())));
		}
		return choose(spec.classNames(), cases);
	}

	/**
	 * Chooses the post-processing from images already segmented without it.
	 *
	 * @param classNames the model's classes, background first
	 * @param cases the segmented images with their truth
	 * @return the measurements and the choice
	 */
	public static Result choose(List<String> classNames, List<Case> cases) {
		int classes = classNames.size();
		double[][] none = scores(cases, c -> c, classes, true), largest = scores(cases, c -> cleaned(c, null, false), classes, true);
		boolean[] adopt = new boolean[classes];
		List<ClassChoice> choices = new ArrayList<>();
		List<String> chosen = new ArrayList<>();
		for (int k = 1; k < classes; k++) {
			adopt[k] = largest[0][k] > none[0][k] + 1e-12;
			if (adopt[k]) chosen.add(classNames.get(k));
			choices.add(new ClassChoice(classNames.get(k), (int) none[2][k], none[0][k], largest[0][k], none[1][k], largest[1][k], adopt[k]));
		}
		// hole filling is decided by Dice alone: no surface distances
		double[][] holes = scores(cases, c -> cleaned(c, adopt, true), classes, false);
		double mean = meanOverClasses(none[0]), meanHoles = meanOverClasses(holes[0]);
		double[] pick = new double[classes];
		for (int k = 1; k < classes; k++) pick[k] = adopt[k] ? largest[0][k] : none[0][k];
		double meanChosen = meanOverClasses(pick);
		boolean fill = meanHoles > meanChosen + 1e-12;
		boolean any = !chosen.isEmpty();
		ModelSpec.PostProcessing choice = new ModelSpec.PostProcessing(any, fill, any && chosen.size() < classes - 1 ? chosen : null);
		return new Result(List.copyOf(choices), mean, meanChosen, meanHoles, choice, cases.size());
	}

	/**
	 * Writes a chosen post-processing into a model folder's {@code model.json} (atomically), with the
	 * measurement in its provenance notes.
	 *
	 * @param modelDir the semantic model's folder
	 * @param r the tuning result
	 * @throws SegmentationException if the folder holds no semantic model or cannot be written
	 */
	public static void apply(Path modelDir, Result r) {
		ModelSpec spec = ModelBundle.read(modelDir).spec();
		if (spec.instances() != null) throw new SegmentationException(modelDir + " holds an instance model; it has no label post-processing.");
		ModelBundle.writeSpec(modelDir, spec.withPostProcessing(r.choice()).withNote(String.format(Locale.ROOT, "post-processing chosen on %d " +
			"validation image(s): %s (mean Dice %.4f, %.4f without)", r.images(), r.choice(), r.choice().fillHoles() ? r.meanHoles()
			: r.meanChosen(), r.mean())));
	}

	/** The labels of a case after clean-up: the largest component of {@code classes} (all when null), then optionally hole filling. */
	private static Case cleaned(Case c, boolean[] classes, boolean fill) {
		short[] l = c.prediction().clone();
		LabelCleanup.keepLargestComponents(l, c.size(), classes);
		if (fill) LabelCleanup.fillHoles(l, c.size());
		return new Case(l, c.truth(), c.size(), c.spacing(), c.annotated());
	}

	/**
	 * Per class: {@code [0]} mean Dice, {@code [1]} mean finite HD95 ({@code NaN} without {@code distances}),
	 * {@code [2]} images scored.
	 */
	private static double[][] scores(List<Case> cases, java.util.function.UnaryOperator<Case> variant, int classes, boolean distances) {
		double[] dice = new double[classes], hd = new double[classes], n = new double[classes], nh = new double[classes];
		for (Case c0 : cases) {
			Case c = variant.apply(c0);
			int[] dims = c.spacing().length == 2 ? new int[] { c.size()[0], c.size()[1] } : c.size();
			// the annotated classes only; surface distances only where they are reported
			int[] scored = java.util.stream.IntStream.range(1, classes).filter(k -> c.annotated() == null || c.annotated()[k]).toArray();
			double[] dk = new double[classes], hk = new double[classes];
			Arrays.fill(hk, Double.NaN);
			if (distances)
				for (ClassMetrics m : SegmentationMetrics.compute(c.prediction(), c.truth(), dims, c.spacing(), scored, 0)) {
					dk[m.label()] = m.dice();
					hk[m.label()] = m.hd95();
				}
			else {
				Overlap[] overlap = Overlap.perClass(c.prediction(), c.truth(), classes);
				for (int k : scored) dk[k] = overlap[k].dice();
			}
			for (int k : scored) {
				double d = dk[k], h = hk[k];
				if (Double.isNaN(d)) continue;
				dice[k] += d;
				n[k]++;
				if (Double.isFinite(h)) {
					hd[k] += h;
					nh[k]++;
				}
			}
		}
		for (int k = 1; k < classes; k++) {
			dice[k] = n[k] > 0 ? dice[k] / n[k] : Double.NaN;
			hd[k] = nh[k] > 0 ? hd[k] / nh[k] : Double.NaN;
		}
		return new double[][] { dice, hd, n };
	}

	/** Mean of the foreground classes' values that are defined. */
	private static double meanOverClasses(double[] perClass) {
		double sum = 0;
		int n = 0;
		for (int k = 1; k < perClass.length; k++)
			if (!Double.isNaN(perClass[k])) {
				sum += perClass[k];
				n++;
			}
		return n > 0 ? sum / n : Double.NaN;
	}

	/** The one channel of a label image as class indices, x fastest. */
	private static short[] flat(Volume<?> labels) {
		short[] l = new short[(int) labels.voxelCount()];
		int i = 0;
		for (Object t : Views.flatIterable(labels.image())) l[i++] = (short) ((RealType<?>) t).getRealDouble();
		return l;
	}
}
