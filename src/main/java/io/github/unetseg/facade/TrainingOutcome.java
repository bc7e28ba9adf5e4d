package io.github.unetseg.facade;

import java.util.List;

import io.github.unetseg.model.ModelBundle;

/**
 * Outcome of a training run.
 *
 * @param model the best model written
 * @param history all epochs, including those before a resume
 * @param bestEpoch epoch of the best validation score (one-based; mean Dice, or AP at IoU 0.5 for an instance model)
 * @param bestDice that score ({@link EpochRecord#score()})
 * @param stoppedEarly whether early stopping ended the run
 * @param cancelled whether the run was cancelled (the best model so far is kept)
 * @param warnings what the user should know about the run, e.g. that it validated on its training images
 */
public record TrainingOutcome(ModelBundle model, List<EpochRecord> history, int bestEpoch, double bestDice, boolean stoppedEarly,
	boolean cancelled, List<String> warnings) {}
