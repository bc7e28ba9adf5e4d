package io.github.unetseg.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Mirroring of anatomy that has a left and a right side: training flips the patient's left-right axis
 * (the axis whose code in the model's orientation is {@code L} or {@code R}, {@code image.Orientation})
 * in half of the patches and swaps the labels of each pair of sided classes, so that a mirrored right
 * parotid is taught as the left one; test-time mirroring ({@code --tta}) flips the same axis and swaps the
 * pairs' probabilities back ({@code tiling.MirroredTileModel}). Classes without a side (brainstem,
 * spinal cord) keep their label. nnU-Net mirrors every axis without swapping, which teaches a paired
 * organ on both sides; mirroring nothing (unetseg's {@code --mirror false}) halves the anatomy seen.
 *
 * @param pairs pairs of class names, each of two different names; empty for anatomy without sided classes
 */
public record LeftRightMirroring(List<List<String>> pairs) {

	/**
	 * @throws IllegalArgumentException if a pair does not hold two different names
	 */
	public LeftRightMirroring {
		List<List<String>> copy = new ArrayList<>();
		for (List<String> p : pairs) {
			if (p.size() != 2 || p.get(0).isBlank() || p.get(0).equalsIgnoreCase(p.get(1)))
				throw new IllegalArgumentException("a left-right pair names two different classes, as RightParotid:LeftParotid; got " + p);
			copy.add(List.of(p.get(0).trim(), p.get(1).trim()));
		}
		pairs = List.copyOf(copy);
	}

	/**
	 * Parses pairs written {@code A:B}, separated by commas.
	 *
	 * @param text e.g. {@code "RightParotid:LeftParotid,Eye_R:Eye_L"}; {@code null}, blank or {@code none} for no pairs
	 * @return the mirroring
	 * @throws IllegalArgumentException for a pair that is not two names separated by ':'
	 */
	public static LeftRightMirroring parse(String text) {
		List<List<String>> pairs = new ArrayList<>();
		if (text != null && !text.isBlank() && !text.trim().equalsIgnoreCase("none"))
			for (String p : text.split(",")) {
				String[] two = p.trim().split(":");
				if (two.length != 2)
					throw new IllegalArgumentException("paired classes are written A:B, comma-separated (RightParotid:LeftParotid); got '" + p + "'");
				pairs.add(List.of(two[0].trim(), two[1].trim()));
			}
		return new LeftRightMirroring(pairs);
	}

	/**
	 * The patient's left-right axis.
	 *
	 * @param orientation axis codes {@code [x, y, z]}, e.g. {@code "PLI"}
	 * @return the index of the axis coded {@code L} or {@code R}
	 * @throws IllegalArgumentException if the orientation is unknown or has no such axis
	 */
	public static int axis(String orientation) {
		int axis = orientation == null ? -1 : Math.max(orientation.indexOf('L'), orientation.indexOf('R'));
		if (axis < 0)
			throw new IllegalArgumentException("left-right mirroring needs the anatomical orientation of the images (3D images with an affine " +
				"or DICOM patient coordinates); got " + (orientation == null ? "none" : "'" + orientation + "'"));
		return axis;
	}

	/**
	 * The class each class becomes when mirrored.
	 *
	 * @param classNames the model's classes, background first
	 * @return per class index its mirrored class index ({@code [classNames.size()]}; itself for a class
	 *     without a side), a permutation that is its own inverse
	 * @throws IllegalArgumentException for a name that is not a foreground class (case-insensitive), or a class in two pairs
	 */
	public int[] classMap(List<String> classNames) {
		int[] map = new int[classNames.size()];
		for (int k = 0; k < map.length; k++) map[k] = k;
		for (List<String> p : pairs) {
			int a = ModelSpec.foregroundClass(classNames, p.get(0), "left-right pair"),
				b = ModelSpec.foregroundClass(classNames, p.get(1), "left-right pair");
			if (map[a] != a || map[b] != b) throw new IllegalArgumentException("class " + classNames.get(map[a] != a ? a : b) + " is in two " +
				"left-right pairs");
			map[a] = b;
			map[b] = a;
		}
		return map;
	}

	/** @return the pairs as {@code model.json} writes them, {@code ["A:B", ...]} */
	public List<String> texts() {
		return pairs.stream().map(p -> p.get(0) + ":" + p.get(1)).toList();
	}

	@Override
	public String toString() {
		return pairs.isEmpty() ? "left-right, no paired classes" : "left-right, swapping " + String.join(", ", texts());
	}
}
