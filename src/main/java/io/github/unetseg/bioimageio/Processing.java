package io.github.unetseg.bioimageio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.ModelDescription.Step;

/**
 * The pre- and postprocessing steps of the bioimage.io specification, applied to one tensor as
 * bioimageio.core does ({@code bioimageio/core/proc_ops.py}): {@code zero_mean_unit_variance},
 * {@code fixed_zero_mean_unit_variance}, {@code scale_range}, {@code scale_linear}, {@code clip},
 * {@code binarize}, {@code ensure_dtype}, {@code sigmoid}, {@code softmax}.
 *
 * <p>A tensor is its values in C order (last axis fastest) with its shape and axis ids (e.g.
 * {@code b, c, y, x}). Statistics are taken jointly over the step's {@code axes} (0.5: a list of axis
 * ids; 0.4: a string such as {@code yx}), separately for every index of the other axes; without
 * {@code axes}, over every axis but the batch. Standard deviations are population ones (numpy's
 * default), percentiles numpy's linear interpolation. {@code per_dataset} statistics are taken over
 * the tensor given (one sample: {@code test-model}'s case).
 */
public final class Processing {

	private Processing() {}

	/**
	 * Applies steps in order.
	 *
	 * @param steps the tensor's pre- or postprocessing
	 * @param values values in C order; changed in place where a step allows
	 * @param shape sizes per axis
	 * @param axes axis ids in order, e.g. {@code [b, c, y, x]}
	 * @return the processed values
	 * @throws SegmentationException for an unknown step or arguments it cannot use, naming the step and the fix
	 */
	public static float[] apply(List<Step> steps, float[] values, long[] shape, List<String> axes) {
		float[] v = values;
		for (Step s : steps) v = apply(s, v, shape, axes);
		return v;
	}

	private static float[] apply(Step s, float[] v, long[] shape, List<String> axes) {
		Map<String, Object> k = s.kwargs();
		double eps = number(k, "eps", 1e-6);
		switch (s.id()) {
			case "zero_mean_unit_variance" -> {
				if ("fixed".equals(k.get("mode"))) return fixed(s, v, shape, axes, eps);
				for (int[] group : groups(shape, axes, reduced(k, axes))) {
					double mean = 0, sq = 0;
					for (int i : group) mean += v[i];
					mean /= group.length;
					for (int i : group) sq += (v[i] - mean) * (v[i] - mean);
					double std = Math.sqrt(sq / group.length);
					for (int i : group) v[i] = (float) ((v[i] - mean) / (std + eps));
				}
			}
			case "fixed_zero_mean_unit_variance" -> {
				return fixed(s, v, shape, axes, eps);
			}
			case "scale_range" -> {
				double lo = number(k, "min_percentile", 0), hi = number(k, "max_percentile", 100);
				if (k.get("reference_tensor") != null)
					throw unsupported(s, "reference_tensor (statistics of another tensor)", "process the tensor itself");
				for (int[] group : groups(shape, axes, reduced(k, axes))) {
					float[] sorted = new float[group.length];
					for (int j = 0; j < group.length; j++) sorted[j] = v[group[j]];
					Arrays.sort(sorted);
					double a = percentile(sorted, lo), b = percentile(sorted, hi);
					for (int i : group) v[i] = (float) ((v[i] - a) / (b - a + eps));
				}
			}
			case "scale_linear" -> {
				double[] gain = perIndex(s, k.get("gain"), 1), offset = perIndex(s, k.get("offset"), 0);
				int axis = axisOf(k, axes, gain.length, offset.length);
				for (int i = 0; i < v.length; i++) {
					int c = axis < 0 ? 0 : index(i, shape, axis);
					v[i] = (float) (v[i] * gain[gain.length == 1 ? 0 : c] + offset[offset.length == 1 ? 0 : c]);
				}
			}
			case "clip" -> {
				double min = number(k, "min", Double.NEGATIVE_INFINITY), max = number(k, "max", Double.POSITIVE_INFINITY);
				for (int i = 0; i < v.length; i++) v[i] = (float) Math.max(min, Math.min(max, v[i]));
			}
			case "binarize" -> {
				double[] t = perIndex(s, k.get("threshold"), Double.NaN);
				int axis = axisOf(k, axes, t.length, 1);
				for (int i = 0; i < v.length; i++) v[i] = v[i] > t[t.length == 1 ? 0 : index(i, shape, axis)] ? 1 : 0;
			}
			case "ensure_dtype" -> {
				String dtype = String.valueOf(k.getOrDefault("dtype", "float32"));
				if (!dtype.startsWith("float")) {
					boolean bool = dtype.equals("bool");
					for (int i = 0; i < v.length; i++) v[i] = bool ? (v[i] != 0 ? 1 : 0) : (float) (long) v[i];
				}
			}
			case "sigmoid" -> {
				for (int i = 0; i < v.length; i++) v[i] = (float) (1 / (1 + Math.exp(-v[i])));
			}
			case "softmax" -> {
				String axis = String.valueOf(k.getOrDefault("axis", "c"));
				for (int[] group : groups(shape, axes, List.of(axis))) {
					double max = Double.NEGATIVE_INFINITY, sum = 0;
					for (int i : group) max = Math.max(max, v[i]);
					for (int i : group) sum += Math.exp(v[i] - max);
					for (int i : group) v[i] = (float) (Math.exp(v[i] - max) / sum);
				}
			}
			default -> throw new SegmentationException("processing step " + s.id() + " is not one of the specification's (zero_mean_" +
				"unit_variance, fixed_zero_mean_unit_variance, scale_range, scale_linear, clip, binarize, ensure_dtype, sigmoid, softmax). " +
				"Fix: correct the step's id in the description.");
		}
		return v;
	}

	private static float[] fixed(Step s, float[] v, long[] shape, List<String> axes, double eps) {
		Map<String, Object> k = s.kwargs();
		double[] mean = perIndex(s, k.get("mean"), Double.NaN), std = perIndex(s, k.get("std"), Double.NaN);
		if (Double.isNaN(mean[0]) || Double.isNaN(std[0])) throw unsupported(s, "no mean or std", "give kwargs mean and std");
		int axis = axisOf(k, axes, mean.length, std.length);
		for (int i = 0; i < v.length; i++) {
			int c = axis < 0 ? 0 : index(i, shape, axis);
			v[i] = (float) ((v[i] - mean[mean.length == 1 ? 0 : c]) / (std[std.length == 1 ? 0 : c] + eps));
		}
		return v;
	}

	/** numpy.percentile's default (linear) on sorted values. */
	static double percentile(float[] sorted, double q) {
		double pos = q / 100 * (sorted.length - 1);
		int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
		return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
	}

	/** The axes a statistic is taken over: 0.5 lists ids, 0.4 a string of letters; none given means all but the batch. */
	private static List<String> reduced(Map<String, Object> k, List<String> axes) {
		Object a = k.get("axes");
		List<String> out = new ArrayList<>();
		if (a instanceof List<?> l) for (Object o : l) out.add(String.valueOf(o));
		else if (a instanceof String str) for (char c : str.toCharArray()) out.add(String.valueOf(c));
		else for (String id : axes) if (!id.equals("b")) out.add(id);
		return out;
	}

	/** Flat indices grouped by the values of the axes not in {@code over}. */
	private static List<int[]> groups(long[] shape, List<String> axes, List<String> over) {
		int n = shape.length;
		boolean[] inGroup = new boolean[n];
		for (String id : over) {
			int d = axes.indexOf(id);
			if (d < 0) throw new SegmentationException("processing axis " + id + " is not an axis of the tensor (" + axes + "). Fix: " +
				"correct the step's axes.");
			inGroup[d] = true;
		}
		long total = 1, groupSize = 1;
		for (int d = 0; d < n; d++) {
			total *= shape[d];
			if (inGroup[d]) groupSize *= shape[d];
		}
		int groupCount = (int) (total / groupSize);
		int[][] g = new int[groupCount][(int) groupSize];
		int[] fill = new int[groupCount];
		long[] idx = new long[n]; // the multi-index of flat index i, C order (last axis fastest)
		for (int i = 0; i < total; i++) {
			int key = 0;
			for (int d = 0; d < n; d++) if (!inGroup[d]) key = (int) (key * shape[d] + idx[d]);
			g[key][fill[key]++] = i;
			for (int d = n - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
		}
		return Arrays.asList(g);
	}

	private static int index(int flat, long[] shape, int axis) {
		long stride = 1;
		for (int d = shape.length - 1; d > axis; d--) stride *= shape[d];
		return (int) (flat / stride % shape[axis]);
	}

	private static int axisOf(Map<String, Object> k, List<String> axes, int... lengths) {
		boolean perIndex = Arrays.stream(lengths).anyMatch(l -> l > 1);
		if (!perIndex) return -1;
		Object a = k.get("axis") != null ? k.get("axis") : k.get("axes");
		String id = a == null ? "c" : String.valueOf(a instanceof List<?> l && !l.isEmpty() ? l.get(0) : a);
		int d = axes.indexOf(id);
		if (d < 0) throw new SegmentationException("processing axis " + id + " is not an axis of the tensor (" + axes + "). Fix: " +
			"correct the step's axis.");
		return d;
	}

	private static double[] perIndex(Step s, Object value, double absent) {
		if (value == null) return new double[] { absent };
		if (value instanceof Number n) return new double[] { n.doubleValue() };
		if (value instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(o -> o instanceof Number))
			return l.stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
		throw unsupported(s, "a value " + value + " that is neither a number nor a list of numbers", "give numbers");
	}

	private static double number(Map<String, Object> k, String key, double absent) {
		Object v = k.get(key);
		return v instanceof Number n ? n.doubleValue() : absent;
	}

	private static SegmentationException unsupported(Step s, String what, String fix) {
		return new SegmentationException("processing step " + s.id() + " has " + what + ". Fix: " + fix + ".");
	}
}
