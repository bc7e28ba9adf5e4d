package io.github.unetseg.data;

import java.util.Arrays;
import java.util.Locale;

import io.github.unetseg.image.PixelArrays;
import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
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
 * <li>{@code FIXED}: {@code (v - low) / (high - low)} with fixed bounds, not clipped.</li>
 * <li>{@code WINDOW}: values clipped to the window {@code [low, high]} (e.g. a CT soft-tissue window
 * -160..240 HU, {@code --window}) and mapped to {@code [0, 1]}.</li>
 * <li>{@code CT}: nnU-Net's CT normalisation (Isensee et al., Nature Methods 2021, "CTNormalization"):
 * values clipped to {@code [low, high]}, the 0.5 and 99.5 percentiles of the foreground (labelled)
 * voxels of the whole training set, then {@code (v - mean) / std} with that set's foreground mean and
 * standard deviation. All four numbers are in the image's units (Hounsfield units for CT), computed
 * once at training ({@link CtStatistics}) and stored in {@code model.json}.</li>
 * </ul>
 *
 * @param method one of {@code NONE}, {@code PERCENTILE}, {@code ZSCORE}, {@code FIXED}, {@code WINDOW},
 *     {@code CT}
 * @param low lower percentile in {@code [0, 100)} for {@code PERCENTILE}, lower bound in intensity
 *     units for {@code FIXED}, {@code WINDOW} and {@code CT}, ignored otherwise
 * @param high upper percentile in {@code (low, 100]} for {@code PERCENTILE}, upper bound in
 *     intensity units for {@code FIXED}, {@code WINDOW} and {@code CT}, ignored otherwise
 * @param mean for {@code CT}, the training set's foreground mean in intensity units; else 0
 * @param std for {@code CT}, the training set's foreground standard deviation, &gt; 0; else 1
 */
public record Normalization(Method method, double low, double high, double mean, double std) {

	/** The normalisation methods. */
	public enum Method {
		/** Raw values. */
		NONE,
		/** Per-image percentiles mapped to 0 and 1. */
		PERCENTILE,
		/** Per-image mean 0 and standard deviation 1. */
		ZSCORE,
		/** Fixed intensity window mapped to 0 and 1. */
		FIXED,
		/** Intensities clipped to a window, mapped to 0 and 1. */
		WINDOW,
		/** Clipped to the training set's foreground percentiles, then its foreground mean and std (nnU-Net's CT scheme). */
		CT
	}

	/** Most voxels inspected per channel for statistics; larger images are sampled with a stride. */
	public static final int MAX_SAMPLES = 1 << 22;

	/**
	 * @throws IllegalArgumentException if the method is null, percentiles are outside {@code [0, 100]},
	 *     {@code low >= high} for {@code PERCENTILE}, {@code FIXED}, {@code WINDOW} and {@code CT}, or
	 *     {@code std} is not &gt; 0 for {@code CT}
	 */
	public Normalization {
		if (method == null) throw new IllegalArgumentException("normalization method is required");
		if (method == Method.PERCENTILE && !(low >= 0 && high <= 100 && low < high))
			throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100, got " + low + ", " + high);
		if ((method == Method.FIXED || method == Method.WINDOW || method == Method.CT) && !(low < high) && !(method == Method.CT && Double.isNaN(std)))
			throw new IllegalArgumentException(method.name().toLowerCase(Locale.ROOT) + " window needs low < high, got " + low + ", " + high);
		if (method == Method.CT && !(std > 0 && Double.isFinite(std) && Double.isFinite(mean)) && !(Double.isNaN(mean) && Double.isNaN(std)))
			throw new IllegalArgumentException("ct normalization needs a finite mean and std > 0, got " + mean + ", " + std);
	}

	/**
	 * nnU-Net's CT normalisation whose numbers are still to be computed from a training set
	 * ({@code --normalization ct}; the trainer replaces it by {@link CtStatistics#of}).
	 *
	 * @return a {@code CT} normalisation with NaN bounds, mean and std
	 */
	public static Normalization ctFromTrainingSet() {
		return new Normalization(Method.CT, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
	}

	/** @return true for a {@code CT} normalisation whose numbers are still to be computed */
	public boolean needsStatistics() {
		return method == Method.CT && Double.isNaN(std);
	}

	/**
	 * A normalisation without stored statistics.
	 *
	 * @param method the method ({@code CT} needs {@link #ct} instead)
	 * @param low see the record's {@code low}
	 * @param high see the record's {@code high}
	 * @throws IllegalArgumentException as the canonical constructor
	 */
	public Normalization(Method method, double low, double high) {
		this(method, low, high, 0, 1);
	}

	/**
	 * nnU-Net's CT normalisation with the training set's numbers.
	 *
	 * @param low clip bound, the foreground 0.5 percentile, in intensity units (HU)
	 * @param high clip bound, the foreground 99.5 percentile, in HU
	 * @param mean foreground mean in HU
	 * @param std foreground standard deviation in HU, &gt; 0
	 * @return the normalisation
	 */
	public static Normalization ct(double low, double high, double mean, double std) {
		return new Normalization(Method.CT, low, high, mean, std);
	}

	/** @return true if values are clipped to {@code [low, high]} before the affine map ({@code WINDOW}, {@code CT}) */
	public boolean clips() {
		return method == Method.WINDOW || method == Method.CT;
	}

	/**
	 * The bounds, in normalised units, that network inputs are clipped to: {@code [low, high]} mapped by
	 * the affine map for {@code WINDOW} and {@code CT}, else infinite.
	 *
	 * @param channels the image's channel count
	 * @return {@code [min, max]}, each of length {@code channels}
	 */
	public double[][] clipBounds(int channels) {
		double[] min = new double[channels], max = new double[channels];
		Arrays.fill(min, Double.NEGATIVE_INFINITY);
		Arrays.fill(max, Double.POSITIVE_INFINITY);
		if (clips()) {
			double scale = method == Method.CT ? 1 / std : 1 / (high - low), offset = method == Method.CT ? -mean / std : -low / (high - low);
			Arrays.fill(min, low * scale + offset);
			Arrays.fill(max, high * scale + offset);
		}
		return new double[][] { min, max };
	}

	/** @return CSBDeep's default: percentiles 1 and 99.8 */
	public static Normalization percentile() {
		return new Normalization(Method.PERCENTILE, 1, 99.8);
	}

	/**
	 * Per-channel affine maps for an image: normalised = {@code v * scale[c] + offset[c]}; for
	 * {@code WINDOW} and {@code CT} the result is then clipped to {@link #clipBounds}.
	 *
	 * <p>Statistics come from at most {@link #MAX_SAMPLES} voxels per channel, taken with a regular
	 * stride over the whole image; NaN and infinite values are left out. A constant channel gets scale 1
	 * and offset {@code -value}.
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
		if (method == Method.CT) {
			if (needsStatistics()) throw new IllegalStateException("CT normalisation without the training set's numbers");
			Arrays.fill(scale, 1 / std);
			Arrays.fill(offset, -mean / std);
			return new double[][] { scale, offset };
		}
		// every stride-th voxel of a channel, in flat order; straight from the image's arrays where it has them
		long voxels = volume.voxelCount();
		long stride = Math.max(1, (voxels + MAX_SAMPLES - 1) / MAX_SAMPLES);
		int count = (int) ((voxels + stride - 1) / stride);
		PixelArrays arrays = method == Method.FIXED || method == Method.WINDOW ? null : PixelArrays.of(volume.image());
		for (int c = 0; c < channels; c++) {
			double lo, hi;
			if (method == Method.FIXED || method == Method.WINDOW) {
				lo = low;
				hi = high;
			}
			else {
				// 8- and 16-bit images are counted, without a float copy
				PixelArrays.Histogram counts = method == Method.PERCENTILE && arrays != null ? arrays.histogram(c * voxels, stride, count) : null;
				float[] sample = counts == null ? finite(sample(volume, c, arrays, stride, count)) : null;
				if (sample != null && sample.length == 0) sample = new float[] { 0 }; // nothing finite: leave the channel as it is
				if (method == Method.PERCENTILE) {
					double[] p = counts != null ? percentiles(counts.counts(), counts.base(), low, high) : percentiles(sample, low, high);
					lo = p[0];
					hi = p[1];
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

	/** The finite values of a sample (NaN and infinities would poison percentiles, mean and deviation). */
	private static float[] finite(float[] sample) {
		int n = 0;
		for (float v : sample) if (Float.isFinite(v)) n++;
		if (n == sample.length) return sample;
		float[] f = new float[n];
		n = 0;
		for (float v : sample) if (Float.isFinite(v)) f[n++] = v;
		return f;
	}

	/**
	 * Counts the voxels that are NaN or infinite (only floating-point images can hold them; integer
	 * images return 0 at once). They are left out of {@link #affine}'s statistics, and {@code TileReader}
	 * feeds them to the network as 0.
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @return the number of non-finite voxels over all channels
	 */
	public static <T extends RealType<T>> long nonFinite(Volume<T> volume) {
		if (volume.image().getType() instanceof net.imglib2.type.numeric.IntegerType) return 0;
		long n = 0;
		for (T t : Views.iterable(volume.image())) if (!Double.isFinite(t.getRealDouble())) n++;
		return n;
	}

	/** {@code count} voxels of channel {@code c} at {@code stride}, from {@code arrays} if not null. */
	private static <T extends RealType<T>> float[] sample(Volume<T> volume, int c, PixelArrays arrays, long stride, int count) {
		float[] s = new float[count];
		if (arrays != null) {
			long base = c * volume.voxelCount();
			for (int n = 0; n < count; n++) s[n] = arrays.get(base + n * stride);
			return s;
		}
		Cursor<T> cursor = Views.flatIterable(Views.hyperSlice(volume.image(), volume.spatialDims(), c)).cursor();
		int n = 0;
		for (long i = 0; cursor.hasNext(); i++) {
			T t = cursor.next();
			if (i % stride == 0 && n < count) s[n++] = t.getRealFloat();
		}
		return n == count ? s : Arrays.copyOf(s, n);
	}

	/**
	 * Several percentiles of the same values, as {@link #percentile}: for integer-valued samples within a
	 * range of {@value #HISTOGRAM_BINS} values (8- and 16-bit images) by one counting pass, which is
	 * exact and several times faster than selection; otherwise by selection.
	 *
	 * @param values samples; may be reordered
	 * @param ps percentiles in {@code [0, 100]}
	 * @return one value per percentile
	 */
	static double[] percentiles(float[] values, double... ps) {
		double[] out = new double[ps.length];
		float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
		boolean integral = true;
		for (float v : values) {
			if (v < min) min = v;
			if (v > max) max = v;
			integral &= v == (float) Math.rint(v);
		}
		if (!integral || !(max - min < HISTOGRAM_BINS)) {
			for (int k = 0; k < ps.length; k++) out[k] = percentile(values, ps[k]);
			return out;
		}
		int base = (int) min;
		int[] count = new int[(int) (max - min) + 1];
		for (float v : values) count[(int) v - base]++;
		return percentiles(count, base, ps);
	}

	/**
	 * Percentiles as numpy's default {@code percentile} from counts of consecutive integers.
	 *
	 * @param count how often each value {@code base + i} occurs; at least one count &gt; 0
	 * @param base the value of {@code count[0]}
	 * @param ps percentiles in {@code [0, 100]}
	 * @return one value per percentile
	 */
	static double[] percentiles(int[] count, int base, double... ps) {
		long n = 0;
		for (int c : count) n += c;
		double[] out = new double[ps.length];
		for (int k = 0; k < ps.length; k++) {
			double pos = ps[k] / 100 * (n - 1);
			long i = (long) Math.floor(pos);
			double a = rank(count, base, i), b = i + 1 < n ? rank(count, base, i + 1) : a;
			out[k] = a + (pos - i) * (b - a);
		}
		return out;
	}

	/** Largest number of distinct integer values that {@link #percentiles} counts instead of selecting. */
	static final int HISTOGRAM_BINS = 1 << 20;

	/** The value of 0-based rank {@code r} from counts of consecutive integers starting at {@code base}. */
	private static double rank(int[] count, int base, long r) {
		long seen = 0;
		for (int b = 0; b < count.length; b++) {
			seen += count[b];
			if (seen > r) return base + b;
		}
		return base + count.length - 1;
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
			case WINDOW -> String.format(Locale.ROOT, "window %.6g..%.6g clipped", low, high);
			case CT -> String.format(Locale.ROOT, "CT: clip %.6g..%.6g, mean %.6g, std %.6g", low, high, mean, std);
		};
	}
}
