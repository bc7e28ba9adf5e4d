package io.github.unetseg.io;

import io.github.unetseg.tiling.BandStitcher;

/**
 * Output files of an image segmented without loading it, written plane by plane (3D, {@link NiftiPlaneWriter})
 * or row by row (2D, {@link BigTiffRowWriter}) as {@link BandStitcher} finishes them.
 */
public interface PlaneWriter extends BandStitcher.PlaneSink, AutoCloseable {

	/**
	 * Completes the files and moves them into place.
	 *
	 * @throws io.github.unetseg.SegmentationException if they cannot be completed
	 */
	void finish();

	/** Deletes the unfinished files; does nothing after {@link #finish}. */
	@Override
	void close();
}
