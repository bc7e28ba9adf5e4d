package io.github.unetseg.facade;

/**
 * One training epoch's figures.
 *
 * @param epoch one-based epoch
 * @param loss mean training loss of the epoch
 * @param learningRate learning rate of the epoch
 * @param validationDice Dice per foreground class on the validation images (NaN where a class is
 *     absent from both)
 * @param meanDice mean of the defined values of {@code validationDice}, in {@code [0, 1]}
 * @param seconds wall time of the epoch including validation, in seconds
 * @param patchesPerSecond training patches per second (optimiser steps only)
 * @param validationAp for an instance model, the object-level accuracy ("AP": TP/(TP+FP+FN), StarDist's
 *     convention, {@code metrics.InstanceMatching}) at IoU 0.5 over the validation images, in
 *     {@code [0, 1]}; NaN for a semantic model
 */
public record EpochRecord(int epoch, double loss, double learningRate, double[] validationDice, double meanDice, double seconds,
	double patchesPerSecond, double validationAp) {

	/** @return the figure training picks the best epoch by: {@link #validationAp} where defined, else {@link #meanDice} */
	public double score() {
		return Double.isNaN(validationAp) ? meanDice : validationAp;
	}
}
