package io.github.unetseg.facade;

import java.util.function.Consumer;

import io.github.unetseg.tiling.ProgressListener;

/**
 * Trains, fine-tunes or resumes a U-Net from image/label folders and writes a model folder: the facade
 * every front end calls. {@link Engines#trainer()} chooses this JVM ({@link LocalTrainer}) or a child
 * JVM ({@link ChildProcessTrainer}).
 *
 * <p>The model folder holds the best model by validation Dice ({@code saved_model.pb},
 * {@code variables/}, {@code model.json}), {@code history.csv} and {@code history.png}, and
 * {@code training/} with the last checkpoint for {@link TrainingRequest#resume()}.
 */
public interface Trainer {

	/**
	 * Trains.
	 *
	 * @param request what to train
	 * @param progress progress (one unit per step) and cancellation: cancelling stops after the current
	 *     step and keeps the best model so far ({@link TrainingOutcome#cancelled()})
	 * @param epochs receives each finished epoch, may be {@code null}
	 * @return the outcome
	 * @throws io.github.unetseg.SegmentationException for bad training data (all problems listed), an
	 *     existing output folder when not resuming, or files that cannot be written
	 * @throws java.util.concurrent.CancellationException if cancelled before the first epoch ended
	 */
	TrainingOutcome train(TrainingRequest request, ProgressListener progress, Consumer<EpochRecord> epochs);
}
