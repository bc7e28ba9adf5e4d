package io.github.unetseg.io;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;

/**
 * An image file read by regions, for images larger than memory ({@link LazyRegions}): a TIFF or BigTIFF
 * stack through ImageIO ({@link ImageIoTiff#regions}), or any Bio-Formats format ({@link BioFormatsImage}).
 * Sizes in {@code [x, y(, z)]} order, in pixels. Not for concurrent use; {@link LazyRegions} serialises
 * its reads. Close it to release the file.
 */
public interface RegionSource extends AutoCloseable {

	/** @return the spatial size {@code [x, y(, z)]} in pixels */
	long[] spatialSize();

	/** @return the number of channels, &gt;= 1 */
	int channels();

	/** @return the region size {@code [x, y(, z)]} that the file stores together (a TIFF tile or strip, one plane deep) */
	int[] cellSize();

	/** @return the pixel spacing, or uncalibrated */
	Calibration calibration();

	/**
	 * Reads a region of every channel.
	 *
	 * @param min first pixel {@code [x, y(, z)]}
	 * @param size region size {@code [x, y(, z)]}, each &gt;= 1, inside the image
	 * @return the region {@code [x, y(, z), c]} in an array image of the file's pixel type
	 * @throws io.github.unetseg.SegmentationException naming the file if it cannot be read
	 */
	Volume<?> read(long[] min, long[] size);

	/** Releases the file. */
	@Override
	void close();
}
