package io.github.unetseg.bioimageio;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.ModelDescription.Axis;
import io.github.unetseg.bioimageio.ModelDescription.Step;
import io.github.unetseg.bioimageio.ModelDescription.Tensor;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.ModelSpec;

/**
 * What unetseg's pipeline needs to know of a bioimage.io package with one input and one output, as a
 * {@link ModelSpec}: dimensions and channels from the axes, tile and alignment from the sizes (a fixed
 * size is the only tile; {@code min + k step} aligns to {@code step}), the output's halo, the pixel size
 * from the axes' {@code scale}/{@code unit}, the input's per-sample preprocessing as a
 * {@link Normalization} (applied to the whole image before tiling, as bioimageio.core computes sample
 * statistics on the whole sample), and a binary (one output channel) or softmax (several) model. The
 * output's postprocessing must be per pixel (sigmoid, softmax, clip, scale_linear, binarize,
 * ensure_dtype): it is applied to each tile by {@link PackageTileModel}.
 */
public final class PackageSpec {

	static final Set<String> PER_PIXEL = Set.of("sigmoid", "softmax", "clip", "scale_linear", "binarize", "ensure_dtype");

	private PackageSpec() {}

	/**
	 * @param d a package description
	 * @return its spec for tiling, normalisation and output interpretation
	 * @throws SegmentationException naming the field and the fix for packages outside that scope (several
	 *     inputs or outputs, time or index axes, preprocessing that is not one affine map per channel,
	 *     per-sample postprocessing, a referenced input size)
	 */
	public static ModelSpec of(ModelDescription d) {
		if (d.inputs().size() != 1 || d.outputs().size() != 1)
			throw refuse(d, "has " + d.inputs().size() + " inputs and " + d.outputs().size() + " outputs", "unetseg segments with packages " +
				"of one input and one output; test it with test-model");
		Tensor in = d.inputs().get(0), out = d.outputs().get(0);
		for (Axis a : in.axes())
			if (!Set.of("batch", "channel", "space").contains(a.type()))
				throw refuse(d, "input axis " + a.id() + " is of type " + a.type(), "unetseg segments images with batch, channel and space axes");
		List<Axis> space = in.axes().stream().filter(Axis::spatial).toList();
		if (space.size() < 2 || space.size() > 3) throw refuse(d, "input has " + space.size() + " space axes", "give a 2D or 3D model");
		int channels = in.axis("c").map(Axis::size).orElse(1);
		int classes = out.axis("c").map(a -> a.size() > 0 ? a.size() : channels).orElse(1);
		// unetseg's order is [x, y(, z)]
		List<Axis> xyz = new ArrayList<>();
		for (String id : new String[] { "x", "y", "z" }) in.axis(id).ifPresent(xyz::add);
		if (xyz.size() != space.size()) throw refuse(d, "space axes " + in.axisOrder() + " are not named x, y(, z)", "name them x, y, z");
		int n = xyz.size();
		long[] tile = new long[n], halo = new long[n];
		double[] spacing = new double[n];
		int alignment = 1;
		String unit = null;
		for (int i = 0; i < n; i++) {
			Axis a = xyz.get(i);
			if (a.reference() != null) throw refuse(d, "input axis " + a.id() + " is sized by another tensor", "give a fixed or min/step size");
			if (a.size() > 0) {
				// a fixed input size: the only tile (the segmenter pads images to it); the network's grid is unknown, 16 is the
				// U-Net's of depth 4 and divides every fixed size of the zoo's U-Nets
				tile[i] = a.size();
				alignment = Math.max(alignment, Integer.lowestOneBit(a.size()) >= 16 ? 16 : Integer.lowestOneBit(a.size()));
			}
			else {
				tile[i] = Math.max(a.min(), a.step() > 0 ? (256 + a.step() - 1) / a.step() * a.step() : a.min());
				alignment = Math.max(alignment, Math.max(1, a.step()));
			}
			halo[i] = out.axis(a.id()).map(Axis::halo).orElse(0);
			spacing[i] = a.physicalScale();
			if (a.unit() != null) unit = a.unit();
		}
		for (Step s : out.steps())
			if (!PER_PIXEL.contains(s.id()))
				throw refuse(d, "output postprocessing " + s.id() + " needs the whole output", "unetseg applies only per-pixel steps " +
					PER_PIXEL + " to tiles; test-model runs the package as a whole");
		List<String> names = new ArrayList<>(List.of("background"));
		for (int k = 1; k < Math.max(2, classes); k++) names.add(classes == 1 ? "foreground" : "class " + k);
		String output = classes == 1 ? "sigmoid" : "softmax";
		ModelSpec.Provenance p = new ModelSpec.Provenance("bioimage.io package, format " + d.formatVersion(), "", "",
			"run with unetseg from " + d.root());
		return new ModelSpec(d.name(), d.name() + " (bioimage.io)", n, channels, List.copyOf(names), output, false, "onnx", in.id(), out.id(),
			normalization(d, in), spacing, unit == null ? "pixel" : unit.toLowerCase(Locale.ROOT).startsWith("micro") ? "µm" : unit, tile, halo,
			alignment, null, p, null);
	}

	/** The input's preprocessing as one normalisation per image (ensure_dtype steps aside). */
	static Normalization normalization(ModelDescription d, Tensor in) {
		List<Step> steps = in.steps().stream().filter(s -> !s.id().equals("ensure_dtype")).toList();
		if (steps.isEmpty()) return new Normalization(Normalization.Method.NONE, 0, 0, 0, 1);
		if (steps.size() > 1) throw refuse(d, "input preprocessing " + steps.stream().map(Step::id).toList() + " has several steps",
			"unetseg maps one normalisation step onto its own (test-model runs any chain)");
		Step s = steps.get(0);
		Object mode = s.kwargs().get("mode");
		return switch (s.id()) {
			case "zero_mean_unit_variance" -> {
				if ("fixed".equals(mode)) yield fixed(d, s);
				yield new Normalization(Normalization.Method.ZSCORE, 0, 0, 0, 1);
			}
			case "fixed_zero_mean_unit_variance" -> fixed(d, s);
			case "scale_range" -> new Normalization(Normalization.Method.PERCENTILE, number(s, "min_percentile", 0), number(s, "max_percentile",
				100), 0, 1);
			default -> throw refuse(d, "input preprocessing " + s.id() + " has no unetseg counterpart", "test it with test-model");
		};
	}

	private static Normalization fixed(ModelDescription d, Step s) {
		if (!(s.kwargs().get("mean") instanceof Number m) || !(s.kwargs().get("std") instanceof Number sd))
			throw refuse(d, "fixed zero-mean normalisation has per-channel values", "give scalar mean and std");
		// (v - mean) / std = (v - low) / (high - low) with low = mean, high = mean + std
		return new Normalization(Normalization.Method.FIXED, m.doubleValue(), m.doubleValue() + sd.doubleValue(), 0, 1);
	}

	private static double number(Step s, String key, double absent) {
		return s.kwargs().get(key) instanceof Number n ? n.doubleValue() : absent;
	}

	private static SegmentationException refuse(ModelDescription d, String what, String fix) {
		return new SegmentationException("bioimage.io package " + d.name() + ": " + what + ". Fix: " + fix + ".");
	}
}
