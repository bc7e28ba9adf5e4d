package io.github.unetseg.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.github.unetseg.SegmentationException;

/**
 * Which classes were annotated in each training image, for partially labelled data ({@code --label-classes}):
 * a class absent from an image's list is unknown there, not background.
 *
 * <p>The file is a CSV with a header. Either columns {@code image} (the file's base name, as the
 * training folders match them) and {@code classes} (class names separated by {@code ;}), or the layout
 * of OpenKBP's {@code index.csv}: columns {@code split}, {@code patient} and {@code rois}, where the
 * image's base name is {@code <split>_<patient>} or starts with {@code <split>_<patient>_}. Names that
 * are not classes of the model (e.g. OpenKBP's target volumes {@code PTV70}) are ignored; names match
 * without regard to case. Fields are separated by commas and are not quoted.
 *
 * @param rows class names per image key, in file order
 * @param source the file, for messages
 */
public record LabelClasses(Map<String, Set<String>> rows, Path source) {

	/**
	 * Reads a class list.
	 *
	 * @param file the CSV
	 * @return its rows
	 * @throws SegmentationException if the file cannot be read or lacks the columns
	 */
	public static LabelClasses read(Path file) {
		List<String> lines;
		try {
			lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read --label-classes " + file + ": " + e.getMessage() + ". Fix: check the path.", e);
		}
		if (lines.isEmpty()) throw new SegmentationException("--label-classes " + file + " is empty. Fix: give a header line and one row per image.");
		List<String> header = Arrays.stream(lines.get(0).replace("\uFEFF", "").split(",", -1)).map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
		int image = header.indexOf("image"), classes = header.indexOf("classes");
		int split = header.indexOf("split"), patient = header.indexOf("patient"), rois = header.indexOf("rois");
		boolean kbp = image < 0 && patient >= 0 && rois >= 0;
		if (!kbp && (image < 0 || classes < 0))
			throw new SegmentationException("--label-classes " + file + " has columns " + header + ". Fix: give columns 'image' and 'classes' " +
				"(names separated by ';'), or OpenKBP's 'split', 'patient' and 'rois'.");
		Map<String, Set<String>> rows = new LinkedHashMap<>();
		for (int i = 1; i < lines.size(); i++) {
			if (lines.get(i).isBlank()) continue;
			String[] f = lines.get(i).split(",", -1);
			int need = kbp ? Math.max(Math.max(patient, rois), split) : Math.max(image, classes);
			if (f.length <= need)
				throw new SegmentationException("--label-classes " + file + " line " + (i + 1) + " has " + f.length + " fields, the header " +
					header.size() + ". Fix: give every row all columns.");
			String key = kbp ? (split >= 0 ? f[split].trim() + "_" : "") + f[patient].trim() : f[image].trim();
			Set<String> names = new LinkedHashSet<>();
			for (String n : f[kbp ? rois : classes].split(";")) if (!n.isBlank()) names.add(n.trim().toLowerCase(Locale.ROOT));
			rows.put(key, names);
		}
		return new LabelClasses(Map.copyOf(rows), file);
	}

	/**
	 * The annotated classes of one image.
	 *
	 * @param baseName the image's base name
	 * @param classNames the model's classes, background first
	 * @return per class index whether it was annotated (background always true)
	 * @throws SegmentationException if the file has no row for the image
	 */
	public boolean[] present(String baseName, List<String> classNames) {
		Set<String> names = row(baseName);
		if (names == null)
			throw new SegmentationException("--label-classes " + source + " has no row for " + baseName + ". Fix: add a row naming the " +
				"classes annotated in it.");
		boolean[] p = new boolean[classNames.size()];
		p[0] = true;
		for (int k = 1; k < p.length; k++) p[k] = names.contains(classNames.get(k).toLowerCase(Locale.ROOT));
		return p;
	}

	/**
	 * The images of a list that have no row.
	 *
	 * @param baseNames base names of the training images
	 * @return those without a row, in order
	 */
	public List<String> missing(List<String> baseNames) {
		List<String> out = new ArrayList<>();
		for (String n : baseNames) if (row(n) == null) out.add(n);
		return out;
	}

	/** The row of an image: its key is the base name, or a prefix of it followed by {@code _}; {@code null} if none. */
	private Set<String> row(String baseName) {
		Set<String> names = rows.get(baseName);
		if (names != null) return names;
		for (Map.Entry<String, Set<String>> e : rows.entrySet())
			if (baseName.startsWith(e.getKey() + "_")) return e.getValue();
		return null;
	}
}
