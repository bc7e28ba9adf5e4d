package io.github.unetseg.objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Instance decoding of a probability map streamed plane by plane in overlapping windows
 * ({@link StreamingInstanceDecoder}) gives the whole-image decoding ({@link InstanceDecoder}) exactly, with the
 * same numbering, in 2D (rows) and 3D (z planes), for touching objects lying across window borders.
 */
class StreamingInstanceDecoderTest {

	static final InstanceDecoder.Parameters P = new InstanceDecoder.Parameters(0.5, 0.6, 4);

	/**
	 * Probabilities {@code [channel][voxel]} of random balls of radius 2-{@code maxRadius} (touching pairs
	 * among them: a boundary band where balls meet), flat {@code [x, y(, z)]}.
	 */
	static float[] balls(int[] size, int count, int maxRadius, long seed) {
		int n = size[0] * size[1] * size[2];
		float[] p = new float[3 * n];
		int[] owner = new int[n];
		double[] dist = new double[n];
		java.util.Arrays.fill(dist, Double.MAX_VALUE);
		Random r = new Random(seed);
		double[][] c = new double[count][4];
		for (int k = 0; k < count; k++) {
			c[k][3] = 2 + r.nextInt(maxRadius - 1);
			if (k % 2 == 1) { // touching the ball before
				c[k][0] = c[k - 1][0] + c[k - 1][3] + c[k][3] - 1;
				c[k][1] = c[k - 1][1];
				c[k][2] = c[k - 1][2];
			}
			else for (int d = 0; d < 3; d++) c[k][d] = size[d] == 1 ? 0 : maxRadius + r.nextInt(Math.max(1, size[d] - 4 * maxRadius));
		}
		for (int z = 0, i = 0; z < size[2]; z++)
			for (int y = 0; y < size[1]; y++)
				for (int x = 0; x < size[0]; x++, i++)
					for (int k = 0; k < count; k++) {
						double d = Math.sqrt(sq(x - c[k][0]) + sq(y - c[k][1]) + sq(z - c[k][2])) / c[k][3];
						if (d <= 1 && d < dist[i]) {
							dist[i] = d;
							owner[i] = k + 1;
						}
					}
		for (int i = 0; i < n; i++) {
			if (owner[i] == 0) {
				p[i] = 0.95f;
				continue;
			}
			boolean edge = dist[i] > 0.6;
			p[i] = 0.05f;
			p[n + i] = edge ? 0.3f : 0.9f;
			p[2 * n + i] = 1 - p[i] - p[n + i];
		}
		return p;
	}

	static double sq(double v) {
		return v * v;
	}

	/** Streams the map plane by plane (planes along the last axis of {@code dims}) and returns the labels. */
	static int[] stream(float[] p, long[] dims, int window, int overlap, long[] counts) {
		int n = p.length / 3;
		int pv = (int) (n / dims[dims.length - 1]);
		int[] labels = new int[n];
		StreamingInstanceDecoder s = new StreamingInstanceDecoder(dims, P, window, overlap,
			(z, plane) -> System.arraycopy(plane, 0, labels, (int) z * pv, pv), null);
		float[] plane = new float[3 * pv];
		for (long z = 0; z < dims[dims.length - 1]; z++) {
			for (int c = 0; c < 3; c++) System.arraycopy(p, c * n + (int) z * pv, plane, c * pv, pv);
			s.plane(z, plane);
		}
		assertTrue(s.finished());
		counts[0] = s.count();
		counts[1] = s.cutObjects();
		return labels;
	}

	static InstanceDecoder.Instances whole(float[] p, int[] size) {
		int n = p.length / 3;
		return InstanceDecoder.decode(java.util.Arrays.copyOf(p, n), java.util.Arrays.copyOfRange(p, n, 2 * n), size, P);
	}

	@Test
	void rowsOf2dImageInWindowsEqualTheWholeImage() {
		int[] size = { 300, 240, 1 };
		float[] p = balls(size, 60, 6, 1);
		InstanceDecoder.Instances expected = whole(p, size);
		assertTrue(expected.count() > 40, "objects " + expected.count());
		for (int[] w : new int[][] { { 64, 32 }, { 50, 26 }, { 240, 32 }, { 1000, 32 } }) {
			long[] counts = new long[2];
			int[] got = stream(p, new long[] { 300, 240 }, w[0], w[1], counts);
			assertEquals(expected.count(), counts[0], "window " + w[0]);
			assertEquals(0, counts[1], "no object is taller than half the overlap");
			assertArrayEquals(expected.labels(), got, "window " + w[0] + ", overlap " + w[1]);
		}
	}

	@Test
	void planesOf3dVolumeInWindowsEqualTheWholeVolume() {
		int[] size = { 48, 40, 70 };
		float[] p = balls(size, 30, 4, 2);
		InstanceDecoder.Instances expected = whole(p, size);
		assertTrue(expected.count() > 20, "objects " + expected.count());
		long[] counts = new long[2];
		// overlapping balls merge into objects up to 14 planes tall: half the overlap must hold them
		int[] got = stream(p, new long[] { 48, 40, 70 }, 44, 32, counts);
		assertEquals(expected.count(), counts[0]);
		assertEquals(0, counts[1]);
		assertArrayEquals(expected.labels(), got);
	}

	@Test
	void anObjectTallerThanHalfTheOverlapIsKeptCutAndCounted() {
		int[] size = { 20, 100, 1 };
		int n = 2000;
		float[] p = new float[3 * n];
		for (int i = 0; i < n; i++) {
			int x = i % 20, y = i / 20;
			boolean bar = x >= 8 && x < 12 && y >= 10 && y < 70;
			p[i] = bar ? 0.05f : 0.95f;
			p[n + i] = bar ? 0.9f : 0;
		}
		long[] counts = new long[2];
		int[] got = stream(p, new long[] { 20, 100 }, 40, 16, counts);
		assertEquals(1, counts[0]);
		assertEquals(1, counts[1], "cut at the owning window's last plane");
		int labelled = 0;
		for (int v : got) labelled += v == 1 ? 1 : 0;
		assertEquals(4 * 30, labelled, "rows 10-39 of the bar: the first window's part");
		assertEquals(1, whole(p, size).count());
	}
}
