package io.github.unetseg.tensorflow;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Segmentation losses as TensorFlow graph ops, over logits {@code [batch, (z,) y, x, K]} and targets
 * of the same shape: one-hot class indicators for multiclass models (K = classes, softmax), the
 * foreground indicator for binary models (K = 1, sigmoid). All return a scalar mean over the batch.
 *
 * <ul>
 * <li>{@code ce}: cross-entropy (binary: numerically stable sigmoid form
 * {@code max(z, 0) - z y + log(1 + exp(-|z|))}; multiclass: {@code SoftmaxCrossEntropyWithLogits}).</li>
 * <li>{@code weighted_ce}: cross-entropy with a per-class weight on each voxel, normalised by the
 * summed weights.</li>
 * <li>{@code dice}: soft Dice over the batch ("batch Dice", nnU-Net), foreground classes only,
 * {@code 1 - mean_c (2 sum(p y) + 1) / (sum(p) + sum(y) + 1)} (Milletari et al. 2016); with several
 * classes the mean runs over the classes that have voxels in the batch (0 when none has).</li>
 * <li>{@code focal}: {@code -(1 - p_t)^2 log(p_t)} (Lin et al. 2017).</li>
 * <li>{@code dice_ce}: {@code dice + ce}, nnU-Net's default.</li>
 * <li>{@code dice_focal}: {@code dice + focal}, AnatomyNet's loss for small head-and-neck organs (Zhu et
 * al., "AnatomyNet", Medical Physics 46, 2019): the focal term gives the voxels of an organ the network
 * misses almost all of the cross-entropy's weight, where plain cross-entropy averages them away among
 * the easy background voxels.</li>
 * <li>{@code lovasz}: Lovasz-softmax (Berman et al. 2018, {@link BoundaryLosses#lovaszSoftmax}),
 * softmax models with 3 or more classes.</li>
 * </ul>
 *
 * <p>With a per-voxel weight map (instance models: the U-Net paper's eq. 2, which includes class
 * balancing), every cross-entropy term is {@code sum(w ce) / sum(w)} instead, and the class weights are
 * not used (Ronneberger et al., MICCAI 2015).
 *
 * <p>With partial labels (a per-sample mask of the annotated classes) the losses are marginal (Shi et
 * al., "Marginal loss and exclusion loss for partially supervised multi-organ segmentation", Medical
 * Image Analysis 70, 2021): in a sample where class {@code k} was not annotated, its probability is
 * merged into background's, {@code p'_0 = p_0 + sum_{k absent} p_k}, so predicting an unannotated organ
 * where background was "drawn" costs nothing; cross-entropy uses {@code log p'} (computed as a
 * difference of log-sum-exps), Dice leaves unannotated classes out of that sample's sums.
 */
public final class Losses {

	private Losses() {}

	/**
	 * Builds a loss.
	 *
	 * @param tf op builder
	 * @param name {@code ce}, {@code weighted_ce}, {@code dice}, {@code focal}, {@code dice_ce} or {@code dice_focal}
	 * @param logits network output before activation
	 * @param target one-hot (or foreground indicator) of the same shape
	 * @param channels K, the size of the last axis
	 * @param classWeights per-channel weights for {@code weighted_ce} (length K; for binary the
	 *     foreground weight, background weight 1), else ignored
	 * @return the scalar loss
	 * @throws IllegalArgumentException for an unknown name
	 */
	public static Operand<TFloat32> build(Ops tf, String name, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		float[] classWeights)
	{
		return build(tf, name, logits, target, channels, classWeights, null);
	}

	/**
	 * Builds a loss whose cross-entropy terms are weighted per voxel.
	 *
	 * @param tf op builder
	 * @param name {@code ce}, {@code weighted_ce}, {@code dice}, {@code focal}, {@code dice_ce} or {@code dice_focal}
	 * @param logits network output before activation, {@code [batch, (z,) y, x, K]}
	 * @param target one-hot (or foreground indicator) of the same shape
	 * @param channels K, the size of the last axis
	 * @param classWeights per-channel weights for {@code weighted_ce} without a weight map, else ignored
	 * @param voxelWeights weights {@code [batch, (z,) y, x]}, each &gt;= 0, or {@code null}
	 * @return the scalar loss
	 * @throws IllegalArgumentException for an unknown name
	 */
	public static Operand<TFloat32> build(Ops tf, String name, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		float[] classWeights, Operand<TFloat32> voxelWeights)
	{
		if (voxelWeights != null) {
			Operand<TFloat32> w = tf.reshape(voxelWeights, tf.constant(new int[] { -1 }));
			Operand<TFloat32> ce = tf.math.div(tf.sum(tf.math.mul(crossEntropyPerVoxel(tf, logits, target, channels), w), tf.constant(0)),
				tf.math.add(tf.sum(w, tf.constant(0)), tf.constant(1e-6f)));
			return switch (name) {
				case "ce", "weighted_ce", "focal" -> ce;
				case "dice" -> dice(tf, logits, target, channels);
				case "dice_ce", "dice_focal" -> tf.math.add(dice(tf, logits, target, channels), ce);
				default -> throw new IllegalArgumentException("unknown loss " + name);
			};
		}
		return switch (name) {
			case "ce" -> crossEntropy(tf, logits, target, channels, null);
			case "weighted_ce" -> crossEntropy(tf, logits, target, channels, classWeights);
			case "dice" -> dice(tf, logits, target, channels);
			case "focal" -> focal(tf, logits, target, channels);
			case "dice_ce" -> tf.math.add(dice(tf, logits, target, channels), crossEntropy(tf, logits, target, channels, null));
			case "dice_focal" -> tf.math.add(dice(tf, logits, target, channels), focal(tf, logits, target, channels));
			case "lovasz" -> lovasz(tf, logits, target, channels);
			default -> throw new IllegalArgumentException("unknown loss " + name);
		};
	}

	/**
	 * A boundary-aware loss: {@code dice_ce} (or its marginal form) plus a weighted boundary term.
	 *
	 * @param tf op builder
	 * @param name {@code dice_ce_boundary} ({@link BoundaryLosses#boundary}, with signed distance maps) or
	 *     {@code dice_ce_hd} ({@link BoundaryLosses#hausdorffDt}, with {@code d_G^2 + d_S^2})
	 * @param region the Dice + CE loss of the same batch
	 * @param logits network output before activation, {@code [batch, (z,) y, x, K]}
	 * @param target one-hot of the same shape
	 * @param channels K &gt;= 3
	 * @param distances the term's distance maps, same shape as {@code logits}
	 * @param weight the term's weight &gt;= 0, or NaN: scaled each step to the size of {@code region}
	 *     ({@code |region| / |term|} without gradient; Karimi and Salcudean balance their two terms so)
	 * @return the scalar loss
	 * @throws IllegalArgumentException for another name or fewer than 3 classes
	 */
	public static Operand<TFloat32> withBoundaryTerm(Ops tf, String name, Operand<TFloat32> region, Operand<TFloat32> logits,
		Operand<TFloat32> target, int channels, Operand<TFloat32> distances, double weight)
	{
		Operand<TFloat32> term = boundaryTerm(tf, name, logits, target, channels, distances);
		Operand<TFloat32> w = !Double.isNaN(weight) ? tf.constant((float) weight) : tf.math.div(tf.stopGradient(tf.math.abs(region)),
			tf.math.maximum(tf.stopGradient(tf.math.abs(term)), tf.constant(1e-6f)));
		return tf.math.add(region, tf.math.mul(w, term));
	}

	/**
	 * A boundary-aware loss whose two terms are weighted by scalars fed per step, as Kervadec et al.'s
	 * rebalancing schedule needs ({@code model.TrainingConfig#boundaryWeights(int)}):
	 * {@code regionWeight * region + termWeight * term}.
	 *
	 * @param tf op builder
	 * @param name {@code dice_ce_boundary} or {@code dice_ce_hd}
	 * @param region the Dice + CE loss of the same batch
	 * @param logits network output before activation, {@code [batch, (z,) y, x, K]}
	 * @param target one-hot of the same shape
	 * @param channels K &gt;= 3
	 * @param distances the term's distance maps, same shape as {@code logits}
	 * @param regionWeight scalar weight of {@code region}
	 * @param termWeight scalar weight of the boundary term
	 * @return the scalar loss
	 * @throws IllegalArgumentException for another name or fewer than 3 classes
	 */
	public static Operand<TFloat32> rebalanced(Ops tf, String name, Operand<TFloat32> region, Operand<TFloat32> logits,
		Operand<TFloat32> target, int channels, Operand<TFloat32> distances, Operand<TFloat32> regionWeight, Operand<TFloat32> termWeight)
	{
		Operand<TFloat32> term = boundaryTerm(tf, name, logits, target, channels, distances);
		return tf.math.add(tf.math.mul(regionWeight, region), tf.math.mul(termWeight, term));
	}

	private static Operand<TFloat32> boundaryTerm(Ops tf, String name, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		Operand<TFloat32> distances)
	{
		if (channels < 3)
			throw new IllegalArgumentException("loss " + name + " needs a softmax model with 3 or more classes. Fix: choose dice_ce.");
		Operand<TInt32> flat = tf.constant(new int[] { -1, channels });
		Operand<TFloat32> p = tf.reshape(tf.nn.softmax(logits), flat), t = tf.reshape(target, flat), d = tf.reshape(distances, flat);
		return switch (name) {
			case "dice_ce_boundary" -> BoundaryLosses.boundary(tf, p, d, channels);
			case "dice_ce_hd" -> BoundaryLosses.hausdorffDt(tf, p, t, d, channels);
			default -> throw new IllegalArgumentException("not a boundary-aware loss: " + name);
		};
	}

	private static Operand<TFloat32> lovasz(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target, int channels) {
		if (channels < 3)
			throw new IllegalArgumentException("loss lovasz (Lovasz-softmax) needs a softmax model with 3 or more classes; binary " +
				"models have a sigmoid output. Fix: choose dice_ce, or train with more classes.");
		Operand<TFloat32> p = tf.reshape(tf.nn.softmax(logits), tf.constant(new int[] { -1, channels }));
		return BoundaryLosses.lovaszSoftmax(tf, p, tf.reshape(target, tf.constant(new int[] { -1, channels })), channels);
	}

	/**
	 * Builds a marginal loss for partially labelled samples.
	 *
	 * @param tf op builder
	 * @param name {@code ce}, {@code dice}, {@code dice_ce}, {@code focal}, {@code dice_focal} or
	 *     {@code lovasz}; the focal terms use the marginal probability {@code p'_t}
	 * @param logits network output before activation, {@code [batch, (z,) y, x, K]}, K &gt;= 2 (softmax)
	 * @param target one-hot of the same shape; no voxel may carry a class that is absent in its sample
	 * @param channels K
	 * @param present {@code [batch, K]}: 1 where the class was annotated in that sample, else 0; column 0
	 *     (background) is 1
	 * @return the scalar loss
	 * @throws IllegalArgumentException for another loss name or a binary model
	 */
	public static Operand<TFloat32> marginal(Ops tf, String name, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		Operand<TFloat32> present)
	{
		if (channels < 2) throw new IllegalArgumentException("partial labels need a softmax model with at least 2 classes");
		return switch (name) {
			case "ce" -> tf.math.neg(tf.math.mean(marginalLogP(tf, logits, target, channels, present), tf.constant(new int[] { 0, 1 })));
			case "focal" -> marginalFocal(tf, logits, target, channels, present);
			case "dice" -> marginalDice(tf, logits, target, channels, present);
			case "dice_ce" -> tf.math.add(marginalDice(tf, logits, target, channels, present),
				marginal(tf, "ce", logits, target, channels, present));
			case "dice_focal" -> tf.math.add(marginalDice(tf, logits, target, channels, present),
				marginalFocal(tf, logits, target, channels, present));
			case "lovasz" -> marginalLovasz(tf, logits, target, channels, present);
			default -> throw new IllegalArgumentException("partial labels (--label-classes) need loss dice_ce, ce, dice, focal, " +
				"dice_focal or lovasz (or dice_ce_boundary, dice_ce_hd), got " + name);
		};
	}

	/** Lovasz-softmax on marginal probabilities: an unannotated class's probability counts as background's. */
	private static Operand<TFloat32> marginalLovasz(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		Operand<TFloat32> present)
	{
		if (channels < 3) return lovasz(tf, logits, target, channels);
		float[] first = new float[channels];
		first[0] = 1;
		Operand<TFloat32> p = perSample(tf, tf.nn.softmax(logits), present, channels);
		Operand<TFloat32> annotated = tf.expandDims(present, tf.constant(1));
		Operand<TFloat32> unannotated = tf.sum(tf.math.mul(p, tf.math.sub(tf.constant(1f), annotated)), tf.constant(-1),
			org.tensorflow.op.core.Sum.keepDims(true));
		Operand<TFloat32> merged = tf.math.add(tf.math.mul(p, annotated), tf.math.mul(unannotated, tf.constant(first)));
		Operand<TInt32> flat = tf.constant(new int[] { -1, channels });
		return BoundaryLosses.lovaszSoftmax(tf, tf.reshape(merged, flat), tf.reshape(target, flat), channels);
	}

	/** {@code [batch, voxels, K]}, keeping the batch axis. */
	private static Operand<TFloat32> perSample(Ops tf, Operand<TFloat32> t, Operand<TFloat32> present, int channels) {
		Operand<org.tensorflow.types.TInt32> batch = tf.slice(tf.shape(present), tf.constant(new int[] { 0 }), tf.constant(new int[] { 1 }));
		return tf.reshape(t, tf.concat(java.util.List.of(batch, tf.constant(new int[] { -1, channels })), tf.constant(0)));
	}

	/** Focal loss on the marginal probability: {@code mean(-(1 - p'_t)^2 log p'_t)}. */
	private static Operand<TFloat32> marginalFocal(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		Operand<TFloat32> present)
	{
		return focalOf(tf, marginalLogP(tf, logits, target, channels, present));
	}

	/** {@code mean(-(1 - p_t)^2 log p_t)} over every element of {@code logp}, the per-voxel {@code log p_t} (Lin et al. 2017). */
	private static Operand<TFloat32> focalOf(Ops tf, Operand<TFloat32> logp) {
		Operand<TFloat32> mod = tf.math.square(tf.math.sub(tf.constant(1f), tf.math.exp(logp)));
		return tf.math.neg(tf.math.mean(tf.reshape(tf.math.mul(mod, logp), tf.constant(new int[] { -1 })), tf.constant(0)));
	}

	/** {@code log p'_t} per voxel, {@code [batch, voxels]}: the log marginal probability of each voxel's label. */
	private static Operand<TFloat32> marginalLogP(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		Operand<TFloat32> present)
	{
		float[] first = new float[channels];
		first[0] = 1;
		Operand<TFloat32> e0 = tf.constant(first);
		Operand<TFloat32> z = perSample(tf, logits, present, channels), y = perSample(tf, target, present, channels);
		// background and the classes not annotated in the sample: [batch, 1, K]
		Operand<TFloat32> merge = tf.expandDims(tf.math.add(tf.math.sub(tf.constant(1f), present), e0), tf.constant(1));
		Operand<TFloat32> zmax = tf.max(z, tf.constant(-1), org.tensorflow.op.core.Max.keepDims(true));
		Operand<TFloat32> ez = tf.math.exp(tf.math.sub(z, zmax));
		Operand<TFloat32> lseAll = tf.math.add(zmax, tf.math.log(tf.sum(ez, tf.constant(-1), org.tensorflow.op.core.Sum.keepDims(true))));
		Operand<TFloat32> lseBg = tf.math.add(zmax, tf.math.log(tf.math.maximum(tf.sum(tf.math.mul(ez, merge), tf.constant(-1),
			org.tensorflow.op.core.Sum.keepDims(true)), tf.constant(1e-30f))));
		// z' = z for annotated foreground classes, log-sum-exp of the merged ones in the background column
		Operand<TFloat32> zm = tf.math.add(tf.math.mul(z, tf.math.sub(tf.constant(1f), e0)), tf.math.mul(lseBg, e0));
		return tf.math.sub(tf.sum(tf.math.mul(y, zm), tf.constant(-1)),
			tf.squeeze(lseAll, org.tensorflow.op.core.Squeeze.axis(java.util.List.of(-1L))));
	}

	private static Operand<TFloat32> marginalDice(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> target, int channels,
		Operand<TFloat32> present)
	{
		Operand<TFloat32> p = tf.math.mul(perSample(tf, tf.nn.softmax(logits), present, channels), tf.expandDims(present, tf.constant(1)));
		Operand<TFloat32> t = perSample(tf, target, present, channels);
		p = tf.reshape(p, tf.constant(new int[] { -1, channels }));
		t = tf.reshape(t, tf.constant(new int[] { -1, channels }));
		return diceOf(tf, p, t, channels);
	}

	private static Operand<TFloat32> crossEntropyPerVoxel(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y, int channels) {
		if (channels == 1) {
			Operand<TFloat32> ce = tf.math.add(tf.math.sub(tf.math.maximum(z, tf.constant(0f)), tf.math.mul(z, y)),
				tf.math.log(tf.math.add(tf.constant(1f), tf.math.exp(tf.math.neg(tf.math.abs(z))))));
			return tf.reshape(ce, tf.constant(new int[] { -1 }));
		}
		Operand<TFloat32> z2 = tf.reshape(z, tf.constant(new int[] { -1, channels }));
		Operand<TFloat32> y2 = tf.reshape(y, tf.constant(new int[] { -1, channels }));
		return tf.nn.softmaxCrossEntropyWithLogits(z2, y2).loss();
	}

	private static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y, int channels, float[] weights) {
		Operand<TFloat32> ce = crossEntropyPerVoxel(tf, z, y, channels);
		if (weights == null) return tf.math.mean(ce, tf.constant(0));
		Operand<TFloat32> w;
		if (channels == 1) {
			Operand<TFloat32> yf = tf.reshape(y, tf.constant(new int[] { -1 }));
			float fg = weights.length > 1 ? weights[1] / weights[0] : weights[0];
			w = tf.math.add(tf.constant(1f), tf.math.mul(yf, tf.constant(fg - 1)));
		}
		else {
			Operand<TFloat32> y2 = tf.reshape(y, tf.constant(new int[] { -1, channels }));
			w = tf.sum(tf.math.mul(y2, tf.constant(weights)), tf.constant(1));
		}
		return tf.math.div(tf.sum(tf.math.mul(ce, w), tf.constant(0)), tf.sum(w, tf.constant(0)));
	}

	private static Operand<TFloat32> probabilities(Ops tf, Operand<TFloat32> z, int channels) {
		return channels == 1 ? tf.math.sigmoid(z) : tf.nn.softmax(z);
	}

	private static Operand<TFloat32> dice(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y, int channels) {
		Operand<TFloat32> p = tf.reshape(probabilities(tf, z, channels), tf.constant(new int[] { -1, channels }));
		Operand<TFloat32> t = tf.reshape(y, tf.constant(new int[] { -1, channels }));
		return diceOf(tf, p, t, channels);
	}

	/** Batch soft Dice loss of probabilities and targets {@code [voxels, K]}, foreground classes only. */
	private static Operand<TFloat32> diceOf(Ops tf, Operand<TFloat32> p, Operand<TFloat32> t, int channels) {
		if (channels > 1) {
			// foreground classes only
			p = tf.slice(p, tf.constant(new int[] { 0, 1 }), tf.constant(new int[] { -1, channels - 1 }));
			t = tf.slice(t, tf.constant(new int[] { 0, 1 }), tf.constant(new int[] { -1, channels - 1 }));
		}
		Operand<TFloat32> inter = tf.sum(tf.math.mul(p, t), tf.constant(0));
		Operand<TFloat32> truth = tf.sum(t, tf.constant(0));
		Operand<TFloat32> denom = tf.math.add(tf.sum(p, tf.constant(0)), truth);
		Operand<TFloat32> d = tf.math.div(tf.math.add(tf.math.mul(inter, tf.constant(2f)), tf.constant(1f)),
			tf.math.add(denom, tf.constant(1f)));
		if (channels == 1) return tf.math.sub(tf.constant(1f), tf.math.mean(d, tf.constant(0)));
		// the mean over the classes that occur in the batch: a class with no voxel there would only reward predicting it
		// nowhere (d = 1 / (sum p + 1)), which keeps small organs from being learnt when most patches miss them; nnU-Net's
		// soft Dice (smooth 1e-5) gives such a class a constant, gradient-free term for the same reason
		Operand<TFloat32> occurs = tf.dtypes.cast(tf.math.greater(truth, tf.constant(0f)), TFloat32.class);
		return tf.math.div(tf.sum(tf.math.mul(tf.math.sub(tf.constant(1f), d), occurs), tf.constant(0)),
			tf.math.maximum(tf.sum(occurs, tf.constant(0)), tf.constant(1f)));
	}

	private static Operand<TFloat32> focal(Ops tf, Operand<TFloat32> z, Operand<TFloat32> y, int channels) {
		return focalOf(tf, tf.math.neg(crossEntropyPerVoxel(tf, z, y, channels)));
	}
}
