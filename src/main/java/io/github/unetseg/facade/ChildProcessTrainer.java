package io.github.unetseg.facade;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.tiling.ProgressListener;

/**
 * The {@link Trainer} that trains in a child JVM ({@link ChildJvm}, {@link EngineMain}), for JVMs whose
 * {@code org.tensorflow} is another plugin's TensorFlow 1.15; chosen by {@link Engines#trainer()}. The
 * request travels as one JSON job; epochs come back as they finish; the history of the outcome is read
 * from the model's {@code history.csv} (so it includes the epochs before a resume). Cancelling stops the
 * child: the best model and the checkpoint of the last finished epoch stay, and {@code resume} continues.
 */
final class ChildProcessTrainer implements Trainer {

	@Override
	public TrainingOutcome train(TrainingRequest request, ProgressListener progress, Consumer<EpochRecord> epochs) {
		EngineJob.TrainedEvent[] end = new EngineJob.TrainedEvent[1];
		try {
			ChildJvm.run(new EngineJob(null, request.absolute()), progress, line -> {
				if (line.startsWith("epoch ") && epochs != null) epochs.accept(EngineJob.GSON.fromJson(line.substring(6), EpochRecord.class));
				else if (line.startsWith("trained ")) end[0] = EngineJob.GSON.fromJson(line.substring(8), EngineJob.TrainedEvent.class);
			});
		}
		catch (CancellationException e) {
			List<EpochRecord> done = java.nio.file.Files.exists(request.output().resolve("history.csv"))
				? TrainingHistory.read(request.output()) : List.of();
			if (done.isEmpty()) throw new CancellationException("training cancelled before the first epoch ended; no model was written");
			EpochRecord best = TrainingHistory.best(done);
			return new TrainingOutcome(ModelBundle.read(request.output()), done, best.epoch(), best.score(), false, true, List.of());
		}
		if (end[0] == null) throw new SegmentationException("The unetseg engine process ended without a training outcome.");
		return new TrainingOutcome(ModelBundle.read(request.output()), TrainingHistory.read(request.output()), end[0].bestEpoch(),
			end[0].bestDice(), end[0].stoppedEarly(), end[0].cancelled(), end[0].warnings());
	}
}
