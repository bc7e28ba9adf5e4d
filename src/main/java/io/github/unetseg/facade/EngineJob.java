package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import io.github.unetseg.tensorflow.EngineOptions;

/**
 * One job for a child JVM ({@link ChildJvm}, {@link EngineMain}), written as one JSON file: the same
 * settings records the front ends fill, never hand-built command lines. Exactly one of the two job
 * kinds is set.
 *
 * @param segment a segmentation of files, or {@code null}
 * @param train a training run, or {@code null}
 */
record EngineJob(Segment segment, TrainingRequest train) {

	/**
	 * Segment files with a model; see {@link Segmenter#segmentFiles}.
	 *
	 * @param model model folder, absolute
	 * @param engine device, threads, precision
	 * @param settings tiling and output settings
	 * @param inputs input files, absolute
	 * @param output output folder, absolute
	 * @param overwrite recompute files whose outputs exist
	 */
	record Segment(Path model, EngineOptions engine, SegmentationSettings settings, List<Path> inputs, Path output, boolean overwrite) {}

	/**
	 * A file's outcome as the child reports it (one {@code file} line on standard output).
	 *
	 * @param index position in the inputs
	 * @param status outcome
	 * @param error the failure's message when {@code FAILED}
	 * @param labels labels file when {@code DONE}
	 * @param probabilities probabilities file, or {@code null}
	 * @param size the input's size as text
	 * @param seconds wall time of the file, reading and writing included
	 * @param plan the tiling used: {@code imageSize}, {@code tileSize}, {@code halo}, {@code overlap},
	 *     {@code border}
	 * @param batchSize final batch size
	 * @param modelSeconds seconds inside the engine's prediction
	 * @param inferenceSeconds seconds of the tiled inference
	 * @param segmentSeconds seconds of the segmentation in memory
	 * @param device where the network ran
	 * @param warnings warnings for the user
	 * @param objects objects found by an instance model, -1 for a semantic model
	 */
	record FileEvent(int index, FileStatus status, String error, Path labels, Path probabilities, String size, double seconds,
		PlanSummary plan, int batchSize, double modelSeconds, double inferenceSeconds, double segmentSeconds, String device,
		List<String> warnings, int objects) {}

	/**
	 * What rebuilds a {@link io.github.unetseg.tiling.TilePlan} in the parent with
	 * {@link io.github.unetseg.tiling.TilePlan#create} and the model's alignment.
	 */
	record PlanSummary(long[] imageSize, long[] tileSize, long[] halo, double overlap, io.github.unetseg.tiling.TilePlan.Border border) {}

	/**
	 * The end of a training run (one {@code trained} line on standard output).
	 *
	 * @param bestEpoch epoch of the best validation Dice
	 * @param bestDice that Dice
	 * @param stoppedEarly whether early stopping ended the run
	 * @param cancelled whether the run was cancelled
	 * @param warnings the outcome's warnings
	 */
	record TrainedEvent(int bestEpoch, double bestDice, boolean stoppedEarly, boolean cancelled, List<String> warnings) {}

	/** JSON of jobs and events: paths as strings, NaN and infinities allowed. */
	static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues()
		.registerTypeHierarchyAdapter(Path.class, new TypeAdapter<Path>() {
			@Override
			public void write(JsonWriter out, Path value) throws IOException {
				if (value == null) out.nullValue();
				else out.value(value.toString());
			}

			@Override
			public Path read(JsonReader in) throws IOException {
				if (in.peek() == JsonToken.NULL) {
					in.nextNull();
					return null;
				}
				return Path.of(in.nextString());
			}
		}).create();
}
