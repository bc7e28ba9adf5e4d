package io.github.unetseg.facade;

import java.nio.file.Path;

/**
 * Result of one file of a folder run.
 *
 * @param input the input file
 * @param labelsFile the written label image
 * @param probabilitiesFile the written probability map, or {@code null}
 * @param result the segmentation's figures and images (the labels as written)
 * @param size the input's size as text, e.g. {@code "181 x 217"}
 * @param seconds wall time including reading and writing, in seconds
 * @param peakResidentBytes the process's peak resident memory while the file was segmented (reading the next
 *     file and writing the previous one overlap it), in bytes, or -1 where unknown ({@link ResidentMemory})
 */
public record FileResult(Path input, Path labelsFile, Path probabilitiesFile, SegmentationResult result, String size, double seconds,
	long peakResidentBytes)
{
	/** A result whose peak memory is unknown. */
	public FileResult(Path input, Path labelsFile, Path probabilitiesFile, SegmentationResult result, String size, double seconds) {
		this(input, labelsFile, probabilitiesFile, result, size, seconds, -1);
	}
}
