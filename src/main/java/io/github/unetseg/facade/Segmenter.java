package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.RealType;

/**
 * Segments images and files with one loaded model: the facade every front end (CLI, Fiji commands,
 * ImageJ 1 macros and dialog) calls. Which engine runs the network, and whether in this JVM or in a
 * child JVM, is decided once by {@link Engines#segmenter}; callers do not know.
 *
 * <p>Owns the model (a TensorFlow session, or a child process's): close it. Not for concurrent use.
 */
public interface Segmenter extends AutoCloseable {

	/** @return the model's description ({@code model.json}) */
	ModelSpec spec();

	/**
	 * @return where the network runs, e.g. {@code "CPU"} or {@code "GPU:0 (15.7 GiB)"}, with
	 *     {@code ", mixed precision"} appended when asked for, and {@code " (engine process)"} when it runs
	 *     in a child JVM
	 */
	String device();

	/**
	 * Segments an image in memory.
	 *
	 * @param volume image {@code [x, y(, z), c]} whose dimensionality and channels fit the model; any
	 *     {@link RealType}
	 * @param settings tiling and output settings
	 * @param progress progress and cancellation
	 * @param source name of the image in messages
	 * @return labels, optional probabilities, figures
	 * @throws io.github.unetseg.SegmentationException if the image does not fit the model or a tile does
	 *     not fit in memory
	 * @throws java.util.concurrent.CancellationException if cancelled
	 */
	<T extends RealType<T>> SegmentationResult segment(Volume<T> volume, SegmentationSettings settings, ProgressListener progress,
		String source);

	/**
	 * Segments files, writing {@link OutputFiles#labels} (and {@link OutputFiles#probabilities}) into
	 * {@code outputDir}, each atomically; continues after failures and skips files whose outputs exist
	 * unless {@code overwrite}, so a killed job can simply be run again.
	 *
	 * @param inputs files (or DICOM folders) to process, e.g. as {@link InputFiles#expand} lists them
	 * @param outputDir output folder, created if missing
	 * @param settings tiling and output settings
	 * @param overwrite recompute files whose outputs exist
	 * @param listener receives each outcome in input order
	 * @return number of files per status (every status present)
	 * @throws java.util.concurrent.CancellationException if a file's progress listener cancels; the files
	 *     before it are complete and reported
	 */
	Map<FileStatus, Integer> segmentFiles(List<Path> inputs, Path outputDir, SegmentationSettings settings, boolean overwrite,
		FileListener listener);

	/**
	 * Whether {@link #segmentFiles} would segment this file without loading it (streamed), the rule of the
	 * run itself: {@code settings.stream()}, the file's size and readability by regions, the model's
	 * dimensions, and for an instance model no {@code diameter} rescaling (done in memory).
	 *
	 * @param input an image file
	 * @param settings the run's settings
	 * @return true where the file streams
	 */
	default boolean streams(Path input, SegmentationSettings settings) {
		return StreamedFile.streams(spec(), input, settings);
	}

	/**
	 * Segments one file into {@code outputDir}, recomputing outputs that exist: {@link #segmentFiles}
	 * for one input, with its failure thrown.
	 *
	 * @param input an image file or DICOM folder
	 * @param outputDir output folder, created if missing
	 * @param settings tiling and output settings
	 * @param progress progress and cancellation
	 * @return the result with the written files
	 * @throws io.github.unetseg.SegmentationException if the input cannot be read, does not fit, or its
	 *     outputs cannot be written
	 */
	default FileResult segmentFile(Path input, Path outputDir, SegmentationSettings settings, ProgressListener progress) {
		FileResult[] result = new FileResult[1];
		io.github.unetseg.SegmentationException[] error = new io.github.unetseg.SegmentationException[1];
		segmentFiles(List.of(input), outputDir, settings, true, new FileListener() {
			@Override
			public void file(int index, Path f, FileStatus status, FileResult r, io.github.unetseg.SegmentationException e) {
				result[0] = r;
				error[0] = e;
			}

			@Override
			public ProgressListener progress(int index, Path f) {
				return progress;
			}
		});
		if (error[0] != null) throw error[0];
		return result[0];
	}

	/** Frees the model (the TensorFlow session, or the child process). */
	@Override
	void close();
}
