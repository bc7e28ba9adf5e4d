package io.github.unetseg.data;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * The numbers of nnU-Net's CT normalisation from a training set: intensities of foreground (labelled)
 * voxels pooled over all cases, at most {@value #SAMPLES_PER_CASE} per case drawn with a fixed seed, as
 * nnU-Net's {@code DatasetFingerprintExtractor} does ({@code num_foreground_voxels_for_intensitystats}
 * 10,000 per case); then their 0.5 and 99.5 percentiles, mean and standard deviation.
 *
 * <p>Source: Isensee et al., "nnU-Net", Nature Methods 18 (2021), and {@code CTNormalization} in
 * nnU-Net v2's {@code default_normalization_schemes.py}.
 */
public final class CtStatistics {

	/** Foreground voxels drawn per case. */
	public static final int SAMPLES_PER_CASE = 10_000;

	private CtStatistics() {}

	/**
	 * Computes the CT normalisation of a training set.
	 *
	 * @param images one-channel images {@code [x, y(, z), 1]} in the units the model will see (HU for CT)
	 * @param labels label images of the same sizes, in the same order; voxels &gt; 0 are foreground
	 * @param seed seed of the per-case draw
	 * @return {@link Normalization#ct} with the percentiles, mean and standard deviation
	 * @throws IllegalArgumentException if the lists differ in length or no case has a labelled voxel
	 */
	public static Normalization of(List<? extends Volume<?>> images, List<? extends Volume<?>> labels, long seed) {
		if (images.size() != labels.size()) throw new IllegalArgumentException("need one label image per image");
		float[] pooled = new float[0];
		int n = 0;
		Random random = new Random(seed);
		for (int i = 0; i < images.size(); i++) {
			float[] fg = foreground(images.get(i), labels.get(i));
			float[] take = fg.length <= SAMPLES_PER_CASE ? fg : draw(fg, random);
			if (n + take.length > pooled.length) pooled = Arrays.copyOf(pooled, Math.max(2 * pooled.length, n + take.length));
			System.arraycopy(take, 0, pooled, n, take.length);
			n += take.length;
		}
		if (n == 0) throw new IllegalArgumentException("no labelled voxel in the training labels: CT normalisation needs foreground");
		float[] values = Arrays.copyOf(pooled, n);
		double sum = 0;
		for (float v : values) sum += v;
		double mean = sum / n, sq = 0;
		for (float v : values) sq += (v - mean) * (v - mean);
		double std = Math.sqrt(sq / n);
		double[] p = Normalization.percentiles(values, 0.5, 99.5);
		return Normalization.ct(p[0], p[1] > p[0] ? p[1] : p[0] + 1, mean, std > 0 ? std : 1);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static float[] foreground(Volume<?> image, Volume<?> labels) {
		return foregroundOf((Volume) image, (Volume) labels);
	}

	private static <T extends RealType<T>, L extends RealType<L>> float[] foregroundOf(Volume<T> image, Volume<L> labels) {
		if (image.channels() != 1) throw new IllegalArgumentException("CT normalisation needs one-channel images, got " + image.channels());
		if (!Arrays.equals(image.spatialSize(), labels.spatialSize()))
			throw new IllegalArgumentException("image " + image.describeSize() + " and labels " + labels.describeSize() + " differ in size");
		Cursor<T> ci = Views.flatIterable(image.image()).cursor();
		Cursor<L> cl = Views.flatIterable(labels.image()).cursor();
		float[] out = new float[1024];
		int n = 0;
		while (cl.hasNext()) {
			double l = cl.next().getRealDouble();
			float v = ci.next().getRealFloat();
			if (l > 0 && Float.isFinite(v)) {
				if (n == out.length) out = Arrays.copyOf(out, 2 * n);
				out[n++] = v;
			}
		}
		return Arrays.copyOf(out, n);
	}

	/** {@value #SAMPLES_PER_CASE} values drawn without replacement (partial Fisher-Yates). */
	private static float[] draw(float[] values, Random random) {
		float[] v = values.clone();
		for (int i = 0; i < SAMPLES_PER_CASE; i++) {
			int j = i + random.nextInt(v.length - i);
			float t = v[i];
			v[i] = v[j];
			v[j] = t;
		}
		return Arrays.copyOf(v, SAMPLES_PER_CASE);
	}
}
