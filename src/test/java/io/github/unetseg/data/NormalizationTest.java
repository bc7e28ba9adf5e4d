package io.github.unetseg.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;

class NormalizationTest {

	/** numpy's default percentile from a sorted copy. */
	static double reference(float[] v, double p) {
		float[] s = v.clone();
		Arrays.sort(s);
		double pos = p / 100 * (s.length - 1);
		int i = (int) Math.floor(pos);
		return i >= s.length - 1 ? s[s.length - 1] : s[i] + (pos - i) * (s[i + 1] - s[i]);
	}

	@Test
	void selectionGivesNumpysPercentiles() {
		Random r = new Random(5);
		for (int n : new int[] { 1, 2, 3, 10, 1001, 100_000 }) {
			float[] v = new float[n];
			for (int i = 0; i < n; i++) v[i] = r.nextInt(20) + (float) r.nextGaussian(); // many near-duplicates
			for (double p : new double[] { 0, 1, 37.5, 50, 99.8, 100 })
				assertEquals(reference(v, p), Normalization.percentile(v.clone(), p), 1e-5, "n " + n + " p " + p);
		}
	}

	@Test
	void affineMapsOfEachMethod() {
		float[] data = new float[101];
		for (int i = 0; i <= 100; i++) data[i] = i;
		Volume<FloatType> v = new Volume<>(ArrayImgs.floats(data, 101, 1, 1), Calibration.uncalibrated(2));
		double[][] p = new Normalization(Normalization.Method.PERCENTILE, 10, 90).affine(v);
		assertEquals(10 * p[0][0] + p[1][0], 0, 1e-12);
		assertEquals(90 * p[0][0] + p[1][0], 1, 1e-12);
		double[][] z = new Normalization(Normalization.Method.ZSCORE, 0, 1).affine(v);
		double std = Math.sqrt(850); // population variance of 0..100
		assertEquals(1 / std, z[0][0], 1e-9);
		assertEquals(-50 / std, z[1][0], 1e-9);
		double[][] f = new Normalization(Normalization.Method.FIXED, -1000, 1000).affine(v);
		assertEquals(1 / 2000.0, f[0][0], 1e-15);
		assertEquals(0.5, f[1][0], 1e-15);
		double[][] none = new Normalization(Normalization.Method.NONE, 0, 1).affine(v);
		assertEquals(1, none[0][0]);
		assertEquals(0, none[1][0]);
	}
}
