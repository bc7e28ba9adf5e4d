package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.github.unetseg.SegmentationException;

/**
 * Turns command-line arguments into the list of images to process, for batch and cluster runs:
 * files, folders (their image files) and glob patterns ({@code data/*.tif}, {@code data/**.nii.gz}),
 * sorted and without duplicates, then cut into shards for job arrays.
 */
public final class InputFiles {

	private InputFiles() {}

	/**
	 * @param p a file
	 * @return true for the names of the {@link io.github.unetseg.io.ImageFormat}s ({@code .tif}, {@code .nii.gz},
	 *     {@code .png}, ...), not hidden files
	 */
	public static boolean isImageName(Path p) {
		return io.github.unetseg.io.ImageFormat.hasImageName(p);
	}

	/**
	 * Expands arguments: an existing file is taken as it is; a folder of DICOM files is one input (a
	 * series), another folder gives its image files (not recursive), and a folder of series folders gives
	 * those; an argument with {@code *}, {@code ?}, <code>{</code> or {@code [} is a glob matched
	 * against the files below the longest wildcard-free leading folder.
	 *
	 * @param args paths, folders or patterns
	 * @return absolute, normalised paths, sorted, each once
	 * @throws SegmentationException for a path that does not exist, a folder without images or a pattern
	 *     that matches nothing
	 */
	public static List<Path> expand(List<String> args) {
		Set<Path> out = new LinkedHashSet<>();
		for (String a : args) {
			if (a.matches(".*[*?\\[{].*")) {
				List<Path> matched = glob(a);
				if (matched.isEmpty()) throw new SegmentationException("The pattern " + a + " matches no file. Fix: check the pattern " +
					"(quote it so that the shell passes it unexpanded).");
				out.addAll(matched);
				continue;
			}
			Path p = Path.of(a).toAbsolutePath().normalize();
			if (io.github.unetseg.io.DicomSeriesIO.isSeriesFolder(p)) out.add(p);
			else if (Files.isDirectory(p)) {
				int before = out.size();
				try (Stream<Path> s = Files.list(p)) {
					s.filter(q -> Files.isRegularFile(q) && isImageName(q) || io.github.unetseg.io.DicomSeriesIO.isSeriesFolder(q))
						.forEach(q -> out.add(q.normalize()));
				}
				catch (IOException e) {
					throw new SegmentationException("Cannot list " + p + ": " + e.getMessage(), e);
				}
				if (out.size() == before) throw new SegmentationException("The folder " + a + " holds no image file. Fix: give the " +
					"folder of the images (" + io.github.unetseg.io.ImageFiles.READABLE + "), or a pattern such as '" + a + "/**.tif'.");
			}
			else if (Files.isRegularFile(p)) out.add(p);
			else throw new SegmentationException("Input " + a + " does not exist. Fix: check the path.");
		}
		List<Path> sorted = new ArrayList<>(out);
		sorted.sort(null);
		return sorted;
	}

	private static List<Path> glob(String pattern) {
		String normalized = pattern.replace('\\', '/');
		int cut = 0;
		for (int i = 0; i < normalized.length() && "*?[{".indexOf(normalized.charAt(i)) < 0; i++)
			if (normalized.charAt(i) == '/') cut = i + 1;
		Path base = Path.of(cut == 0 ? "." : normalized.substring(0, cut)).toAbsolutePath().normalize();
		PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + normalized.substring(cut));
		if (!Files.isDirectory(base)) return List.of();
		try (Stream<Path> s = Files.walk(base)) {
			return s.filter(Files::isRegularFile).filter(p -> m.matches(base.relativize(p))).map(Path::normalize).sorted().toList();
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot search " + base + ": " + e.getMessage(), e);
		}
	}

	/**
	 * The inputs without the outputs of an earlier run into the same folder: when the output folder is
	 * also an input folder, its {@code *_labels.*} and {@code *_probabilities.*} files are not images to
	 * segment.
	 *
	 * @param files inputs, e.g. from {@link #expand}
	 * @param outputDir the output folder
	 * @return the inputs that are not such outputs, in order
	 */
	public static List<Path> withoutOutputs(List<Path> files, Path outputDir) {
		Path out = outputDir.toAbsolutePath().normalize();
		return files.stream().filter(f -> {
			Path parent = f.toAbsolutePath().normalize().getParent();
			String base = io.github.unetseg.io.ImageFiles.baseName(f);
			return !(out.equals(parent) && (base.endsWith("_labels") || base.endsWith("_probabilities")));
		}).toList();
	}

	/**
	 * The files of one shard: every {@code count}-th file starting at {@code index}, so that shards
	 * {@code 0..count-1} together take every file exactly once.
	 *
	 * @param files sorted inputs
	 * @param shard {@code "i/n"} with {@code 0 <= i < n}, or {@code null} for all files
	 * @return the shard's files
	 * @throws SegmentationException for a malformed shard
	 */
	public static List<Path> shard(List<Path> files, String shard) {
		if (shard == null) return files;
		String[] parts = shard.split("/");
		int i, n;
		try {
			if (parts.length != 2) throw new NumberFormatException();
			i = Integer.parseInt(parts[0].trim());
			n = Integer.parseInt(parts[1].trim());
		}
		catch (NumberFormatException e) {
			throw new SegmentationException("--shard must be i/n, e.g. 0/4 (SLURM: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT), got " + shard);
		}
		if (n < 1 || i < 0 || i >= n) throw new SegmentationException("--shard " + shard + " needs 0 <= i < n. Fix: number shards from 0.");
		List<Path> mine = new ArrayList<>();
		for (int k = i; k < files.size(); k += n) mine.add(files.get(k));
		return mine;
	}
}
