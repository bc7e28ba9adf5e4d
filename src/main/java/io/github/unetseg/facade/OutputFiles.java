package io.github.unetseg.facade;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.AtomicFiles;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ObjectRois;
import io.github.unetseg.objects.ObjectMeasurements;

/**
 * Where a segmentation writes the outputs of an input file, and whether they are already there: the one
 * place that names {@code <name>_labels<ext>} and {@code <name>_probabilities<ext>}, where {@code <ext>}
 * is {@link ImageFiles#outputExtension}'s (the input's format; {@code .nii.gz} for DICOM series), with
 * characters the platform cannot put into a file name replaced by {@code _}.
 * Outputs are written to temporary files and renamed, so an output that exists is complete.
 */
public final class OutputFiles {

	private OutputFiles() {}

	/**
	 * @param input an input file or DICOM folder
	 * @param outputDir the output folder
	 * @return {@code outputDir/<name>_labels<ext>}
	 */
	public static Path labels(Path input, Path outputDir) {
		return output(input, outputDir, "_labels");
	}

	/**
	 * @param input an input file or DICOM folder
	 * @param outputDir the output folder
	 * @return {@code outputDir/<name>_probabilities<ext>}
	 */
	public static Path probabilities(Path input, Path outputDir) {
		return output(input, outputDir, "_probabilities");
	}

	/**
	 * @param input an input file or DICOM folder
	 * @param outputDir the output folder
	 * @return {@code outputDir/<name>_rois.zip}, an instance model's objects as an ImageJ RoiSet
	 */
	public static Path rois(Path input, Path outputDir) {
		return outputDir.resolve(encodable(ImageFiles.baseName(input)) + "_rois.zip");
	}

	/**
	 * @param input an input file or DICOM folder
	 * @param outputDir the output folder
	 * @return {@code outputDir/<name>_objects.csv}, an instance model's per-object table
	 */
	public static Path objects(Path input, Path outputDir) {
		return outputDir.resolve(encodable(ImageFiles.baseName(input)) + "_objects.csv");
	}

	private static Path output(Path input, Path outputDir, String kind) {
		return outputDir.resolve(encodable(ImageFiles.baseName(input)) + kind + ImageFiles.outputExtension(input));
	}

	/**
	 * A file name the JVM can create: characters the platform's file-name encoding cannot represent (an
	 * input named in UTF-8 read under {@code LC_ALL=C} arrives with replacement characters) become
	 * {@code _}, so the output can still be written; two inputs that then collide are refused by the
	 * folder run's same-name check.
	 */
	static String encodable(String name) {
		java.nio.charset.CharsetEncoder e;
		try {
			e = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder();
		}
		catch (IllegalArgumentException ex) {
			return name;
		}
		if (name.indexOf('\ufffd') < 0 && e.canEncode(name)) return name;
		StringBuilder b = new StringBuilder(name.length());
		name.codePoints().forEach(c -> b.append(c != 0xfffd && e.canEncode(new String(Character.toChars(c))) ? new String(Character
			.toChars(c)) : "_"));
		return b.toString();
	}

	/**
	 * Inputs whose outputs would have the same name as an earlier input's ({@code p1/t1.tif} and
	 * {@code p2/t1.tif}, or {@code scan.tif} and {@code scan.tiff}): such a later input must not be
	 * segmented into the same folder, or it would replace the earlier one's result.
	 *
	 * @param inputs inputs in processing order
	 * @param outputDir the output folder
	 * @return each later input mapped to the earlier one it collides with, in input order
	 */
	public static java.util.Map<Path, Path> collisions(java.util.List<Path> inputs, Path outputDir) {
		java.util.Map<Path, Path> first = new java.util.HashMap<>(), later = new java.util.LinkedHashMap<>();
		for (Path f : inputs) {
			Path earlier = first.putIfAbsent(labels(f, outputDir).toAbsolutePath().normalize(), f);
			if (earlier != null) later.put(f, earlier);
		}
		return later;
	}

	/**
	 * The failure of an input that collides with an earlier one ({@link #collisions}).
	 *
	 * @return the error, naming both inputs, the output and the fix
	 */
	public static SegmentationException collision(Path input, Path earlier, Path outputDir) {
		return new SegmentationException(input + " and " + earlier + " would both write " + labels(input, outputDir).getFileName() +
			" into " + outputDir + "; " + input.getFileName() + " is not segmented, so that no result is lost. Fix: segment one of them " +
			"into another --output folder, or rename it.");
	}

	/**
	 * Deletes the temporary files that a killed run left for the outputs about to be written
	 * ({@code .<output name><digits>.tmp}, as {@link io.github.unetseg.AtomicFiles} names them), with one
	 * listing of the folder. Only these inputs' outputs are touched, so other shards of a job array
	 * writing into the same folder keep theirs; a second identical run started while the first still
	 * writes the same file would lose that file's temporary (the first run then reports that file failed).
	 *
	 * @param inputs the inputs whose outputs this run writes
	 * @param outputDir the output folder (nothing happens when it does not exist)
	 * @return the number of files deleted
	 */
	public static int removeStaleTemporaries(java.util.List<Path> inputs, Path outputDir) {
		if (inputs.isEmpty() || !Files.isDirectory(outputDir)) return 0;
		java.util.Set<String> names = new java.util.HashSet<>();
		for (Path f : inputs) {
			names.add(labels(f, outputDir).getFileName().toString());
			names.add(probabilities(f, outputDir).getFileName().toString());
		}
		int deleted = 0;
		try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(outputDir, ".*.tmp")) {
			for (Path p : s) {
				String n = p.getFileName().toString();
				String target = n.substring(1, n.length() - 4).replaceFirst("-?\\d+$", "");
				if (names.contains(target) && Files.isRegularFile(p)) {
					Files.deleteIfExists(p);
					deleted++;
				}
			}
		}
		catch (java.io.IOException e) {
			// leftovers only cost space; the run itself does not depend on removing them
		}
		return deleted;
	}

	/**
	 * Whether the outputs of an input are already complete (a killed run leaves only temporary files).
	 *
	 * @param input an input file
	 * @param outputDir the output folder
	 * @param probabilities whether the probability map is expected too
	 * @return true if every expected output exists
	 */
	public static boolean done(Path input, Path outputDir, boolean probabilities) {
		return done(input, outputDir, probabilities, false, false);
	}

	/**
	 * Whether the outputs of an input are already complete, an instance model's ROIs and table included.
	 *
	 * @param input an input file
	 * @param outputDir the output folder
	 * @param probabilities whether the probability map is expected too
	 * @param rois whether the RoiSet is expected
	 * @param table whether the object table is expected
	 * @return true if every expected output exists
	 */
	public static boolean done(Path input, Path outputDir, boolean probabilities, boolean rois, boolean table) {
		return Files.isRegularFile(labels(input, outputDir)) && (!probabilities || Files.isRegularFile(probabilities(input, outputDir)))
			&& (!rois || Files.isRegularFile(rois(input, outputDir))) && (!table || Files.isRegularFile(objects(input, outputDir)));
	}

	/**
	 * Writes a result's labels (and probabilities, when the result has them) for an input, each to a
	 * temporary file moved into place.
	 *
	 * @param input the input the result belongs to
	 * @param outputDir the output folder, created if missing
	 * @param result the result
	 * @param labelClasses number of classes, for the label image's type and lookup table
	 * @return {@code {labels, probabilities}}; the second is {@code null} when the result has none
	 * @throws SegmentationException naming the folder or file that cannot be written and the fix
	 */
	public static Path[] write(Path input, Path outputDir, SegmentationResult result, int labelClasses) {
		return write(input, outputDir, null, result, labelClasses, SegmentationSettings.Objects.defaults());
	}

	/**
	 * Creates an output folder (and its parents) where it does not exist.
	 *
	 * @param outputDir the folder
	 * @throws SegmentationException naming the folder and the fix when it cannot be created
	 */
	static void createFolder(Path outputDir) {
		try {
			Files.createDirectories(outputDir);
		}
		catch (java.io.IOException e) {
			throw new SegmentationException("Cannot create output folder " + outputDir + ": " + e.getMessage() +
				". Fix: choose a writable --output folder.", e);
		}
	}

	/**
	 * Writes a result's outputs for an input: labels, probabilities when the result has them, and for an
	 * instance model's result the RoiSet ({@link ObjectRois}) and the object table
	 * ({@link ObjectMeasurements}) when asked; each to a temporary file moved into place.
	 *
	 * @param input the input the result belongs to
	 * @param outputDir the output folder, created if missing
	 * @param image the segmented image, for the intensities of the object table ({@code null}: no table)
	 * @param result the result
	 * @param labelClasses number of classes, for the label image's type and lookup table
	 * @param objects which object outputs to write
	 * @return {@code {labels, probabilities}}; the second is {@code null} when the result has none
	 * @throws SegmentationException naming the folder or file that cannot be written and the fix
	 */
	public static Path[] write(Path input, Path outputDir, io.github.unetseg.image.Volume<?> image, SegmentationResult result,
		int labelClasses, SegmentationSettings.Objects objects)
	{
		createFolder(outputDir);
		Path labels = labels(input, outputDir);
		ImageFiles.write(result.labels(), labels, result.instances() ? result.objectCount() + 1 : labelClasses);
		Path probs = null;
		if (result.probabilities() != null) {
			probs = probabilities(input, outputDir);
			ImageFiles.write(result.probabilities(), probs, 0);
		}
		if (result.instances() && objects.rois()) ObjectRois.writeZip(ObjectRois.of(result.labels(), result.objectCount()),
			rois(input, outputDir));
		if (result.instances() && objects.measure() && image != null) {
			var rows = ObjectMeasurements.measure(result.labels(), image, result.objectCount());
			AtomicFiles.writeString(objects(input, outputDir), ObjectMeasurements.csv(rows, image.spatialDims(), image.channels(),
				image.calibration().unit()));
		}
		return new Path[] { labels, probs };
	}
}
