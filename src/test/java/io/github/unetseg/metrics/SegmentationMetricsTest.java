package io.github.unetseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Metrics with answers computed by hand. */
class SegmentationMetricsTest {

	static final double[] ANISO = { 0.5, 0.5, 2.0 };

	static short[] empty(int[] dims) {
		int n = 1;
		for (int d : dims) n *= d;
		return new short[n];
	}

	static void set(short[] a, int[] dims, int label, int... p) {
		int i = 0, stride = 1;
		for (int d = 0; d < dims.length; d++) {
			i += p[d] * stride;
			stride *= dims[d];
		}
		a[i] = (short) label;
	}

	static void box(short[] a, int[] dims, int label, int[] lo, int[] hi) {
		for (int z = lo[2]; z < hi[2]; z++)
			for (int y = lo[1]; y < hi[1]; y++)
				for (int x = lo[0]; x < hi[0]; x++) set(a, dims, label, x, y, z);
	}

	static ClassMetrics one(short[] p, short[] t, int[] dims, double[] s, double tol) {
		return SegmentationMetrics.compute(p, t, dims, s, new int[] { 1 }, tol).get(0);
	}

	@Test
	void singleVoxelsOffsetAlongEachAxisWithAnisotropicSpacing() {
		int[] dims = { 10, 10, 10 };
		for (int axis = 0; axis < 3; axis++) {
			short[] p = empty(dims), t = empty(dims);
			int[] a = { 4, 4, 4 }, b = { 4, 4, 4 };
			b[axis] += 3;
			set(p, dims, 1, a);
			set(t, dims, 1, b);
			ClassMetrics m = one(p, t, dims, ANISO, 1.0);
			double expected = 3 * ANISO[axis];
			assertEquals(0, m.dice());
			assertEquals(expected, m.hausdorff(), 1e-6);
			assertEquals(expected, m.hd95(), 1e-6);
			assertEquals(expected, m.assd(), 1e-6);
			assertEquals(expected <= 1.0 ? 1 : 0, m.surfaceDice(), 0);
			assertEquals(0.5 * 0.5 * 2.0, m.predictedVolume(), 1e-12);
			assertEquals("ok", m.status());
		}
	}

	@Test
	void parallelLinesAreAtTheirSpacing() {
		int[] dims = { 30, 20 };
		short[] p = empty(dims), t = empty(dims);
		for (int x = 5; x < 25; x++) {
			set(p, dims, 1, x, 10);
			set(t, dims, 1, x, 13);
		}
		ClassMetrics m = one(p, t, dims, new double[] { 0.5, 1.5 }, 4.0);
		assertEquals(4.5, m.hausdorff(), 1e-6);
		assertEquals(4.5, m.hd95(), 1e-6);
		assertEquals(4.5, m.assd(), 1e-6);
		assertEquals(0, m.surfaceDice(), 0);
		assertEquals(1, one(p, t, dims, new double[] { 0.5, 1.5 }, 4.5).surfaceDice(), 0);
	}

	@Test
	void parallelPlanesIn3D() {
		int[] dims = { 12, 12, 12 };
		short[] p = empty(dims), t = empty(dims);
		box(p, dims, 1, new int[] { 0, 0, 3 }, new int[] { 12, 12, 4 });
		box(t, dims, 1, new int[] { 0, 0, 7 }, new int[] { 12, 12, 8 });
		ClassMetrics m = one(p, t, dims, ANISO, 1);
		assertEquals(8.0, m.hausdorff(), 1e-6);
		assertEquals(8.0, m.assd(), 1e-6);
		assertEquals(0, m.dice());
	}

	@Test
	void cubeShiftedByTwoVoxelsHasHausdorffTwoAndKnownOverlap() {
		int[] dims = { 30, 30, 30 };
		short[] p = empty(dims), t = empty(dims);
		box(p, dims, 1, new int[] { 10, 10, 10 }, new int[] { 20, 20, 20 });
		box(t, dims, 1, new int[] { 12, 10, 10 }, new int[] { 22, 20, 20 });
		ClassMetrics m = one(p, t, dims, new double[] { 1, 1, 1 }, 1);
		// overlap 8 x 10 x 10 of two 1000-voxel cubes
		assertEquals(2 * 800.0 / 2000, m.dice(), 1e-12);
		assertEquals(800.0 / 1200, m.iou(), 1e-12);
		assertEquals(2.0, m.hausdorff(), 1e-6);
		assertEquals(1000, m.predictedVolume(), 1e-9);
		assertEquals(0, m.volumeDifference(), 1e-9);
	}

	@Test
	void concentricSpheresAreTheirRadiusDifferenceApart() {
		int[] dims = { 41, 41, 41 };
		short[] p = empty(dims), t = empty(dims);
		for (int z = 0; z < 41; z++)
			for (int y = 0; y < 41; y++)
				for (int x = 0; x < 41; x++) {
					double r = Math.sqrt((x - 20) * (x - 20) + (y - 20) * (y - 20) + (z - 20) * (z - 20));
					if (r <= 10) set(p, dims, 1, x, y, z);
					if (r <= 15) set(t, dims, 1, x, y, z);
				}
		ClassMetrics m = one(p, t, dims, new double[] { 1, 1, 1 }, 1);
		// boundary voxels lie within one voxel inside the spheres: distances 5 +- 1
		assertEquals(5, m.hausdorff(), 1.0);
		assertEquals(5, m.assd(), 0.6);
		// the small ball lies inside the large one: TP = |small|, FN = |large| - |small|
		assertEquals(2.0 * count(p) / (count(p) + count(t)), m.dice(), 1e-12);
		assertEquals(1.0, m.precision(), 0);
	}

	static int count(short[] a) {
		int c = 0;
		for (short v : a) if (v == 1) c++;
		return c;
	}

	@Test
	void hd95IsTheLargerOfTheTwoDirectedPercentiles() {
		double[] a = new double[20], b = new double[10];
		for (int i = 0; i < 20; i++) a[i] = i;
		for (int i = 0; i < 10; i++) b[i] = i;
		SurfaceDistances s = new SurfaceDistances(a, b);
		// numpy.percentile(range(20), 95) = 18.05, numpy.percentile(range(10), 95) = 8.55
		assertEquals(18.05, s.percentileHausdorff(95), 1e-12);
		assertEquals(19, s.hausdorff(), 0);
		assertEquals((190.0 + 45.0) / 30, s.assd(), 1e-12);
		assertEquals((6 + 6) / 30.0, s.surfaceDice(5), 1e-12);
	}

	@Test
	void emptyMasksFollowTheDocumentedConvention() {
		int[] dims = { 8, 8 };
		short[] p = empty(dims), t = empty(dims);
		ClassMetrics both = one(p, t, dims, new double[] { 1, 1 }, 1);
		assertEquals("both empty", both.status());
		assertTrue(Double.isNaN(both.dice()) && Double.isNaN(both.hausdorff()) && Double.isNaN(both.surfaceDice()));
		set(t, dims, 1, 3, 3);
		ClassMetrics predEmpty = one(p, t, dims, new double[] { 1, 1 }, 1);
		assertEquals("prediction empty", predEmpty.status());
		assertEquals(0, predEmpty.dice());
		assertEquals(Double.POSITIVE_INFINITY, predEmpty.hausdorff());
		assertEquals(Double.POSITIVE_INFINITY, predEmpty.hd95());
		assertEquals(0, predEmpty.surfaceDice());
		ClassMetrics truthEmpty = one(t, p, dims, new double[] { 1, 1 }, 1);
		assertEquals("truth empty", truthEmpty.status());
	}

	@Test
	void multiclassWithAnAbsentClass() {
		int[] dims = { 20, 20 };
		short[] p = empty(dims), t = empty(dims);
		for (int y = 2; y < 8; y++) for (int x = 2; x < 8; x++) {
			set(p, dims, 1, x, y);
			set(t, dims, 1, x, y);
		}
		for (int y = 12; y < 16; y++) for (int x = 12; x < 16; x++) set(t, dims, 2, x, y);
		List<ClassMetrics> m = SegmentationMetrics.compute(p, t, dims, new double[] { 1, 1 }, new int[] { 1, 2, 3 }, 1);
		assertEquals(1.0, m.get(0).dice());
		assertEquals(0, m.get(0).hausdorff());
		assertEquals("prediction empty", m.get(1).status());
		assertEquals(16, m.get(1).trueVolume(), 0);
		assertEquals("both empty", m.get(2).status());
		assertTrue(Double.isNaN(m.get(2).dice()));
	}

	@Test
	void boundaryIsForegroundWithABackgroundFaceNeighbour() {
		int[] dims = { 5, 5 };
		byte[] m = new byte[25];
		for (int y = 0; y < 4; y++) for (int x = 1; x < 4; x++) m[y * 5 + x] = 1;
		byte[] e = SurfaceDistances.boundary(m, dims);
		// interior voxels (2,1) and (2,2) have all 4 neighbours inside; row y=0 touches the image border
		int count = 0;
		for (byte v : e) count += v;
		assertEquals(12 - 2, count);
		assertEquals(0, e[1 * 5 + 2]);
		assertEquals(1, e[0 * 5 + 2]);
	}
}
