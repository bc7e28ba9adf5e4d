package io.github.unetseg.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Image/label pairs from folders laid out as CSBDeep, StarDist and nnU-Net users know them:
 * {@code images/} and {@code labels/} with the same file names (extensions may differ, e.g.
 * {@code a.tif} and {@code a.tif}, or {@code a.nii.gz} and {@code a.nii.gz}). Labels are class
 * indices, 0 = background.
 *
 * <p>{@link #check} reads every pair before training starts and reports all problems at once: missing
 * partners, unreadable files, different sizes, non-integer or out-of-range labels, NaN or infinite
 * pixels, channel counts that differ from the model's.
 *
 * @param pairs matched files, sorted by name
 */
public record TrainingSet(List<Pair> pairs) {

	/**
	 * One image and its label file.
	 *
	 * @param name the shared base name
	 * @param image the image file
	 * @param labels the label file
	 */
	public record Pair(String name, Path image, Path labels) {}

	/**
	 * Matches the files of two folders by base name.
	 *
	 * @param images folder of images
	 * @param labels folder of label images
	 * @param baseName base name of a file without its image extension
	 * @return the pairs, sorted by name
	 * @throws SegmentationException if a folder is missing or empty, or a file has no partner (all
	 *     such files are listed)
	 */
	public static TrainingSet fromFolders(Path images, Path labels, Function<Path, String> baseName) {
		Map<String, Path> im = list(images, "--images", baseName), lb = list(labels, "--labels", baseName);
		List<String> problems = new ArrayList<>();
		for (String n : im.keySet()) if (!lb.containsKey(n)) problems.add(im.get(n) + " has no label file in " + labels);
		for (String n : lb.keySet()) if (!im.containsKey(n)) problems.add(lb.get(n) + " has no image in " + images);
		if (!problems.isEmpty())
			throw new SegmentationException("Training data is incomplete:\n  " + String.join("\n  ", problems) +
				"\nFix: give every image a label file with the same name.");
		List<Pair> pairs = new ArrayList<>();
		im.forEach((n, p) -> pairs.add(new Pair(n, p, lb.get(n))));
		return new TrainingSet(List.copyOf(pairs));
	}

	private static Map<String, Path> list(Path dir, String option, Function<Path, String> baseName) {
		if (!Files.isDirectory(dir)) throw new SegmentationException(option + " folder " + dir + " does not exist. Fix: check the path.");
		Map<String, Path> m = new TreeMap<>();
		try (Stream<Path> s = Files.list(dir)) {
			s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
				.forEach(p -> m.put(baseName.apply(p), p));
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot list " + dir + ": " + e.getMessage(), e);
		}
		if (m.isEmpty()) throw new SegmentationException(option + " folder " + dir + " is empty. Fix: put the training images there.");
		return m;
	}

	/**
	 * Splits off a seeded random share for validation (at least one pair when there are two or more).
	 *
	 * @param fraction share in {@code [0, 0.9]}
	 * @param seed shuffle seed
	 * @return {@code [training, validation]}
	 */
	public List<TrainingSet> split(double fraction, long seed) {
		List<Pair> shuffled = new ArrayList<>(pairs);
		Collections.shuffle(shuffled, new Random(seed));
		int n = pairs.size() < 2 ? 0 : Math.max(1, (int) Math.round(pairs.size() * fraction));
		return List.of(new TrainingSet(List.copyOf(shuffled.subList(n, shuffled.size()))),
			new TrainingSet(List.copyOf(shuffled.subList(0, n))));
	}

	/**
	 * Reads every pair and checks it; returns the loaded volumes.
	 *
	 * @param reader reads an image file
	 * @param dimensions expected spatial dimensionality, 2 or 3
	 * @param channels expected channel count
	 * @param classes number of classes including background (labels must be below it)
	 * @return per pair the image and label volumes, in order
	 * @throws SegmentationException listing every problem found
	 */
	public List<Volume<?>[]> check(Function<Path, Volume<?>> reader, int dimensions, int channels, int classes) {
		List<String> problems = new ArrayList<>();
		List<Volume<?>[]> loaded = new ArrayList<>();
		for (Pair p : pairs) {
			Volume<?> img, lab;
			try {
				img = reader.apply(p.image());
				lab = reader.apply(p.labels());
			}
			catch (SegmentationException e) {
				problems.add(e.getMessage());
				continue;
			}
			int before = problems.size();
			if (img.spatialDims() != dimensions)
				problems.add(p.image() + " is " + img.spatialDims() + "D, the model is " + dimensions + "D");
			if (img.channels() != channels)
				problems.add(p.image() + " has " + img.channels() + " channel(s), the model expects " + channels);
			if (!java.util.Arrays.equals(img.spatialSize(), lab.spatialSize()))
				problems.add(p.image() + " (" + img.describeSize() + ") and " + p.labels() + " (" + lab.describeSize() + ") differ in size");
			if (lab.channels() != 1) problems.add(p.labels() + " has " + lab.channels() + " channels; labels need one");
			String bad = badLabel(lab, classes);
			if (bad != null) problems.add(p.labels() + " " + bad);
			if (!finite(img)) problems.add(p.image() + " contains NaN or infinite pixels");
			if (problems.size() == before) loaded.add(new Volume<?>[] { img, lab });
		}
		if (!problems.isEmpty())
			throw new SegmentationException("Training data has " + problems.size() + " problem(s):\n  " + String.join("\n  ", problems) +
				"\nFix: correct or remove these files.");
		return loaded;
	}

	private static <T extends RealType<T>> String badLabel(Volume<T> lab, int classes) {
		for (T t : Views.iterable(lab.image())) {
			double v = t.getRealDouble();
			if (v != Math.rint(v)) return "has a non-integer label " + v + "; labels must be class indices";
			if (v < 0 || v >= classes) return "has label " + (long) v + " but the model has " + classes + " classes (0 to " +
				(classes - 1) + ")";
		}
		return null;
	}

	private static <T extends RealType<T>> boolean finite(Volume<T> img) {
		for (T t : Views.iterable(img.image()))
			if (!Double.isFinite(t.getRealDouble())) return false;
		return true;
	}
}
