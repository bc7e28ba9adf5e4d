package io.github.unetseg.facade;

import java.nio.file.Path;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Receives each file's outcome of a folder run ({@link Segmenter#segmentFiles}), in input order, on the
 * calling thread.
 */
public interface FileListener {

	/**
	 * @param index position in the list of inputs, from 0
	 * @param input the file
	 * @param status its outcome
	 * @param result the result when {@link FileStatus#DONE}, else {@code null}
	 * @param error the reason when {@link FileStatus#FAILED}, else {@code null}
	 */
	void file(int index, Path input, FileStatus status, FileResult result, SegmentationException error);

	/**
	 * @param index position in the list of inputs
	 * @param input the file about to be processed
	 * @return progress and cancellation for that file; {@link ProgressListener#NONE} by default
	 */
	default ProgressListener progress(int index, Path input) {
		return ProgressListener.NONE;
	}
}
