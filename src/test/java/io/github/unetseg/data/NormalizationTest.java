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
	void countingGivesNumpysPercentilesOnIntegerImages() {
		Random r = new Random(6);
		for (int n : new int[] { 1, 2, 7, 1000, 200_000 }) {
			for (int range : new int[] { 1, 256, 65536, 3000 }) {
				float[] v = new float[n];
				for (int i = 0; i < n; i++) v[i] = r.nextInt(range) - (range == 3000 ? 1024 : 0); // CT-like negative values too
				double[] ps = { 0, 1, 37.5, 50, 99.8, 100 };
				double[] got = Normalization.percentiles(v.clone(), ps);
				for (int k = 0; k < ps.length; k++)
					assertEquals(reference(v, ps[k]), got[k], 0, "n " + n + " range " + range + " p " + ps[k]);
			}
		}
		// non-integer values and huge ranges take the selection path with the same answers
		float[] f = { 0.5f, 3, 1e9f, -2, 7 };
		double[] got = Normalization.percentiles(f.clone(), 1, 50, 99.8);
		assertEquals(reference(f, 1), got[0], 1e-3);
		assertEquals(reference(f, 50), got[1], 0);
		assertEquals(reference(f, 99.8), got[2], 1);
	}

	@Test
	void statisticsAreTheSameFromArrayPlanarAndViewImages() {
		Random r = new Random(7);
		int nx = 37, ny = 23, nz = 5;
		short[] data = new short[nx * ny * nz * 2];
		for (int i = 0; i < data.length; i++) data[i] = (short) r.nextInt(65536);
		var array = ArrayImgs.unsignedShorts(data, nx, ny, nz, 2);
		var planar = net.imglib2.img.planar.PlanarImgs.unsignedShorts(nx, ny, nz, 2);
		var ca = array.cursor();
		var cp = planar.cursor();
		while (ca.hasNext()) cp.next().set(ca.next());
		var view = net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.translate(array, 3, 0, 0, 0));
		Calibration cal = Calibration.uncalibrated(3);
		Normalization norm = Normalization.percentile();
		double[][] a = norm.affine(new Volume<>(array, cal));
		double[][] p = norm.affine(new Volume<>(planar, cal));
		double[][] v = norm.affine(new Volume<>(view, cal));
		for (int c = 0; c < 2; c++) {
			float[] channel = new float[nx * ny * nz];
			for (int i = 0; i < channel.length; i++) channel[i] = data[c * channel.length + i] & 0xffff;
			double lo = reference(channel, 1), hi = reference(channel, 99.8);
			assertEquals(1 / (hi - lo), a[0][c], 1e-15);
			assertEquals(-lo / (hi - lo), a[1][c], 1e-12);
			for (double[][] other : new double[][][] { p, v }) {
				assertEquals(a[0][c], other[0][c], 0);
				assertEquals(a[1][c], other[1][c], 0);
			}
		}
	}

	@Test
	void signedIntegerImagesCountedFromTheirArraysMatchTheReference() {
		Random r = new Random(9);
		int n = 5000;
		short[] ct = new short[n];
		byte[] b = new byte[n];
		float[] fct = new float[n], fb = new float[n];
		for (int i = 0; i < n; i++) {
			fct[i] = ct[i] = (short) (r.nextInt(4000) - 1024);
			fb[i] = b[i] = (byte) (r.nextInt(256) - 128);
		}
		Calibration cal = Calibration.uncalibrated(2);
		double[][] a = Normalization.percentile().affine(new Volume<>(ArrayImgs.shorts(ct, 100, 50, 1), cal));
		double lo = reference(fct, 1), hi = reference(fct, 99.8);
		assertEquals(-lo / (hi - lo), a[1][0], 1e-12);
		a = Normalization.percentile().affine(new Volume<>(ArrayImgs.bytes(b, 100, 50, 1), cal));
		lo = reference(fb, 1);
		hi = reference(fb, 99.8);
		assertEquals(-lo / (hi - lo), a[1][0], 1e-12);
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
