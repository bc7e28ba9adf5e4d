package io.github.unetseg.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * Hyperparameters of one training run. Defaults follow nnU-Net where it has one (a third of the
 * patches centred on foreground, polynomial learning-rate decay with exponent 0.9, Dice + cross-entropy),
 * with Adam instead of SGD as CSBDeep does.
 *
 * @param epochs number of epochs, &gt;= 1
 * @param stepsPerEpoch optimiser steps per epoch, &gt;= 1
 * @param batchSize patches per step, &gt;= 1
 * @param patchSize patch size {@code [x, y(, z)]} in pixels, multiples of 2<sup>depth</sup>
 * @param learningRate initial Adam learning rate, &gt; 0
 * @param epsilon Adam epsilon, &gt; 0
 * @param weightDecay decoupled weight decay (AdamW, Loshchilov and Hutter 2019) per step, relative to
 *     the learning rate, &gt;= 0
 * @param schedule {@code "constant"}, {@code "poly"} ({@code lr * (1 - epoch / epochs)^0.9}) or
 *     {@code "cosine"}
 * @param loss {@code "dice_ce"} (default), {@code "ce"}, {@code "weighted_ce"}, {@code "dice"},
 *     {@code "focal"}, {@code "dice_focal"} (Dice + focal, AnatomyNet's), {@code "lovasz"} (Lovasz-softmax),
 *     {@code "dice_ce_boundary"} (Dice + CE + Kervadec's boundary loss) or {@code "dice_ce_hd"} (Dice + CE +
 *     Karimi and Salcudean's distance-transform Hausdorff loss); the last three for softmax models (3 or more classes)
 * @param classWeights per output class weights for {@code "weighted_ce"} (background first), or
 *     {@code null} for inverse-frequency weights computed from the training labels
 * @param foregroundFraction share of patches centred on a random foreground voxel, in {@code [0, 1]}
 * @param augment whether to augment (flips, 90-degree and small rotations, scaling, elastic
 *     deformation, brightness, contrast, gamma, noise)
 * @param validationFraction share of the training pairs held out for validation when there is no
 *     validation folder, in {@code [0, 0.9]}
 * @param patience epochs without a better validation Dice before stopping early, or 0 for never
 * @param seed seed of weights, patch sampling, augmentation and dropout
 * @param boundaryWeight weight of the boundary term of {@code dice_ce_boundary} and {@code dice_ce_hd},
 *     &gt;= 0, NaN for "auto": the term scaled each step to the size of the Dice + CE term (Karimi and
 *     Salcudean's balancing), or {@link #BOUNDARY_SCHEDULE} for Kervadec's rebalancing per epoch
 *     ({@link #boundaryWeights(int)}); ignored by the other losses
 */
public record TrainingConfig(int epochs, int stepsPerEpoch, int batchSize, long[] patchSize, double learningRate,
	double epsilon, double weightDecay, String schedule, String loss, double[] classWeights, double foregroundFraction,
	boolean augment, double validationFraction, int patience, long seed, double boundaryWeight)
{

	/**
	 * The {@code boundaryWeight} that asks for Kervadec et al.'s schedule ("Boundary loss for highly
	 * unbalanced segmentation", MIDL 2019 / MedIA 2021; their code's {@code StealWeight} scheduler with
	 * {@code to_steal} 0.01): {@link #boundaryWeights(int)}.
	 */
	public static final double BOUNDARY_SCHEDULE = Double.NEGATIVE_INFINITY;

	/** A configuration whose boundary weight (if its loss has one) is "auto". */
	public TrainingConfig(int epochs, int stepsPerEpoch, int batchSize, long[] patchSize, double learningRate, double epsilon,
		double weightDecay, String schedule, String loss, double[] classWeights, double foregroundFraction, boolean augment,
		double validationFraction, int patience, long seed)
	{
		this(epochs, stepsPerEpoch, batchSize, patchSize, learningRate, epsilon, weightDecay, schedule, loss, classWeights,
			foregroundFraction, augment, validationFraction, patience, seed, Double.NaN);
	}

	/** @throws IllegalArgumentException naming the parameter that is out of range */
	public TrainingConfig {
		if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
		if (stepsPerEpoch < 1) throw new IllegalArgumentException("steps per epoch must be >= 1, got " + stepsPerEpoch);
		if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
		if (patchSize == null || patchSize.length < 2 || patchSize.length > 3)
			throw new IllegalArgumentException("patch size needs 2 or 3 values");
		for (long p : patchSize) if (p < 1) throw new IllegalArgumentException("patch size must be >= 1: " + Arrays.toString(patchSize));
		if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
		if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
		if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
		schedule = schedule.toLowerCase(Locale.ROOT);
		if (!schedule.matches("constant|poly|cosine"))
			throw new IllegalArgumentException("schedule must be constant, poly or cosine, got " + schedule);
		loss = loss.toLowerCase(Locale.ROOT);
		if (!loss.matches("dice_ce|ce|weighted_ce|dice|focal|dice_focal|lovasz|dice_ce_boundary|dice_ce_hd"))
			throw new IllegalArgumentException("loss must be dice_ce, ce, weighted_ce, dice, focal, dice_focal, lovasz, dice_ce_boundary or " +
				"dice_ce_hd, got " + loss);
		if (boundaryWeight < 0 && boundaryWeight != BOUNDARY_SCHEDULE)
			throw new IllegalArgumentException("boundary weight must be >= 0, auto or schedule, got " + boundaryWeight);
		if (!(foregroundFraction >= 0 && foregroundFraction <= 1))
			throw new IllegalArgumentException("foreground fraction must be in [0, 1], got " + foregroundFraction);
		if (!(validationFraction >= 0 && validationFraction <= 0.9))
			throw new IllegalArgumentException("validation fraction must be in [0, 0.9], got " + validationFraction);
		if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
		patchSize = patchSize.clone();
		classWeights = classWeights == null ? null : classWeights.clone();
	}

	/**
	 * Defaults for a dimensionality: patches of 128<sup>2</sup> (batch 8) in 2D, 64<sup>3</sup>
	 * (batch 2) in 3D; 50 epochs of 50 steps; Adam 1e-3, epsilon 1e-7, weight decay 1e-4; poly
	 * schedule; Dice + CE; a third of the patches on foreground; augmentation on; 20% validation;
	 * patience 15; seed 42.
	 *
	 * @param dimensions 2 or 3
	 * @return the defaults
	 */
	public static TrainingConfig defaults(int dimensions) {
		long[] patch = dimensions == 2 ? new long[] { 128, 128 } : new long[] { 64, 64, 64 };
		return new TrainingConfig(50, 50, dimensions == 2 ? 8 : 2, patch, 1e-3, 1e-7, 1e-4, "poly", "dice_ce", null, 1.0 / 3,
			true, 0.2, 15, 42);
	}

	/**
	 * Learning rate at the start of an epoch.
	 *
	 * @param epoch zero-based epoch
	 * @return the rate under {@link #schedule()}
	 */
	public double learningRate(int epoch) {
		double f = (double) epoch / epochs;
		return switch (schedule) {
			case "poly" -> learningRate * Math.pow(1 - f, 0.9);
			case "cosine" -> learningRate * 0.5 * (1 + Math.cos(Math.PI * f));
			default -> learningRate;
		};
	}

	@Override
	public long[] patchSize() {
		return patchSize.clone();
	}

	@Override
	public double[] classWeights() {
		return classWeights == null ? null : classWeights.clone();
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "%d epochs x %d steps, batch %d, patch %s, Adam lr %.3g (%s), epsilon %.3g, weight decay %.3g, " +
			"loss %s%s, foreground %.2f, augment %s, patience %d, seed %d", epochs, stepsPerEpoch, batchSize, Arrays.toString(patchSize),
			learningRate, schedule, epsilon, weightDecay, loss + (needsDistanceMaps() ? " (boundary weight " + (Double.isNaN(boundaryWeight)
				? "auto" : boundaryWeight == BOUNDARY_SCHEDULE ? "schedule" : String.format(Locale.ROOT, "%.3g", boundaryWeight)) + ")" : ""), classWeights == null ? "" : " " + Arrays.toString(classWeights),
			foregroundFraction, augment, patience, seed);
	}

	/**
	 * The weights of the region (Dice + CE) and boundary terms in an epoch under {@link #BOUNDARY_SCHEDULE}:
	 * the boundary term starts at 0.01 and gains 0.01 per epoch, which the region term loses down to 0.1
	 * (Kervadec et al.'s {@code StealWeight(0.01)} from weights {@code [1, 0.01]}, applied after each epoch).
	 *
	 * @param epoch zero-based epoch
	 * @return {@code [region weight, boundary weight]}
	 */
	public static double[] boundaryWeights(int epoch) {
		return new double[] { Math.max(0.1, 1 - 0.01 * epoch), 0.01 * (epoch + 1) };
	}

	/** @return whether the loss needs per-class distance maps of each patch ({@code data.DistanceMaps}) */
	public boolean needsDistanceMaps() {
		return loss.equals("dice_ce_boundary") || loss.equals("dice_ce_hd");
	}

	/** @return a copy with other epoch and step counts */
	public TrainingConfig withSchedule(int newEpochs, int newSteps) {
		return new TrainingConfig(newEpochs, newSteps, batchSize, patchSize, learningRate, epsilon, weightDecay, schedule, loss,
			classWeights, foregroundFraction, augment, validationFraction, patience, seed, boundaryWeight);
	}

	/** @return a copy with another batch and patch size */
	public TrainingConfig withPatches(int newBatch, long... newPatch) {
		return new TrainingConfig(epochs, stepsPerEpoch, newBatch, newPatch, learningRate, epsilon, weightDecay, schedule, loss,
			classWeights, foregroundFraction, augment, validationFraction, patience, seed, boundaryWeight);
	}

	/** @return a copy with another learning rate */
	public TrainingConfig withLearningRate(double lr) {
		return new TrainingConfig(epochs, stepsPerEpoch, batchSize, patchSize, lr, epsilon, weightDecay, schedule, loss,
			classWeights, foregroundFraction, augment, validationFraction, patience, seed, boundaryWeight);
	}

	/** @return a copy with another seed */
	public TrainingConfig withSeed(long newSeed) {
		return new TrainingConfig(epochs, stepsPerEpoch, batchSize, patchSize, learningRate, epsilon, weightDecay, schedule, loss,
			classWeights, foregroundFraction, augment, validationFraction, patience, newSeed, boundaryWeight);
	}

	/** @return a copy with another early-stopping patience */
	public TrainingConfig withPatience(int epochsWithoutImprovement) {
		return new TrainingConfig(epochs, stepsPerEpoch, batchSize, patchSize, learningRate, epsilon, weightDecay, schedule, loss,
			classWeights, foregroundFraction, augment, validationFraction, epochsWithoutImprovement, seed, boundaryWeight);
	}
}
