package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;


import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyInputs;
import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.metrics.SegmentationMetrics;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Compares predicted label images with ground truth: the one evaluation entry for
 * {@code unetseg evaluate}, {@code unetseg segment --truth} and the Fiji command
 * {@code Evaluate Segmentation...}. Metrics are those of {@link SegmentationMetrics}, per class, in the
 * images' physical units.
 *
 * <p>Folders are matched by base name: a prediction {@code a_labels.tif} (as written by
 * {@code unetseg segment}) or {@code a.tif} pairs with truth {@code a.tif}. Pairs that cannot be
 * compared (missing partner, different sizes or spacings, non-integer or negative labels, unreadable
 * files) are skipped with a reason naming both files; the report covers the others.
 */
public final class Evaluator {

	private Evaluator() {}

	/**
	 * Metrics of one image pair.
	 *
	 * @param name base name of the pair
	 * @param prediction prediction file (or image title)
	 * @param truth truth file (or image title)
	 * @param unit physical unit of distances
	 * @param metrics one entry per evaluated class
	 */
	public record PairResult(String name, String prediction, String truth, String unit, List<ClassMetrics> metrics) {}

	/**
	 * A pair left out of the report.
	 *
	 * @param prediction prediction file, or {@code null} when missing
	 * @param truth truth file, or {@code null} when missing
	 * @param reason why, with the fix
	 */
	public record Skipped(String prediction, String truth, String reason) {}

	/**
	 * The whole evaluation.
	 *
	 * @param results evaluated pairs, sorted by name
	 * @param skipped pairs left out
	 * @param tolerance surface-Dice tolerance, physical units
	 * @param classNames class names by index (background first, e.g. from {@code model.json}), or empty
	 */
	public record Report(List<PairResult> results, List<Skipped> skipped, double tolerance, List<String> classNames) {

		/** A report without class names. */
		public Report(List<PairResult> results, List<Skipped> skipped, double tolerance) {
			this(results, skipped, tolerance, List.of());
		}

		/**
		 * @param label a class index
		 * @return its name from {@link #classNames()}, else the number
		 */
		public String className(int label) {
			return label >= 0 && label < classNames.size() ? classNames.get(label) : String.valueOf(label);
		}
	}

	/**
	 * Checks a spacing override before any file is read.
	 *
	 * @param spacing a spacing override in physical units, or {@code null}
	 * @throws SegmentationException unless every value is finite and &gt; 0
	 */
	public static void checkSpacing(double[] spacing) {
		if (spacing == null) return;
		for (double v : spacing)
			if (!(v > 0) || Double.isInfinite(v))
				throw new SegmentationException("--spacing " + Arrays.toString(spacing) + " has a value that is not a positive number; " +
					"distances would be meaningless. Fix: give the voxel size per axis in physical units, e.g. --spacing 1,0.5,0.5.");
	}

	/**
	 * Evaluates two label images in memory.
	 *
	 * @param prediction predicted labels {@code [x, y(, z), 1]}
	 * @param truth true labels, same size
	 * @param classes classes to evaluate, or {@code null} for every label &gt; 0 present in either image
	 * @param spacing spacing override {@code [x, y(, z)]}, or {@code null} to use the images' (which must agree)
	 * @param tolerance surface-Dice tolerance, physical units
	 * @param predictionName name for messages
	 * @param truthName name for messages
	 * @return the metrics per class
	 * @throws SegmentationException if sizes or spacings differ, or labels are not non-negative integers
	 */
	public static PairResult evaluate(Volume<?> prediction, Volume<?> truth, int[] classes, double[] spacing, double tolerance,
		String predictionName, String truthName)
	{
		String both = predictionName + " and " + truthName;
		if (prediction.spatialDims() != truth.spatialDims() || !Arrays.equals(prediction.spatialSize(), truth.spatialSize()))
			throw new SegmentationException(both + " differ in size (" + prediction.describeSize() + " vs " + truth.describeSize() +
				"). Fix: compare a prediction with the truth of the same image.");
		if (prediction.channels() != 1 || truth.channels() != 1)
			throw new SegmentationException(both + ": label images need one channel. Fix: pass label images, not probabilities.");
		checkSpacing(spacing);
		double[] s = spacing;
		if (s == null) {
			checkSameSpace(prediction.calibration(), truth.calibration(), both);
			double[] a = prediction.calibration().spacing(), b = truth.calibration().spacing();
			for (int d = 0; d < a.length; d++)
				if (Math.abs(a[d] - b[d]) > 1e-3 * Math.max(a[d], b[d]))
					throw new SegmentationException(both + " have different voxel spacings (" + Arrays.toString(a) + " vs " +
						Arrays.toString(b) + "). Fix: give --spacing, or resample one onto the other's grid.");
			s = b;
		}
		else if (s.length != truth.spatialDims())
			throw new SegmentationException("--spacing has " + s.length + " values but " + truthName + " is " + truth.spatialDims() +
				"D. Fix: give " + truth.spatialDims() + " values.");
		String unit = spacing != null ? "given" : truth.calibration().unit();
		if (truth.voxelCount() > Long.getLong("unetseg.evaluateInMemoryVoxels", Integer.MAX_VALUE - 8))
			return new PairResult(predictionName, predictionName, truthName, unit, LargeEvaluation.compute(slice(prediction), slice(truth),
				classes, s, tolerance, new String[] { predictionName, truthName }, Math.min(Integer.MAX_VALUE - 8,
					Runtime.getRuntime().maxMemory() / 40)));
		short[] p = labels(prediction, predictionName), t = labels(truth, truthName);
		int[] cls = classes;
		if (cls == null) {
			TreeSet<Integer> inP = new TreeSet<>(), inT = new TreeSet<>();
			for (short v : p) if (v > 0) inP.add((int) v);
			for (short v : t) if (v > 0) inT.add((int) v);
			checkNotA255Mask(inP, inT, predictionName, truthName);
			TreeSet<Integer> present = new TreeSet<>(inP);
			present.addAll(inT);
			cls = present.stream().mapToInt(Integer::intValue).toArray();
			if (cls.length == 0) cls = new int[] { 1 }; // both empty: one row of NaN with status "both empty", as documented
		}
		long[] size = truth.spatialSize();
		int[] dims = new int[size.length];
		for (int d = 0; d < dims.length; d++) dims[d] = (int) size[d];
		return new PairResult(predictionName, predictionName, truthName, unit,
			SegmentationMetrics.compute(p, t, dims, s, cls, tolerance));
	}

	/** The one channel of a label image {@code [x, y(, z)]}. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static RandomAccessibleInterval<RealType> slice(Volume<?> v) {
		return (RandomAccessibleInterval) Views.hyperSlice(v.image(), v.spatialDims(), 0);
	}

	/**
	 * Refuses a 0/255 binary mask compared with 0/1 labels, where no class would meet itself.
	 *
	 * @throws SegmentationException naming both images and the fix
	 */
	static void checkNotA255Mask(java.util.Set<Integer> inP, java.util.Set<Integer> inT, String predictionName, String truthName) {
		if (!inP.isEmpty() && !inT.isEmpty() && java.util.Collections.disjoint(inP, inT) &&
			(inP.equals(java.util.Set.of(255)) || inT.equals(java.util.Set.of(255))))
			throw new SegmentationException(predictionName + " holds the labels " + inP + " and " + truthName + " " + inT + ": one is " +
				"a binary mask saved as 0/255, so no class would be compared with itself. Fix: divide that mask by 255 (Process > " +
				"Math > Divide in Fiji) to make it 0/1, or give --classes.");
	}

	/**
	 * Refuses to compare images calibrated in different length units, or whose NIfTI affines put them in
	 * different places (a shifted or flipped prediction would otherwise score as if it lay on the truth).
	 * Translations may differ by half the smallest voxel, the rotation-and-scale part by 0.1%.
	 *
	 * @throws SegmentationException naming both images and the fix
	 */
	static void checkSameSpace(Calibration a, Calibration b, String both) {
		String ua = Calibration.canonicalUnit(a.unit()), ub = Calibration.canonicalUnit(b.unit());
		if (!ua.equals("pixel") && !ub.equals("pixel") && !ua.equals(ub))
			throw new SegmentationException(both + " are calibrated in different units (" + a.unit() + " vs " + b.unit() + "), so their " +
				"distances cannot be compared. Fix: save both in the same unit, or give --spacing to compare the voxel grids as they are.");
		double[] fa = a.affine(), fb = b.affine();
		if (fa == null || fb == null) return;
		double tol = 0.5 * Math.min(Arrays.stream(a.spacing()).min().orElse(1), Arrays.stream(b.spacing()).min().orElse(1));
		for (int r = 0; r < 3; r++)
			for (int c = 0; c < 4; c++) {
				double x = fa[4 * r + c], y = fb[4 * r + c];
				double limit = c == 3 ? tol : 1e-3 * Math.max(Math.abs(x), Math.abs(y)) + 1e-9;
				if (Math.abs(x - y) > limit)
					throw new SegmentationException(both + " lie differently in space (their NIfTI affines differ: " + Arrays.toString(fa) +
						" vs " + Arrays.toString(fb) + "), so voxel-by-voxel scores would be wrong. Fix: resample the prediction onto the " +
						"truth's grid, or give --spacing to compare the voxel grids as they are.");
			}
	}

	private static <T extends RealType<T>> short[] labels(Volume<T> v, String name) {
		if (v.voxelCount() > Integer.MAX_VALUE - 8) throw new SegmentationException(name + " is too large to evaluate in memory.");
		short[] out = new short[(int) v.voxelCount()];
		int i = 0;
		for (T t : Views.flatIterable(v.image())) {
			double x = t.getRealDouble();
			if (x != Math.rint(x) || x < 0 || x > Short.MAX_VALUE)
				throw new SegmentationException(name + " has the value " + x + ", not a class index (a non-negative integer). Fix: " +
					"pass a label image (e.g. *_labels.tif from unetseg segment), not an intensity or probability image.");
			out[i++] = (short) x;
		}
		return out;
	}

	/**
	 * Evaluates files or folders.
	 *
	 * @param prediction a label file or a folder of them
	 * @param truth a label file or a folder of them (both files or both folders)
	 * @param classes classes to evaluate, or {@code null} for all present
	 * @param spacing spacing override {@code [x, y(, z)]} or {@code null}
	 * @param tolerance surface-Dice tolerance, physical units
	 * @return the report; pairs that failed are in {@link Report#skipped()}
	 * @throws SegmentationException if a path does not exist or one is a file and the other a folder
	 */
	public static Report evaluateFiles(Path prediction, Path truth, int[] classes, double[] spacing, double tolerance) {
		return evaluateFiles(prediction, truth, classes, spacing, tolerance, List.of(), null);
	}

	/**
	 * Evaluates files or folders with class names and, for partially labelled truth, the classes
	 * annotated per image: a class that was not annotated in an image is not scored there (not in its
	 * rows, not in the summary), as organs not contoured for a patient are unknown, not absent. A time series
	 * ({@link Frames}: an ImageJ hyperstack or OME-TIFF with time points) gives one result per frame, named
	 * {@code base[t=k]}.
	 *
	 * @param prediction a label file or a folder of them
	 * @param truth a label file or a folder of them (both files or both folders)
	 * @param classes classes to evaluate, or {@code null} for all present
	 * @param spacing spacing override {@code [x, y(, z)]} or {@code null}
	 * @param tolerance surface-Dice tolerance, physical units
	 * @param classNames class names by index, background first (e.g. {@code model.json}'s), or empty
	 * @param annotated the classes annotated per truth image (matched by its base name), or {@code null}
	 *     when every class was annotated everywhere; needs {@code classNames}
	 * @return the report; pairs that failed are in {@link Report#skipped()}
	 * @throws SegmentationException if a path does not exist or one is a file and the other a folder, or
	 *     {@code annotated} is given without class names
	 */
	public static Report evaluateFiles(Path prediction, Path truth, int[] classes, double[] spacing, double tolerance,
		List<String> classNames, io.github.unetseg.data.LabelClasses annotated)
	{
		if (annotated != null && classNames.isEmpty())
			throw new SegmentationException("--label-classes needs the class names. Fix: give --model (its model.json names the classes) " +
				"or --class-names.");
		checkSpacing(spacing);
		List<Skipped> skipped = new ArrayList<>();
		Map<Path, Path> pairs = pairs(prediction, truth, skipped);
		List<PairResult> results = new ArrayList<>();
		for (Map.Entry<Path, Path> e : pairs.entrySet()) {
			try {
				String name = ImageFiles.baseName(e.getValue());
				boolean[] present = annotated == null ? null : annotated.present(name, classNames);
				List<PairResult> scored = Frames.series(e.getKey(), e.getValue()) ? Frames.each(e.getKey(), e.getValue(), (v, t) -> withName(
					evaluate(v[0], v[1], classes, spacing, tolerance, e.getKey() + " frame " + t, e.getValue() + " frame " + t), Frames.name(name,
					t))) : List.of(withName(evaluatePaths(e.getKey(), e.getValue(), classes, spacing, tolerance), name));
				for (PairResult r : scored)
					results.add(present == null ? r : new PairResult(r.name(), r.prediction(), r.truth(), r.unit(), r.metrics().stream().filter(
						m -> m.label() >= present.length || present[m.label()]).toList()));
			}
			catch (SegmentationException ex) {
				skipped.add(new Skipped(e.getKey().toString(), e.getValue().toString(), ex.getMessage()));
			}
		}
		return new Report(results, skipped, tolerance, List.copyOf(classNames));
	}

	private static PairResult withName(PairResult r, String name) {
		return new PairResult(name, r.prediction(), r.truth(), r.unit(), r.metrics());
	}

	/**
	 * Evaluates two files; one larger than an eighth of the heap that can be read lazily (as
	 * {@link Streaming} decides for segmentation) is read through a bounded cache, not loaded.
	 */
	private static PairResult evaluatePaths(Path prediction, Path truth, int[] classes, double[] spacing, double tolerance) {
		try (LazyInputs.Opened lp = lazyIfLarge(prediction); LazyInputs.Opened lt = lazyIfLarge(truth)) {
			return evaluate(lp != null ? lp.volume() : ImageFiles.read(prediction), lt != null ? lt.volume() : ImageFiles.read(truth), classes,
				spacing, tolerance, prediction.toString(), truth.toString());
		}
	}

	private static LazyInputs.Opened lazyIfLarge(Path file) {
		return Streaming.streams(file, 0, SegmentationSettings.Stream.AUTO) ? LazyInputs.open(file, Math.min(256L << 20,
			Runtime.getRuntime().maxMemory() / 8)) : null;
	}

	/** Prediction and truth files matched by name (a_labels.* or a.* with a.*); what cannot be matched goes to {@code skipped}. */
	static Map<Path, Path> pairs(Path prediction, Path truth, List<Skipped> skipped) {
		Map<Path, Path> pairs = new LinkedHashMap<>();
		if (Files.isDirectory(prediction) && Files.isDirectory(truth)) {
			Map<String, Path> preds = list(prediction), truths = list(truth);
			for (Map.Entry<String, Path> e : truths.entrySet()) {
				Path p = preds.remove(e.getKey() + "_labels");
				if (p == null) p = preds.remove(e.getKey());
				if (p == null) skipped.add(new Skipped(null, e.getValue().toString(), "no prediction named " + e.getKey() +
					"_labels.* or " + e.getKey() + ".* in " + prediction));
				else pairs.put(p, e.getValue());
			}
			for (Path p : preds.values()) skipped.add(new Skipped(p.toString(), null, "no ground truth with this name in " + truth));
		}
		else if (Files.isRegularFile(prediction) && Files.isRegularFile(truth)) pairs.put(prediction, truth);
		else throw new SegmentationException("--prediction " + prediction + " and --truth " + truth + " must both be existing files " +
			"or both folders. Fix: check the paths.");
		return pairs;
	}

	/**
	 * The ground truth of one input image, matched by base name as in {@link #evaluateFiles}.
	 *
	 * @param truth a truth file (returned as it is) or a folder of truth images
	 * @param input the input image (or its labels' base name source)
	 * @return the truth file, or {@code null} when the folder has none for this input
	 */
	public static Path truthFor(Path truth, Path input) {
		return Files.isDirectory(truth) ? list(truth).get(ImageFiles.baseName(input)) : truth;
	}

	private static Map<String, Path> list(Path dir) {
		Map<String, Path> m = new TreeMap<>();
		try (Stream<Path> s = Files.list(dir)) {
			s.filter(Files::isRegularFile).filter(InputFiles::isImageName)
				.filter(p -> !ImageFiles.baseName(p).endsWith("_probabilities")).sorted().forEach(p -> m.put(ImageFiles.baseName(p), p));
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot list " + dir + ": " + e.getMessage(), e);
		}
		return m;
	}

	/** Metric names and accessors, in report order. */
	public static final List<String> METRICS = List.of("dice", "iou", "precision", "recall", "volume_prediction", "volume_truth",
		"volume_difference", "hausdorff", "hd95", "assd", "surface_dice");

	/**
	 * @param m metrics of a class
	 * @return values in the order of {@link #METRICS}
	 */
	public static double[] values(ClassMetrics m) {
		return new double[] { m.dice(), m.iou(), m.precision(), m.recall(), m.predictedVolume(), m.trueVolume(), m.volumeDifference(),
			m.hausdorff(), m.hd95(), m.assd(), m.surfaceDice() };
	}
}
