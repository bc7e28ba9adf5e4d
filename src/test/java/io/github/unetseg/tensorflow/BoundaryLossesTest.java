package io.github.unetseg.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import io.github.unetseg.data.DistanceMaps;

/**
 * The boundary-aware losses: values against direct Java implementations of the papers' reference code,
 * and gradients (through the softmax, with respect to the logits) against central finite differences.
 */
class BoundaryLossesTest {

	static final int N = 24, K = 3;
	static final int[] SIZE = { 6, 4, 1 };
	static float[] logits, oneHot, phi, weight;
	static short[] labels;

	static {
		Random r = new Random(7);
		labels = new short[N];
		// a 6 x 4 patch: class 1 a block, class 2 a line, the rest background
		for (int y = 0; y < 4; y++)
			for (int x = 0; x < 6; x++) labels[x + 6 * y] = (short) (x >= 1 && x <= 3 && y >= 1 && y <= 2 ? 1 : x == 5 ? 2 : 0);
		logits = new float[N * K];
		for (int i = 0; i < logits.length; i++) logits[i] = (float) (r.nextGaussian() * 1.5);
		oneHot = new float[N * K];
		for (int i = 0; i < N; i++) oneHot[i * K + labels[i]] = 1;
		phi = DistanceMaps.signed(labels, SIZE, K);
		// a stand-in for d_G^2 + d_S^2 with d_S from another labelling
		float[] dg = DistanceMaps.toBoundary(labels, SIZE, K);
		short[] other = labels.clone();
		other[0] = 1;
		other[11] = 0;
		float[] ds = DistanceMaps.toBoundary(other, SIZE, K);
		weight = new float[N * K];
		for (int i = 0; i < weight.length; i++) weight[i] = dg[i] * dg[i] + ds[i] * ds[i];
	}

	@Test
	void distanceMapsOfALine() {
		short[] line = { 0, 0, 1, 1, 1, 0 };
		assertArrayEquals(new float[] { 2, 1, 0, -1, 0, 1 }, column(DistanceMaps.signed(line, new int[] { 6, 1, 1 }, 2), 2, 1), 1e-6f);
		assertArrayEquals(new float[] { 2, 1, 1, 2, 1, 1 }, column(DistanceMaps.toBoundary(line, new int[] { 6, 1, 1 }, 2), 2, 1), 1e-6f);
		assertArrayEquals(new float[6], column(DistanceMaps.signed(line, new int[] { 6, 1, 1 }, 2), 2, 0), "background gets zeros");
		assertArrayEquals(new float[6 * 3], DistanceMaps.signed(new short[6], new int[] { 6, 1, 1 }, 3), "absent classes get zeros");
	}

	@Test
	void batchMapsForEachLoss() {
		short[] other = labels.clone();
		other[0] = 1;
		short[] two = new short[2 * N], pred = new short[2 * N];
		System.arraycopy(labels, 0, two, 0, N);
		System.arraycopy(labels, 0, two, N, N);
		System.arraycopy(other, 0, pred, 0, N);
		System.arraycopy(labels, 0, pred, N, N);
		// the second patch's case did not annotate class 2: its maps are zero there
		float[] annotated = { 1, 1, 1, 1, 1, 0 };
		float[] b = DistanceMaps.forLoss("dice_ce_boundary", two, null, annotated, 2, SIZE, K);
		float[] h = DistanceMaps.forLoss("dice_ce_hd", two, pred, null, 2, SIZE, K);
		float[] dg = DistanceMaps.toBoundary(labels, SIZE, K), ds = DistanceMaps.toBoundary(other, SIZE, K);
		for (int i = 0; i < N * K; i++) {
			assertEquals(phi[i], b[i], 0f);
			assertEquals(i % K == 2 ? 0 : phi[i], b[N * K + i], 0f, "unannotated class 2");
			assertEquals(dg[i] * dg[i] + ds[i] * ds[i], h[i], 1e-4f);
			assertEquals(2 * dg[i] * dg[i], h[N * K + i], 1e-4f);
		}
	}

	@Test
	void valuesMatchTheReferenceFormulas() {
		double[][] p = softmax(logits);
		double boundary = 0, hd = 0;
		for (int i = 0; i < N; i++)
			for (int k = 1; k < K; k++) {
				boundary += phi[i * K + k] * p[i][k];
				hd += Math.pow(p[i][k] - oneHot[i * K + k], 2) * weight[i * K + k];
			}
		assertEquals(boundary / (N * (K - 1)), eval("boundary", logits), 1e-5);
		assertEquals(hd / (N * (K - 1)), eval("hd", logits), 1e-4);
		assertEquals(lovaszReference(p), eval("lovasz", logits), 1e-5);
	}

	/** Kervadec's schedule: the fed weights scale the region and boundary terms, and move 0.01 per epoch from one to the other. */
	@Test
	void theRebalancedLossWeighsItsTermsAsScheduled() {
		assertArrayEquals(new double[] { 1, 0.01 }, io.github.unetseg.model.TrainingConfig.boundaryWeights(0), 1e-12);
		assertArrayEquals(new double[] { 0.95, 0.06 }, io.github.unetseg.model.TrainingConfig.boundaryWeights(5), 1e-12);
		assertArrayEquals(new double[] { 0.1, 0.91 }, io.github.unetseg.model.TrainingConfig.boundaryWeights(90), 1e-12);
		assertArrayEquals(new double[] { 0.1, 2.01 }, io.github.unetseg.model.TrainingConfig.boundaryWeights(200), 1e-12);
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Operand<TFloat32> z = tf.constant(Shape.of(1, 4, 6, K), DataBuffers.of(logits));
			Operand<TFloat32> y = tf.constant(Shape.of(1, 4, 6, K), DataBuffers.of(oneHot));
			Operand<TFloat32> d = tf.constant(Shape.of(1, 4, 6, K), DataBuffers.of(phi));
			Operand<TFloat32> region = Losses.build(tf, "dice_ce", z, y, K, null);
			Operand<TFloat32> term = Losses.withBoundaryTerm(tf, "dice_ce_boundary", tf.constant(0f), z, y, K, d, 1);
			Operand<TFloat32> mixed = Losses.rebalanced(tf, "dice_ce_boundary", region, z, y, K, d, tf.constant(0.95f), tf.constant(0.06f));
			try (Result r = s.runner().fetch(region).fetch(term).fetch(mixed).run()) {
				float a = ((TFloat32) r.get(0)).getFloat(), b = ((TFloat32) r.get(1)).getFloat();
				assertEquals(eval("boundary", logits), b, 1e-5);
				assertEquals(0.95 * a + 0.06 * b, ((TFloat32) r.get(2)).getFloat(), 1e-5);
			}
		}
	}

	@Test
	void lovaszIsATrainingLossOfSoftmaxModels() {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			// the training graph's layout [batch, y, x, K]
			Operand<TFloat32> z = tf.constant(Shape.of(2, 3, 4, K), DataBuffers.of(logits));
			Operand<TFloat32> y = tf.constant(Shape.of(2, 3, 4, K), DataBuffers.of(oneHot));
			try (Result r = s.runner().fetch(Losses.build(tf, "lovasz", z, y, K, null)).run()) {
				assertEquals(lovaszReference(softmax(logits)), ((TFloat32) r.get(0)).getFloat(), 1e-5);
			}
			IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
				() -> Losses.build(tf, "lovasz", tf.constant(new float[2][1]), tf.constant(new float[2][1]), 1, null));
			assertTrue(e.getMessage().contains("3 or more classes"), e.getMessage());
		}
	}

	@Test
	void gradientsMatchFiniteDifferences() {
		for (String loss : new String[] { "boundary", "hd", "lovasz" }) {
			float[] analytic = gradient(loss, logits);
			double eps = 1e-3;
			for (int j = 0; j < logits.length; j++) {
				float[] plus = logits.clone(), minus = logits.clone();
				plus[j] += (float) eps;
				minus[j] -= (float) eps;
				double numeric = (eval(loss, plus) - eval(loss, minus)) / (2 * eps);
				assertEquals(numeric, analytic[j], 2e-3 + 0.02 * Math.abs(numeric), loss + " d/d logit " + j);
			}
			assertTrue(Arrays.stream(box(analytic)).anyMatch(v -> Math.abs(v) > 1e-4), loss + " has a gradient");
		}
	}

	/** Berman et al.'s lovasz_softmax(classes='present', per_image=False), in Java. */
	private static double lovaszReference(double[][] p) {
		double sum = 0;
		int present = 0;
		for (int k = 0; k < K; k++) {
			final int c = k;
			double[] e = new double[N];
			double[] g = new double[N];
			for (int i = 0; i < N; i++) {
				g[i] = oneHot[i * K + c];
				e[i] = Math.abs(g[i] - p[i][c]);
			}
			if (Arrays.stream(g).sum() == 0) continue;
			present++;
			Integer[] order = IntStream.range(0, N).boxed().sorted(Comparator.comparingDouble(i -> -e[i])).toArray(Integer[]::new);
			double gts = Arrays.stream(g).sum(), cum = 0, cumNeg = 0, prev = 0;
			for (int r = 0; r < N; r++) {
				int i = order[r];
				cum += g[i];
				cumNeg += 1 - g[i];
				double jac = 1 - (gts - cum) / (gts + cumNeg);
				sum += e[i] * (jac - prev);
				prev = jac;
			}
		}
		return sum / Math.max(1, present);
	}

	private static Operand<TFloat32> loss(Ops tf, String name, Operand<TFloat32> z) {
		Operand<TFloat32> p = tf.nn.softmax(z);
		Operand<TFloat32> y = tf.constant(Shape.of(N, K), DataBuffers.of(oneHot));
		return switch (name) {
			case "boundary" -> BoundaryLosses.boundary(tf, p, tf.constant(Shape.of(N, K), DataBuffers.of(phi)), K);
			case "hd" -> BoundaryLosses.hausdorffDt(tf, p, y, tf.constant(Shape.of(N, K), DataBuffers.of(weight)), K);
			default -> BoundaryLosses.lovaszSoftmax(tf, p, y, K);
		};
	}

	private static double eval(String name, float[] z) {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Operand<TFloat32> l = loss(tf, name, tf.constant(Shape.of(N, K), DataBuffers.of(z)));
			try (Result r = s.runner().fetch(l).run()) {
				return ((TFloat32) r.get(0)).getFloat();
			}
		}
	}

	private static float[] gradient(String name, float[] z) {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N, K)));
			Operand<TFloat32> l = loss(tf, name, x);
			Output<?>[] d = g.addGradients(l.asOutput(), new Output<?>[] { x.asOutput() });
			try (TFloat32 in = TFloat32.tensorOf(Shape.of(N, K), DataBuffers.of(z)); Result r = s.runner().feed(x, in).fetch(d[0]).run()) {
				float[] out = new float[N * K];
				((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
				return out;
			}
		}
	}

	private static double[][] softmax(float[] z) {
		double[][] p = new double[N][K];
		for (int i = 0; i < N; i++) {
			double s = 0;
			for (int k = 0; k < K; k++) s += p[i][k] = Math.exp(z[i * K + k]);
			for (int k = 0; k < K; k++) p[i][k] /= s;
		}
		return p;
	}

	private static float[] column(float[] maps, int classes, int k) {
		float[] c = new float[maps.length / classes];
		for (int i = 0; i < c.length; i++) c[i] = maps[i * classes + k];
		return c;
	}

	private static Double[] box(float[] v) {
		Double[] b = new Double[v.length];
		for (int i = 0; i < v.length; i++) b[i] = (double) v[i];
		return b;
	}
}
