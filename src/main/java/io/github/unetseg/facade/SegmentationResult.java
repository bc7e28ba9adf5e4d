package io.github.unetseg.facade;

import java.util.List;

import io.github.unetseg.image.Volume;
import io.github.unetseg.tiling.TiledInference;
import io.github.unetseg.tiling.TilePlan;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Result of segmenting one image.
 *
 * @param labels class indices {@code [x, y(, z), 1]}, 8- or 16-bit, with the input's calibration; object ids for an
 *     instance model
 * @param probabilities probabilities {@code [x, y(, z), channels]} in {@code [0, 1]}, or {@code null}
 *     unless requested
 * @param plan the tiles used
 * @param batchSize tiles per batch at the end of the run
 * @param stats timing
 * @param device where the network ran, e.g. {@code "CPU"} or {@code "GPU:0 (15.7 GiB), mixed precision"}
 * @param warnings things the user should know (e.g. a spacing far from the model's)
 * @param seconds wall time of the whole segmentation in memory (statistics for normalisation, planning,
 *     tiled inference, labels), in seconds
 * @param objectCount for an instance model the number of objects (then {@code labels} are object ids
 *     1..N, 16-bit up to 65,535 objects, else 32-bit unsigned), -1 for a semantic model
 */
public record SegmentationResult(Volume<?> labels, Volume<FloatType> probabilities, TilePlan plan, int batchSize,
	TiledInference.Stats stats, String device, List<String> warnings, double seconds, int objectCount)
{

	/** The result of a semantic model ({@code objectCount} -1). */
	public SegmentationResult(Volume<?> labels, Volume<FloatType> probabilities, TilePlan plan, int batchSize,
		TiledInference.Stats stats, String device, List<String> warnings, double seconds)
	{
		this(labels, probabilities, plan, batchSize, stats, device, warnings, seconds, -1);
	}

	/** @return whether the labels are object ids of an instance model */
	public boolean instances() {
		return objectCount >= 0;
	}

	/** @return input voxels (one channel) per second of wall time, normalisation statistics included */
	public double voxelsPerSecond() {
		long v = 1;
		if (labels != null) v = labels.voxelCount(); // a stack segmented plane by plane: the plan is one plane's
		else for (long s : plan.imageSize()) v *= s;
		return v / Math.max(1e-9, seconds);
	}

	/** @return share of the wall time spent outside the engine's prediction call, in {@code [0, 1]} */
	public double outsideModelShare() {
		return seconds <= 0 ? 0 : Math.max(0, 1 - stats.modelSeconds() / seconds);
	}
}
