package io.github.unetseg.image;

import java.util.Arrays;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;

/**
 * A 2D or 3D image with channels and its physical calibration: the unit of data that every reader
 * returns and every step of the pipeline takes.
 *
 * <p>The image always has a channel axis last: {@code [x, y, c]} for 2D and {@code [x, y, z, c]} for
 * 3D, with {@code c >= 1}. Its minimum must be zero on every axis. The image may be lazy (a view or a
 * cached cell image); nothing here copies it.
 *
 * @param image pixel data, axes {@code [x, y(, z), c]}, zero-min
 * @param calibration spacing of the spatial axes; its {@code spatialDims()} must be
 *     {@code image.numDimensions() - 1}
 * @param <T> pixel type
 */
public record Volume<T extends RealType<T>>(RandomAccessibleInterval<T> image, Calibration calibration) {

	/**
	 * @throws IllegalArgumentException if the image is not zero-min, has other than 3 or 4 axes, or
	 *     the calibration has the wrong number of axes
	 */
	public Volume {
		if (image == null || calibration == null) throw new IllegalArgumentException("image and calibration are required");
		int n = image.numDimensions();
		if (n != 3 && n != 4)
			throw new IllegalArgumentException("a Volume's image has axes [x, y(, z), c]: 3 or 4 dimensions, got " + n);
		if (calibration.spatialDims() != n - 1)
			throw new IllegalArgumentException("calibration has " + calibration.spatialDims() + " axes but the image has " +
				(n - 1) + " spatial axes");
		for (int d = 0; d < n; d++)
			if (image.min(d) != 0) throw new IllegalArgumentException("a Volume's image must be zero-min, got min " +
				Arrays.toString(image.minAsLongArray()));
	}

	/** @return 2 or 3 */
	public int spatialDims() {
		return image.numDimensions() - 1;
	}

	/** @return number of channels (size of the last axis), at least 1 */
	public int channels() {
		return (int) image.dimension(image.numDimensions() - 1);
	}

	/** @return spatial size {@code [x, y(, z)]} in pixels */
	public long[] spatialSize() {
		return Arrays.copyOf(image.dimensionsAsLongArray(), spatialDims());
	}

	/** @return number of voxels of one channel */
	public long voxelCount() {
		return Intervals.numElements(spatialSize());
	}

	/** @return the spatial size as {@code "X x Y (x Z)"}, with the channel count when above 1 */
	public String describeSize() {
		StringBuilder b = new StringBuilder();
		long[] s = spatialSize();
		for (int d = 0; d < s.length; d++) b.append(d == 0 ? "" : " x ").append(s[d]);
		if (channels() > 1) b.append(", ").append(channels()).append(" channels");
		return b.toString();
	}
}
