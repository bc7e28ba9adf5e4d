package io.github.unetseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class EuclideanDistanceTransformTest {

	/** Pairwise reference: for each voxel, the minimum squared distance to any feature voxel. */
	static double[] bruteForce(byte[] f, int[] dims, double[] s) {
		int n = f.length, nd = dims.length;
		double[] out = new double[n];
		int[][] pos = new int[n][nd];
		for (int i = 0; i < n; i++) {
			int r = i;
			for (int d = 0; d < nd; d++) {
				pos[i][d] = r % dims[d];
				r /= dims[d];
			}
		}
		for (int i = 0; i < n; i++) {
			double best = Double.POSITIVE_INFINITY;
			for (int j = 0; j < n; j++) {
				if (f[j] == 0) continue;
				double q = 0;
				for (int d = 0; d < nd; d++) {
					double dx = (pos[i][d] - pos[j][d]) * s[d];
					q += dx * dx;
				}
				best = Math.min(best, q);
			}
			out[i] = best;
		}
		return out;
	}

	static void compare(int[] dims, double[] spacing, double density, long seed) {
		Random r = new Random(seed);
		int n = 1;
		for (int d : dims) n *= d;
		byte[] f = new byte[n];
		for (int i = 0; i < n; i++) f[i] = r.nextDouble() < density ? (byte) 1 : 0;
		float[] edt = EuclideanDistanceTransform.squared(f, dims, spacing);
		double[] ref = bruteForce(f, dims, spacing);
		for (int i = 0; i < n; i++) {
			if (Double.isInfinite(ref[i])) assertTrue(Float.isInfinite(edt[i]));
			else assertEquals(ref[i], edt[i], 1e-6 * Math.max(1, ref[i]), "voxel " + i);
		}
	}

	@Test
	void equalsBruteForceOnRandom2DMasksWithAnisotropicSpacing() {
		for (int k = 0; k < 10; k++) compare(new int[] { 23, 17 }, new double[] { 0.7, 1.9 }, 0.02 + 0.05 * k, k);
		compare(new int[] { 31, 1 }, new double[] { 1, 1 }, 0.05, 99);
	}

	@Test
	void equalsBruteForceOnRandom3DMasksWithAnisotropicSpacing() {
		for (int k = 0; k < 6; k++) compare(new int[] { 13, 11, 9 }, new double[] { 0.5, 0.5, 2.0 }, 0.005 + 0.03 * k, 100 + k);
		compare(new int[] { 9, 10, 12 }, new double[] { 1.3, 0.4, 0.9 }, 0.01, 7);
	}

	@Test
	void noFeatureGivesInfinityAndAllFeaturesGiveZero() {
		float[] none = EuclideanDistanceTransform.squared(new byte[12], new int[] { 4, 3 }, new double[] { 1, 1 });
		for (float v : none) assertTrue(Float.isInfinite(v));
		byte[] all = new byte[12];
		java.util.Arrays.fill(all, (byte) 1);
		for (float v : EuclideanDistanceTransform.squared(all, new int[] { 4, 3 }, new double[] { 1, 1 })) assertEquals(0, v);
	}
}
