package io.github.unetseg.tensorflow;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Boundary-aware segmentation losses on softmax probabilities, for multi-class (softmax) models. All
 * take {@code [N, K]} tensors: N voxels of a batch (any spatial shape, flattened), K classes with
 * background in column 0. The distance maps come from {@code data.DistanceMaps} and are constants
 * (no gradient flows into them).
 *
 * <ul>
 * <li>{@link #boundary}: Kervadec et al., "Boundary loss for highly unbalanced segmentation", MIDL
 * 2019 (reference code {@code LIVIAETS/boundary-loss}, {@code SurfaceLoss}): the mean over voxels and
 * foreground classes of {@code phi_k p_k}, phi the signed distance map of the ground truth (negative
 * inside); minimal when each class's probability mass lies inside its region.</li>
 * <li>{@link #hausdorffDt}: Karimi and Salcudean, "Reducing the Hausdorff distance in medical image
 * segmentation with convolutional neural networks", IEEE TMI 39(2), 2020, the distance-transform loss
 * {@code mean((p - g)^2 (d_G^alpha + d_S^alpha))} over voxels and foreground classes, alpha = 2, d_G and
 * d_S the distances to the boundary of the ground truth and of the current prediction.</li>
 * <li>{@link #lovaszSoftmax}: Berman et al., "The Lovasz-Softmax loss", CVPR 2018 (reference code
 * {@code bermanmaxim/LovaszSoftmax}, {@code lovasz_softmax(classes='present', per_image=False)}): per
 * class with voxels in the batch, the Lovasz extension of the Jaccard loss applied to the errors
 * {@code |g - p|}, averaged over those classes (background included, as the reference).</li>
 * </ul>
 */
public final class BoundaryLosses {

	private BoundaryLosses() {}

	/**
	 * @param tf op builder
	 * @param probabilities softmax output {@code [N, K]}
	 * @param signedDistance signed distance maps {@code [N, K]} (voxels; column 0 and absent classes 0)
	 * @param channels K
	 * @return the scalar boundary loss (can be negative)
	 */
	public static Operand<TFloat32> boundary(Ops tf, Operand<TFloat32> probabilities, Operand<TFloat32> signedDistance, int channels) {
		Operand<TFloat32> p = foreground(tf, probabilities, channels), phi = foreground(tf, tf.stopGradient(signedDistance), channels);
		return tf.math.mean(tf.math.mul(p, phi), tf.constant(new int[] { 0, 1 }));
	}

	/**
	 * @param tf op builder
	 * @param probabilities softmax output {@code [N, K]}
	 * @param target one-hot ground truth {@code [N, K]}
	 * @param distanceWeight {@code d_G^2 + d_S^2} per voxel and class {@code [N, K]}, from
	 *     {@code DistanceMaps.toBoundary} of the ground truth and of the current prediction's argmax
	 * @param channels K
	 * @return the scalar loss, &gt;= 0
	 */
	public static Operand<TFloat32> hausdorffDt(Ops tf, Operand<TFloat32> probabilities, Operand<TFloat32> target,
		Operand<TFloat32> distanceWeight, int channels)
	{
		Operand<TFloat32> e = tf.math.square(tf.math.sub(foreground(tf, probabilities, channels), foreground(tf, target, channels)));
		return tf.math.mean(tf.math.mul(e, foreground(tf, tf.stopGradient(distanceWeight), channels)), tf.constant(new int[] { 0, 1 }));
	}

	/**
	 * The loss is piecewise linear in the errors: for the errors' current order it is
	 * {@code sum_i w_i e_i} with weights from the ground truth alone (Berman et al.'s
	 * {@code lovasz_grad} of the sorted truth). The order is found with {@code TopKV2} on the errors
	 * without gradient and the weights are scattered back, so the gradient reaches the probabilities
	 * through {@code e} only: the same value and gradient as the reference's sort-and-dot.
	 *
	 * @param tf op builder
	 * @param probabilities softmax output {@code [N, K]}
	 * @param target one-hot ground truth {@code [N, K]}
	 * @param channels K
	 * @return the scalar loss in {@code [0, 1]}; 0 when no class has voxels
	 */
	public static Operand<TFloat32> lovaszSoftmax(Ops tf, Operand<TFloat32> probabilities, Operand<TFloat32> target, int channels) {
		List<Operand<TFloat32>> losses = new ArrayList<>(), present = new ArrayList<>();
		for (int k = 0; k < channels; k++) {
			Operand<TFloat32> g = column(tf, target, k), e = tf.math.abs(tf.math.sub(g, column(tf, probabilities, k)));
			Operand<TInt32> n = tf.size(e);
			Operand<TInt32> order = tf.nn.topK(tf.stopGradient(e), n, TInt32.class).indices();
			Operand<TFloat32> gs = tf.gather(g, order, tf.constant(0));
			Operand<TFloat32> gts = tf.sum(gs, tf.constant(0));
			Operand<TFloat32> inter = tf.math.sub(gts, tf.math.cumsum(gs, tf.constant(0), Cumsum.exclusive(false)));
			Operand<TFloat32> union = tf.math.add(gts, tf.math.cumsum(tf.math.sub(tf.constant(1f), gs), tf.constant(0)));
			Operand<TFloat32> jaccard = tf.math.sub(tf.constant(1f), tf.math.div(inter, tf.math.maximum(union, tf.constant(1e-12f))));
			// lovasz_grad: jaccard[1:] - jaccard[:-1], jaccard[0] kept
			Operand<TFloat32> previous = tf.concat(List.of(tf.constant(new float[] { 0f }), tf.slice(jaccard, tf.constant(new int[] { 0 }),
				tf.reshape(tf.math.sub(n, tf.constant(1)), tf.constant(new int[] { 1 })))), tf.constant(0));
			Operand<TFloat32> sortedWeights = tf.math.sub(jaccard, previous);
			Operand<TFloat32> weights = tf.stopGradient(tf.scatterNd(tf.expandDims(order, tf.constant(1)), sortedWeights,
				tf.reshape(n, tf.constant(new int[] { 1 }))));
			losses.add(tf.sum(tf.math.mul(weights, e), tf.constant(0)));
			present.add(tf.dtypes.cast(tf.math.greater(gts, tf.constant(0f)), TFloat32.class));
		}
		Operand<TFloat32> l = tf.stack(losses), p = tf.stack(present);
		return tf.math.div(tf.sum(tf.math.mul(l, p), tf.constant(0)), tf.math.maximum(tf.sum(p, tf.constant(0)), tf.constant(1f)));
	}

	/** Columns 1..K-1 of {@code [N, K]}. */
	private static Operand<TFloat32> foreground(Ops tf, Operand<TFloat32> t, int channels) {
		return tf.slice(t, tf.constant(new int[] { 0, 1 }), tf.constant(new int[] { -1, channels - 1 }));
	}

	/** Column k of {@code [N, K]} as {@code [N]}. */
	private static Operand<TFloat32> column(Ops tf, Operand<TFloat32> t, int k) {
		return tf.reshape(tf.slice(t, tf.constant(new int[] { 0, k }), tf.constant(new int[] { -1, 1 })), tf.constant(new int[] { -1 }));
	}
}
