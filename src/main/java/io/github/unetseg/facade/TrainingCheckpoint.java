package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.AtomicFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.TrainingSession;

/**
 * The files a {@link LocalTrainer} run keeps in its output folder: the best model (SavedModel,
 * variables and model.json, replaced as a whole) and {@code training/checkpoint} (TensorFlow
 * checkpoint and {@code state.json}) from which {@code --resume} continues. Each is written into a
 * temporary folder first and swapped into place, so an interrupted write leaves the previous one.
 */
final class TrainingCheckpoint {

	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

	private TrainingCheckpoint() {}

	/**
	 * What a checkpoint continues from. {@code epoch} epochs are complete; an interrupted run (cancelled,
	 * or stopped by a signal on a cluster) also did {@code stepInEpoch} steps of the next one, with that
	 * epoch's loss sum and step time so far (0 in checkpoints written at the end of an epoch, and in
	 * older ones that predate these fields).
	 */
	record State(int epoch, long step, double bestDice, int bestEpoch, int sinceBest, List<EpochRecord> history,
		long seed, long[] patchSize, int batchSize, String loss, UNetConfig architecture, int stepInEpoch, double lossSum,
		long trainNanos)
	{
		State(int epoch, long step, double bestDice, int bestEpoch, int sinceBest, List<EpochRecord> history, long seed,
			long[] patchSize, int batchSize, String loss, UNetConfig architecture)
		{
			this(epoch, step, bestDice, bestEpoch, sinceBest, history, seed, patchSize, batchSize, loss, architecture, 0, 0, 0);
		}
	}

	/** Writes the inference graph with the current weights as a SavedModel and renames it into the model folder. */
	static void exportBest(TrainingSession trainer, ModelSpec spec, Path out) {
		Path tmp = out.resolve(".export.tmp");
		try {
			if (Files.exists(tmp)) AtomicFiles.deleteTree(tmp);
			trainer.exportInferenceModel(tmp, spec);
			AtomicFiles.move(tmp.resolve("saved_model.pb"), out.resolve("saved_model.pb"));
			swapFolder(tmp.resolve("variables"), out.resolve("variables"));
			AtomicFiles.move(tmp.resolve(ModelBundle.MODEL_JSON), out.resolve(ModelBundle.MODEL_JSON));
			AtomicFiles.deleteTree(tmp);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write the model to " + out + ": " + e.getMessage() +
				". Fix: check free disk space; the previous best model is kept.", e);
		}
	}

	static void write(TrainingSession trainer, Path trainingDir, State state) {
		Path tmp = trainingDir.resolve("checkpoint.tmp");
		try {
			if (Files.exists(tmp)) AtomicFiles.deleteTree(tmp);
			Files.createDirectories(tmp);
			trainer.saveCheckpoint(tmp.resolve("ckpt"));
			Files.writeString(tmp.resolve("state.json"), GSON.toJson(state), StandardCharsets.UTF_8);
			swapFolder(tmp, trainingDir.resolve("checkpoint"));
		}
		catch (IOException | RuntimeException e) {
			throw new SegmentationException("Cannot write the checkpoint in " + trainingDir + ": " + e.getMessage() +
				". Fix: check free disk space; the previous checkpoint is kept.", e);
		}
	}

	static State readState(Path file) {
		try {
			return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), State.class);
		}
		catch (IOException | RuntimeException e) {
			throw new SegmentationException("Cannot read the training state " + file + ": " + e.getMessage() +
				". Fix: start a new training run without --resume.", e);
		}
	}

	/** Replaces a folder by a finished new one: old to {@code name.old}, new into place, old deleted. */
	private static void swapFolder(Path fresh, Path target) throws IOException {
		Path old = target.resolveSibling(target.getFileName() + ".old");
		if (Files.exists(old)) AtomicFiles.deleteTree(old);
		if (Files.exists(target)) Files.move(target, old);
		Files.move(fresh, target);
		if (Files.exists(old)) AtomicFiles.deleteTree(old);
	}
}
