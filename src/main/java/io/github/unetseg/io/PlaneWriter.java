package io.github.unetseg.io;

import io.github.unetseg.tiling.BandStitcher;
import io.github.unetseg.tiling.Stitcher;

/**
 * Output files of an image segmented without loading it, written plane by plane (3D, {@link NiftiPlaneWriter})
 * or row by row into tiles (2D, {@link BigTiffTileWriter}) as {@link BandStitcher} finishes them.
 */
public interface PlaneWriter extends BandStitcher.PlaneSink, AutoCloseable {

	/**
	 * Writes a plane (2D: a row) of object ids of an instance model, for a writer made for object ids: its
	 * labels are then 32-bit unsigned ids from the instance decoding, and {@link #plane} writes only the
	 * probabilities.
	 *
	 * @param z the plane's index (2D: the row's y)
	 * @param ids object ids of the plane, 0 = background
	 * @throws IllegalStateException for a writer of class labels
	 */
	void objects(long z, int[] ids);

	/**
	 * Completes the files and moves them into place.
	 *
	 * @throws io.github.unetseg.SegmentationException if they cannot be completed
	 */
	void finish();

	/** Deletes the unfinished files; does nothing after {@link #finish}. */
	@Override
	void close();

	/**
	 * The labels of a plane, as the in-memory path derives them ({@code tiling.Stitcher}): 1 where the
	 * probability exceeds the threshold for one channel, else the argmax (the lowest index wins ties).
	 *
	 * @param p probabilities {@code [channel][voxel]} flat
	 * @param voxels voxels of the plane
	 * @param channels output channels
	 * @param threshold probability threshold for one channel
	 * @param labels destination, {@code voxels} values
	 */
	static void labels(float[] p, int voxels, int channels, double threshold, byte[] labels) {
		for (int i = 0; i < voxels; i++) labels[i] = (byte) Stitcher.label(p, i, voxels, channels, threshold);
	}
}
