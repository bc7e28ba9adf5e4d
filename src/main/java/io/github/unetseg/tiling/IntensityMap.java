package io.github.unetseg.tiling;

import java.util.Arrays;

/**
 * How raw voxel values become network inputs, per channel {@code c}:
 * {@code min(max[c], max(min[c], v * scale[c] + offset[c]))}. The bounds are in normalised units;
 * infinite bounds leave values unclipped (the affine map of most normalisations), finite ones clip
 * (a CT window, nnU-Net's CT normalisation: {@code data.Normalization#clipBounds}).
 *
 * @param scale multiplier per channel
 * @param offset offset per channel, added after scaling
 * @param min lower bound per channel, or {@code -Infinity}
 * @param max upper bound per channel, or {@code +Infinity}
 */
public record IntensityMap(double[] scale, double[] offset, double[] min, double[] max) {

	/** @throws IllegalArgumentException if the arrays differ in length or a bound pair is reversed */
	public IntensityMap {
		int n = scale.length;
		if (offset.length != n || min.length != n || max.length != n)
			throw new IllegalArgumentException("need one scale, offset, min and max per channel");
		for (int c = 0; c < n; c++)
			if (!(min[c] <= max[c])) throw new IllegalArgumentException("clip bounds reversed for channel " + c + ": " + min[c] + " > " + max[c]);
		scale = scale.clone();
		offset = offset.clone();
		min = min.clone();
		max = max.clone();
	}

	/**
	 * An unclipped affine map.
	 *
	 * @param scale multiplier per channel
	 * @param offset offset per channel
	 * @return the map with infinite bounds
	 */
	public static IntensityMap affine(double[] scale, double[] offset) {
		double[] lo = new double[scale.length], hi = new double[scale.length];
		Arrays.fill(lo, Double.NEGATIVE_INFINITY);
		Arrays.fill(hi, Double.POSITIVE_INFINITY);
		return new IntensityMap(scale, offset, lo, hi);
	}

	/** @return true if some channel has a finite bound */
	public boolean clips() {
		for (int c = 0; c < min.length; c++) if (Double.isFinite(min[c]) || Double.isFinite(max[c])) return true;
		return false;
	}

	@Override
	public double[] scale() {
		return scale.clone();
	}

	@Override
	public double[] offset() {
		return offset.clone();
	}

	@Override
	public double[] min() {
		return min.clone();
	}

	@Override
	public double[] max() {
		return max.clone();
	}
}
