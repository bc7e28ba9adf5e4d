package io.github.unetseg.io;

import java.lang.reflect.InvocationTargetException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;

/**
 * One series of a file opened through Bio-Formats ({@code loci.formats.ImageReader}, found at run time:
 * {@link BioFormatsReader}), read by regions with {@code openBytes(plane, x, y, width, height)}, the
 * tile-wise API, so that only the planes and rows a region touches are decoded. Channels are the
 * file's channels times the samples of each pixel: an RGB plane (3 samples, interleaved or planar)
 * gives three channels. The first time point is read. Sizes in {@code [x, y(, z)]} order; the image is
 * 3D when the series has several z planes. Close it to release the reader (and the file).
 */
public final class BioFormatsImage implements RegionSource {

	private final Path path;
	private final Object reader;
	private final int series, seriesCount, width, height, depth, effectiveChannels, samples, timePoints, optimalWidth, optimalHeight;
	private final boolean interleaved, little;
	private final RawVolumes.Element element;
	private final Calibration calibration;

	private BioFormatsImage(Path path, Object reader, int series) throws ReflectiveOperationException {
		this.path = path;
		this.reader = reader;
		this.series = series;
		BioFormatsReader.call(reader, "setId", path.toString());
		seriesCount = (int) BioFormatsReader.call(reader, "getSeriesCount");
		if (series < 0 || series >= seriesCount)
			throw new SegmentationException(path + " has " + seriesCount + " series (0.." + (seriesCount - 1) + "), not series " + series +
				". Fix: choose one of them.");
		BioFormatsReader.call(reader, "setSeries", series);
		width = (int) BioFormatsReader.call(reader, "getSizeX");
		height = (int) BioFormatsReader.call(reader, "getSizeY");
		depth = (int) BioFormatsReader.call(reader, "getSizeZ");
		effectiveChannels = (int) BioFormatsReader.call(reader, "getEffectiveSizeC");
		samples = (int) BioFormatsReader.call(reader, "getRGBChannelCount");
		timePoints = (int) BioFormatsReader.call(reader, "getSizeT");
		interleaved = (boolean) BioFormatsReader.call(reader, "isInterleaved");
		little = (boolean) BioFormatsReader.call(reader, "isLittleEndian");
		element = BioFormatsReader.element(path, (int) BioFormatsReader.call(reader, "getPixelType"));
		optimalWidth = (int) BioFormatsReader.call(reader, "getOptimalTileWidth");
		optimalHeight = (int) BioFormatsReader.call(reader, "getOptimalTileHeight");
		calibration = BioFormatsReader.calibration(reader, series, depth > 1 ? 3 : 2);
	}

	/**
	 * Opens a series.
	 *
	 * @param path the file
	 * @param series the series index, from 0
	 * @return the open series; the caller closes it
	 * @throws SegmentationException if Bio-Formats is absent or cannot open the file, the series does not
	 *     exist, or the pixel type is not one unetseg reads
	 */
	public static BioFormatsImage open(Path path, int series) {
		Object reader = BioFormatsReader.newReader(path);
		try {
			return new BioFormatsImage(path, reader, series);
		}
		catch (ReflectiveOperationException | RuntimeException e) {
			close(reader);
			if (e instanceof SegmentationException s) throw s;
			throw failure(path, e);
		}
	}

	/** @return the number of series in the file */
	public int seriesCount() {
		return seriesCount;
	}

	/** @return the number of time points of the series (only the first is read) */
	public int timePoints() {
		return timePoints;
	}

	/** @return {@code [x, y]} or {@code [x, y, z]} in pixels */
	@Override
	public long[] spatialSize() {
		return depth > 1 ? new long[] { width, height, depth } : new long[] { width, height };
	}

	/** @return channels: the file's channels times the samples per pixel (3 for an RGB plane) */
	@Override
	public int channels() {
		return effectiveChannels * samples;
	}

	/** @return Bio-Formats' preferred region size {@code [width, height]} in pixels (a TIFF's tile or strip) */
	public int[] optimalTile() {
		return new int[] { optimalWidth, optimalHeight };
	}

	/** @return the pixel spacing (µm as Bio-Formats' OME metadata gives it), or uncalibrated */
	@Override
	public Calibration calibration() {
		return calibration;
	}

	/** @return sizes, channels and type, for messages */
	public String describe() {
		return Arrays.toString(spatialSize()) + " x " + channels() + " channel(s), " + element.name().toLowerCase(java.util.Locale.ROOT);
	}

	/**
	 * Reads a region of every channel, first time point.
	 *
	 * @param min first pixel {@code [x, y(, z)]}
	 * @param size region size {@code [x, y(, z)]}, each &gt;= 1
	 * @return the region {@code [x, y(, z), c]} with the series' calibration
	 * @throws SegmentationException if the region is outside the image, larger than an array holds, or
	 *     Bio-Formats fails to read it
	 */
	@Override
	public Volume<?> read(long[] min, long[] size) {
		long[] full = spatialSize();
		if (min.length != full.length || size.length != full.length)
			throw new IllegalArgumentException("region of " + min.length + " axes for an image of " + full.length);
		for (int d = 0; d < full.length; d++)
			if (min[d] < 0 || size[d] < 1 || min[d] + size[d] > full[d])
				throw new IllegalArgumentException("region " + Arrays.toString(min) + " + " + Arrays.toString(size) + " is outside " +
					Arrays.toString(full));
		int c = channels(), b = element.bytes, w = (int) size[0], h = (int) size[1], z0 = full.length > 2 ? (int) min[2] : 0;
		int nz = full.length > 2 ? (int) size[2] : 1;
		long voxels = RawVolumes.voxels(path, size, c, element);
		byte[] all = new byte[(int) (voxels * b)];
		int planeBytes = w * h * b;
		try {
			for (int ce = 0; ce < effectiveChannels; ce++)
				for (int z = 0; z < nz; z++) {
					int no = (int) BioFormatsReader.call(reader, "getIndex", z0 + z, ce, 0);
					byte[] plane = (byte[]) BioFormatsReader.call(reader, "openBytes", no, (int) min[0], (int) min[1], w, h);
					if (plane.length != planeBytes * samples)
						throw new SegmentationException("Bio-Formats returned " + plane.length + " bytes for a region of " + path + ", expected " +
							planeBytes * samples + ". Fix: convert the file in Fiji.");
					for (int s = 0; s < samples; s++) {
						// ImgLib2's [x, y, z, c]: channel slowest, then z
						int to = ((ce * samples + s) * nz + z) * planeBytes;
						if (!interleaved || samples == 1) System.arraycopy(plane, s * planeBytes, all, to, planeBytes);
						else for (int p = 0; p < w * h; p++) System.arraycopy(plane, (p * samples + s) * b, all, to + p * b, b);
					}
				}
		}
		catch (ReflectiveOperationException e) {
			throw failure(path, e);
		}
		return BioFormatsReader.volume(all, size, c, element, little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN, calibration);
	}

	/** @return Bio-Formats' preferred region, one plane deep: {@code [width, height(, 1)]} */
	@Override
	public int[] cellSize() {
		return depth > 1 ? new int[] { optimalWidth, optimalHeight, 1 } : new int[] { optimalWidth, optimalHeight };
	}

	@Override
	public void close() {
		close(reader);
	}

	private static void close(Object reader) {
		try {
			BioFormatsReader.call(reader, "close");
		}
		catch (ReflectiveOperationException | RuntimeException e) {
			// closing a reader that failed to open; the original error is what matters
		}
	}

	private static SegmentationException failure(Path path, Exception ex) {
		Throwable cause = ex instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : ex;
		return new SegmentationException("Bio-Formats could not read " + path + ": " + cause.getMessage() + ". Fix: check that Fiji opens " +
			"it (File > Open), or convert it to TIFF.", cause);
	}
}
