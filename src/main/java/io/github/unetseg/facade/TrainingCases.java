package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.CtStatistics;
import io.github.unetseg.data.LabelClasses;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.data.TrainingCase;
import io.github.unetseg.data.TrainingCrops;
import io.github.unetseg.data.TrainingSet;
import io.github.unetseg.image.Orientation;
import io.github.unetseg.image.Resampling;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyInputs;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tiling.ProgressListener;

/**
 * The cases a {@link LocalTrainer} run trains and validates on, prepared as nnU-Net prepares its data:
 * every pair read and checked, reoriented to one anatomical axis convention, resampled to one voxel
 * spacing, normalised (a CT normalisation's numbers computed from the training cases), and given the
 * classes annotated in it ({@code --label-classes}).
 *
 * @param cases training cases first, then validation cases, in the order of the set (a pair split into
 *     crops, {@link TrainingCrops}, gives one case per crop)
 * @param trainCount how many of {@code cases} are training cases
 * @param normalization the normalisation applied, with its numbers
 * @param spacing the voxel spacing of every case {@code [x, y(, z)]}, in the images' unit
 * @param orientation the anatomical axis codes of every case, or {@code null} (2D, or cases without affine)
 * @param partialLabels whether cases carry their annotated classes (the loss is then marginal)
 */
record TrainingCases(List<TrainingCase> cases, int trainCount, Normalization normalization, double[] spacing, String orientation,
	boolean partialLabels)
{

	/** The class list of {@code --label-classes}, checked against the set: a row for every image, a semantic model. */
	private static LabelClasses labelClasses(TrainingSet set, TrainingRequest r) {
		if (r.labelClasses() == null) return null;
		if (r.instances()) throw new SegmentationException("--label-classes is for semantic models; an instance model's labels are objects. " +
			"Fix: leave out --label-classes or --task instances.");
		LabelClasses labelClasses = LabelClasses.read(r.labelClasses());
		List<String> missing = labelClasses.missing(set.pairs().stream().map(TrainingSet.Pair::name).toList());
		if (!missing.isEmpty())
			throw new SegmentationException("--label-classes " + r.labelClasses() + " has no row for " + missing.size() + " training image(s): " +
				String.join(", ", missing.subList(0, Math.min(10, missing.size()))) + ". Fix: add a row per image naming its annotated classes.");
		return labelClasses;
	}


	/**
	 * Reads and checks every pair, resamples them to the target spacing (images linear, labels nearest),
	 * computes a CT normalisation's numbers from the first {@code trainCount} (training) cases, and
	 * normalises; cases get their annotated classes from {@code labelClasses}.
	 */
	static TrainingCases prepare(TrainingSet set, int trainCount, TrainingRequest r, ProgressListener progress) {
		List<LazyInputs.Opened> opened = new ArrayList<>();
		try {
			return prepare(set, trainCount, r, progress, opened);
		}
		finally {
			for (LazyInputs.Opened o : opened) o.close();
		}
	}

	/**
	 * A file read lazily, through a cache of 64 MiB, where it is larger than {@code unetseg.streamingBytes} (an eighth of
	 * the heap by default) and can be read by regions, else whole.
	 */
	private static Volume<?> read(Path file, List<LazyInputs.Opened> opened) {
		try {
			if (LazyInputs.supports(file) && Files.size(file) > Long.getLong("unetseg.streamingBytes", Runtime.getRuntime().maxMemory() / 8)) {
				LazyInputs.Opened o = LazyInputs.open(file, 64L << 20);
				opened.add(o);
				return o.volume();
			}
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + file + ": " + e.getMessage() + ". Fix: check that the file is readable.", e);
		}
		return ImageFiles.read(file);
	}

	/** Whether a pair is trained on as crops: its image was read lazily, or it holds more than 2^30 values. */
	private static boolean cropped(Volume<?>[] pair, List<LazyInputs.Opened> opened) {
		return opened.stream().anyMatch(o -> o.volume() == pair[0]) || pair[0].voxelCount() * pair[0].channels() > 1L << 30;
	}

	private static TrainingCases prepare(TrainingSet set, int trainCount, TrainingRequest r, ProgressListener progress,
		List<LazyInputs.Opened> opened)
	{
		UNetConfig arch = r.architecture();
		int classes = r.classNames().size();
		LabelClasses labelClasses = labelClasses(set, r);
		// object ids of an instance model are not bounded by the class count
		List<Volume<?>[]> loaded = set.check(f -> read(f, opened), arch.dimensions(), arch.inputChannels(),
			r.instances() ? Integer.MAX_VALUE : classes);
		String orientation = orientation(set, loaded, progress, opened);
		double[] spacing = targetSpacing(r.targetSpacing(), loaded);
		if (!r.instances())
			for (int i = 0; i < loaded.size(); i++) {
				if (cropped(loaded.get(i), opened)) continue; // resampled crop by crop
				progress.progress(i, loaded.size(), "resampling " + set.pairs().get(i).name());
				loaded.set(i, resampled(loaded.get(i), spacing));
			}
		Normalization norm = r.normalization();
		if (norm.needsStatistics()) {
			List<Volume<?>> images = new ArrayList<>(), labels = new ArrayList<>();
			for (int i = 0; i < trainCount; i++) {
				images.add(loaded.get(i)[0]);
				labels.add(loaded.get(i)[1]);
			}
			norm = CtStatistics.of(images, labels, r.config().seed());
		}
		List<TrainingCase> cases = new ArrayList<>();
		int trainCases = 0;
		long cropValues = Long.getLong("unetseg.trainingCropValues", 1L << 26);
		for (int i = 0; i < loaded.size(); i++) {
			Volume<?> image = loaded.get(i)[0], labels = loaded.get(i)[1];
			String name = set.pairs().get(i).name();
			List<TrainingCase> made;
			if (cropped(loaded.get(i), opened)) {
				long[] overlap = overlap(r.config().patchSize(), image.calibration().spacing(), spacing);
				made = crops(name, image, labels, norm, r, overlap, cropValues, spacing);
				progress.progress(i, loaded.size(), name + " (" + image.describeSize() + ") split into " + made.size() + " crops of at most " +
					cropValues + " values");
			}
			else made = List.of(TrainingCase.of(name, image, labels, norm, r.instances(), levels(r)));
			for (TrainingCase c : made) {
				if (labelClasses != null) {
					try {
						c = c.withPresent(labelClasses.present(name, r.classNames()));
					}
					catch (IllegalArgumentException e) {
						throw new SegmentationException(set.pairs().get(i).labels() + ": " + e.getMessage() + " in --label-classes " +
							r.labelClasses() + ". Fix: list every class drawn in the label image.", e);
					}
				}
				cases.add(c);
			}
			if (i < trainCount) trainCases = cases.size();
			loaded.set(i, null);
		}
		return new TrainingCases(cases, trainCases, norm, spacing, orientation, labelClasses != null);
	}

	/** The distance levels of an instance model's targets, 0 for its three classes or a semantic model. */
	private static int levels(TrainingRequest r) {
		return r.instances() ? io.github.unetseg.data.InstanceTargets.levels(r.classNames()) : 0;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static List<TrainingCase> crops(String name, Volume image, Volume labels, Normalization norm, TrainingRequest r, long[] overlap,
		long cropValues, double[] spacing)
	{
		try {
			return TrainingCrops.cases(name, image, labels, norm, r.instances(), levels(r), overlap, cropValues,
				pair -> r.instances() ? pair : resampled(pair, spacing));
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException(name + ": " + e.getMessage() + ". Fix: choose a smaller --patch or a larger " +
				"-Dunetseg.trainingCropValues.", e);
		}
	}

	/** A patch of the training grid ({@code patch} voxels at {@code target} spacing) in voxels of a source of spacing {@code source}. */
	static long[] overlap(long[] patch, double[] source, double[] target) {
		long[] o = new long[patch.length];
		for (int d = 0; d < o.length; d++) o[d] = (long) Math.ceil(patch[d] * target[d] / source[d]);
		return o;
	}

	/**
	 * The anatomical axis codes the model is trained in ({@code image.Orientation}): those of the first
	 * 3D case when every case has an affine; cases in other codes are reoriented to them (images and
	 * labels alike). {@code null} for 2D data or when some case has no affine.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static String orientation(TrainingSet set, List<Volume<?>[]> loaded, ProgressListener progress, List<LazyInputs.Opened> opened) {
		if (loaded.get(0)[0].spatialDims() != 3) return null;
		for (Volume<?>[] p : loaded) if (p[0].calibration().affine() == null) return null;
		String codes = Orientation.codes(loaded.get(0)[0].calibration().affine());
		for (int i = 0; i < loaded.size(); i++) {
			String own = Orientation.codes(loaded.get(i)[0].calibration().affine());
			if (own.equals(codes)) continue;
			progress.progress(i, loaded.size(), "reorienting " + set.pairs().get(i).name() + " from " + own + " to " + codes);
			Volume<?>[] p = loaded.get(i);
			if (cropped(p, opened))
				throw new SegmentationException(set.pairs().get(i).image() + " is too large to reorient in memory from " + own + " to " + codes +
					" (the first case's axes). Fix: save it in the axis order " + codes + ", as the other cases.");
			loaded.set(i, new Volume<?>[] { Orientation.reorient((Volume) p[0], own, codes), Orientation.reorient((Volume) p[1], own, codes) });
		}
		return codes;
	}

	/**
	 * The spacing to train at: the given one, the cases' own (all equal, or an empty request), or the
	 * median per axis over the cases.
	 */
	private static double[] targetSpacing(double[] requested, List<Volume<?>[]> loaded) {
		double[] first = loaded.get(0)[0].calibration().spacing();
		if (requested != null && requested.length == 0) return first;
		if (requested != null) {
			if (requested.length != first.length)
				throw new SegmentationException("--spacing has " + requested.length + " values for " + first.length + "D images. Fix: give " +
					first.length + " values (x,y" + (first.length == 3 ? ",z" : "") + "), 'median' or 'none'.");
			return requested.clone();
		}
		double[] median = new double[first.length];
		for (int d = 0; d < first.length; d++) {
			final int axis = d;
			double[] v = loaded.stream().mapToDouble(p -> p[0].calibration().spacing(axis)).sorted().toArray();
			median[d] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
		}
		return median;
	}

	/** An image and its labels on the grid of {@code spacing}; unchanged where the spacing differs by under 1 %. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?>[] resampled(Volume<?>[] pair, double[] spacing) {
		Volume image = pair[0];
		double[] s = image.calibration().spacing();
		double[] factor = new double[s.length];
		boolean same = true;
		for (int d = 0; d < s.length; d++) {
			factor[d] = s[d] / spacing[d];
			same &= Math.abs(factor[d] - 1) < 0.01;
		}
		if (same) return pair;
		long[] size = Resampling.scaledSize(image.spatialSize(), factor);
		return new Volume<?>[] { Resampling.linear(image, size), Resampling.nearest((Volume) pair[1], size) };
	}
}
