package io.github.unetseg.data;

import java.util.Arrays;
import java.util.Locale;

import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * How raw intensities are mapped to network inputs, stored in {@code model.json} and applied
 * identically at training and prediction time, per channel.
 *
 * <ul>
 * <li>{@code NONE}: values are used as they are.</li>
 * <li>{@code PERCENTILE}: {@code (v - p_low) / (p_high - p_low)} with the image's own percentiles, as
 * CSBDeep's {@code normalize(x, pmin=1, pmax=99.8)} does; robust for microscopy.</li>
 * <li>{@code ZSCORE}: {@code (v - mean) / std} over the image, as nnU-Net does for MRI.</li>
 * <li>{@code FIXED}: {@code (v - low) / (high - low)} with fixed bounds, as nnU-Net's CT normalisation
 * uses a fixed intensity window.</li>
 * </ul>
 *
 * @param method one of {@code NONE}, {@code PERCENTILE}, {@code ZSCORE}, {@code FIXED}
 * @param low lower percentile in {@code [0, 100)} for {@code PERCENTILE}, lower bound in intensity
 *     units for {@code FIXED}, ignored otherwise
 * @param high upper percentile in {@code (low, 100]} for {@code PERCENTILE}, upper bound for
 *     {@code FIXED}, ignored otherwise
 */
public record Normalization(Method method, double low, double high) {

	/** The normalisation methods. */
	public enum Method {
		/** Raw values. */
		NONE,
		/** Per-image percentiles mapped to 0 and 1. */
		PERCENTILE,
		/** Per-image mean 0 and standard deviation 1. */
		ZSCORE,
		/** Fixed intensity window mapped to 0 and 1. */
		FIXED
	}

	/** Most voxels inspected per channel for statistics; larger images are sampled with a stride. */
	public static final int MAX_SAMPLES = 1 << 22;

	/**
	 * @throws IllegalArgumentException if the method is null, percentiles are outside {@code [0, 100]},
	 *     or {@code low >= high} for {@code PERCENTILE} and {@code FIXED}
	 */
	public Normalization {
		if (method == null) throw new IllegalArgumentException("normalization method is required");
		if (method == Method.PERCENTILE && !(low >= 0 && high <= 100 && low < high))
			throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100, got " + low + ", " + high);
		if (method == Method.FIXED && !(low < high))
			throw new IllegalArgumentException("fixed window needs low < high, got " + low + ", " + high);
	}

	/** @return CSBDeep's default: percentiles 1 and 99.8 */
	public static Normalization percentile() {
		return new Normalization(Method.PERCENTILE, 1, 99.8);
	}

	/**
	 * Per-channel affine maps for an image: normalised = {@code v * scale[c] + offset[c]}.
	 *
	 * <p>Statistics come from at most {@link #MAX_SAMPLES} voxels per channel, taken with a regular
	 * stride over the whole image. A constant channel gets scale 1 and offset {@code -value}.
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @return {@code [scale, offset]}, each of length {@code volume.channels()}
	 */
	public <T extends RealType<T>> double[][] affine(Volume<T> volume) {
		int channels = volume.channels();
		double[] scale = new double[channels];
		double[] offset = new double[channels];
		Arrays.fill(scale, 1);
		if (method == Method.NONE) return new double[][] { scale, offset };
		for (int c = 0; c < channels; c++) {
			double lo, hi;
			if (method == Method.FIXED) {
				lo = low;
				hi = high;
			}
			else {
				float[] sample = sample(Views.hyperSlice(volume.image(), volume.spatialDims(), c), volume.voxelCount());
				if (method == Method.PERCENTILE) {
					lo = percentile(sample, low);
					hi = percentile(sample, high);
				}
				else {
					double sum = 0, sq = 0;
					for (float v : sample) sum += v;
					double mean = sum / sample.length;
					for (float v : sample) sq += (v - mean) * (v - mean);
					lo = mean;
					hi = mean + Math.sqrt(sq / sample.length);
				}
			}
			double range = hi - lo;
			scale[c] = range > 0 ? 1 / range : 1;
			offset[c] = -lo * scale[c];
		}
		return new double[][] { scale, offset };
	}

	private static <T extends RealType<T>> float[] sample(RandomAccessibleInterval<T> channel, long voxels) {
		long stride = Math.max(1, (voxels + MAX_SAMPLES - 1) / MAX_SAMPLES);
		float[] s = new float[(int) ((voxels + stride - 1) / stride)];
		Cursor<T> cursor = Views.flatIterable(channel).cursor();
		int n = 0;
		for (long i = 0; cursor.hasNext(); i++) {
			T t = cursor.next();
			if (i % stride == 0 && n < s.length) s[n++] = t.getRealFloat();
		}
		return n == s.length ? s : Arrays.copyOf(s, n);
	}

	/**
	 * Linear interpolation between closest ranks, as numpy's default {@code percentile}, by selection
	 * (Hoare's quickselect, expected linear time) instead of a full sort. Reorders {@code values}.
	 */
	static double percentile(float[] values, double p) {
		int n = values.length;
		double pos = p / 100 * (n - 1);
		int i = (int) Math.floor(pos);
		if (i >= n - 1) return select(values, n - 1);
		float a = select(values, i);
		// after selecting rank i, everything above index i is >= a: rank i + 1 is their minimum
		float b = Float.POSITIVE_INFINITY;
		for (int k = i + 1; k < n; k++) b = Math.min(b, values[k]);
		return a + (pos - i) * (b - a);
	}

	/** The k-th smallest value (0-based); partially reorders {@code v}. */
	static float select(float[] v, int k) {
		int lo = 0, hi = v.length - 1;
		java.util.Random r = new java.util.Random(k);
		while (lo < hi) {
			float pivot = v[lo + r.nextInt(hi - lo + 1)];
			int i = lo, j = hi;
			while (i <= j) {
				while (v[i] < pivot) i++;
				while (v[j] > pivot) j--;
				if (i <= j) {
					float t = v[i];
					v[i++] = v[j];
					v[j--] = t;
				}
			}
			if (k <= j) hi = j;
			else if (k >= i) lo = i;
			else return v[k];
		}
		return v[k];
	}

	@Override
	public String toString() {
		return switch (method) {
			case NONE -> "none";
			case PERCENTILE -> String.format(Locale.ROOT, "percentile %.3g-%.3g", low, high);
			case ZSCORE -> "z-score";
			case FIXED -> String.format(Locale.ROOT, "fixed window %.6g-%.6g", low, high);
		};
	}
}
