package io.github.unetseg.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The marginal losses for partial labels (Shi et al. 2021) against values computed by hand: with
 * every class annotated they equal the ordinary losses; with a class missing, its probability counts
 * as background.
 */
class MarginalLossTest {

	/** Two samples of two voxels, three classes: logits and labels. */
	private static final float[] LOGITS = { 2, 0, 1, /**/ -1, 3, 0.5f, /**/ 0.2f, 0.1f, 2.5f, /**/ 1, 1, -2 };
	private static final float[] ONE_HOT = { 1, 0, 0, /**/ 0, 1, 0, /**/ 1, 0, 0, /**/ 0, 1, 0 };

	private static float eval(String loss, float[] present, boolean marginal) {
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Operand<TFloat32> z = tf.constant(Shape.of(2, 2, 1, 3), DataBuffers.of(LOGITS));
			Operand<TFloat32> y = tf.constant(Shape.of(2, 2, 1, 3), DataBuffers.of(ONE_HOT));
			Operand<TFloat32> l = marginal ? Losses.marginal(tf, loss, z, y, 3, tf.constant(Shape.of(2, 3), DataBuffers.of(present)))
				: Losses.build(tf, loss, z, y, 3, null);
			try (Result r = s.runner().fetch(l).run()) {
				return ((TFloat32) r.get(0)).getFloat();
			}
		}
	}

	private static double[] softmax(int voxel) {
		double[] e = new double[3];
		double sum = 0;
		for (int k = 0; k < 3; k++) sum += e[k] = Math.exp(LOGITS[3 * voxel + k]);
		for (int k = 0; k < 3; k++) e[k] /= sum;
		return e;
	}

	@Test
	void withEveryClassAnnotatedTheLossesAreTheOrdinaryOnes() {
		float[] all = { 1, 1, 1, 1, 1, 1 };
		for (String loss : new String[] { "ce", "dice", "dice_ce", "focal", "dice_focal", "lovasz" })
			assertEquals(eval(loss, null, false), eval(loss, all, true), 1e-5, loss);
	}

	@Test
	void anUnannotatedClassCountsAsBackground() {
		// sample 2 (voxels 2 and 3) did not annotate class 1: its voxel 3 label 1 is not allowed there, so use sample 1 absent class 2
		float[] present = { 1, 1, 0, 1, 1, 1 };
		double ce = 0, focal = 0;
		for (int v = 0; v < 4; v++) {
			double[] p = softmax(v);
			int label = v == 0 || v == 2 ? 0 : 1;
			double q = label == 0 ? p[0] + (v < 2 ? p[2] : 0) : p[label];
			ce -= Math.log(q);
			focal -= (1 - q) * (1 - q) * Math.log(q);
		}
		assertEquals(ce / 4, eval("ce", present, true), 1e-5);
		assertEquals(focal / 4, eval("focal", present, true), 1e-5);
		// Dice over classes 1 and 2: class 2's probabilities count only in sample 2 (voxels 2, 3)
		double inter1 = 0, p1 = 0, inter2 = 0, p2 = 0;
		for (int v = 0; v < 4; v++) {
			double[] p = softmax(v);
			int label = v == 0 || v == 2 ? 0 : 1;
			if (label == 1) inter1 += p[1];
			p1 += p[1];
			if (v >= 2) p2 += p[2];
		}
		double dice1 = (2 * inter1 + 1) / (p1 + 2 + 1);
		// class 2 has no voxel in the batch: left out of the mean (it would only reward predicting it nowhere)
		assertTrue(p2 > 0 && inter2 == 0);
		assertEquals(1 - dice1, eval("dice", present, true), 1e-5);
		assertEquals(ce / 4 + 1 - dice1, eval("dice_ce", present, true), 1e-5);
		assertEquals(focal / 4 + 1 - dice1, eval("dice_focal", present, true), 1e-5);
	}

	@Test
	void otherLossesAreRefusedWithPartialLabels() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> eval("weighted_ce", new float[6], true));
		assertEquals(true, e.getMessage().contains("dice_ce, ce, dice, focal, dice_focal or lovasz"), e.getMessage());
	}
}
