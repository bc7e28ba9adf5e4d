package io.github.unetseg.facade;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.io.ImageFiles;

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
		return outputDir.resolve(encodable(ImageFiles.baseName(input)) + "_labels" + ImageFiles.outputExtension(input));
	}

	/**
	 * @param input an input file or DICOM folder
	 * @param outputDir the output folder
	 * @return {@code outputDir/<name>_probabilities<ext>}
	 */
	public static Path probabilities(Path input, Path outputDir) {
		return outputDir.resolve(encodable(ImageFiles.baseName(input)) + "_probabilities" + ImageFiles.outputExtension(input));
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
		StringBuilder b = new StringBuilder(name.length());
		name.codePoints().forEach(c -> b.append(c != 0xfffd && e.canEncode(new String(Character.toChars(c))) ? new String(Character
			.toChars(c)) : "_"));
		return b.toString();
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
		return Files.isRegularFile(labels(input, outputDir)) && (!probabilities || Files.isRegularFile(probabilities(input, outputDir)));
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
		try {
			Files.createDirectories(outputDir);
		}
		catch (java.io.IOException e) {
			throw new SegmentationException("Cannot create output folder " + outputDir + ": " + e.getMessage() +
				". Fix: choose a writable --output folder.", e);
		}
		Path labels = labels(input, outputDir);
		ImageFiles.write(result.labels(), labels, labelClasses);
		Path probs = null;
		if (result.probabilities() != null) {
			probs = probabilities(input, outputDir);
			ImageFiles.write(result.probabilities(), probs, 0);
		}
		return new Path[] { labels, probs };
	}
}
