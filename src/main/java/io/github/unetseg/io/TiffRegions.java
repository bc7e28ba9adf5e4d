package io.github.unetseg.io;

import java.awt.Rectangle;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImgs;

/**
 * A TIFF or BigTIFF stack read by rectangles of its pages through one open ImageIO reader
 * ({@link ImageIoTiff#regions}): pages are z slices of one band; only the strips or tiles a region
 * touches are decoded.
 */
final class TiffRegions implements RegionSource {
	private final Path path;
	private final boolean keepOpen;
	private ImageInputStream in;
	private ImageReader reader;
	private final int width, height, pages, type;
	private final int[] cell;
	private final Calibration calibration;

	/**
	 * @param path the file
	 * @param keepOpen whether the file stays open between reads (fast; close the source) or is opened for each
	 *     read (no open file in between, for results handed to callers that never close them)
	 */
	TiffRegions(Path path, boolean keepOpen) throws IOException {
		this.path = path;
		this.keepOpen = keepOpen;
		open();
		boolean failed = true;
		try {
			pages = reader.getNumImages(true);
			width = reader.getWidth(0);
			height = reader.getHeight(0);
			ImageReadParam p = reader.getDefaultReadParam();
			p.setSourceRegion(new Rectangle(0, 0, 1, 1));
			Raster probe = reader.read(0, p).getRaster();
			if (probe.getNumBands() != 1) throw new SegmentationException(path + " has " + probe.getNumBands() + " samples per pixel. " +
				"Fix: split the channels in Fiji and save them as a hyperstack.");
			type = probe.getDataBuffer().getDataType();
			cell = pages > 1 ? new int[] { reader.getTileWidth(0), reader.getTileHeight(0), 1 }
				: new int[] { reader.getTileWidth(0), reader.getTileHeight(0) };
			calibration = ImageIoTiff.calibration(reader, pages > 1 ? 3 : 2);
			failed = false;
		}
		finally {
			if (failed || !keepOpen) close();
		}
	}

	private void open() throws IOException {
		if (reader != null) return;
		in = ImageIO.createImageInputStream(path.toFile());
		try {
			reader = ImageIoTiff.reader(in, path);
			reader.setInput(in);
		}
		catch (IOException | RuntimeException e) {
			in.close();
			in = null;
			throw e;
		}
	}

	@Override
	public long[] spatialSize() {
		return pages > 1 ? new long[] { width, height, pages } : new long[] { width, height };
	}

	@Override
	public int channels() {
		return 1;
	}

	@Override
	public int[] cellSize() {
		return cell.clone();
	}

	@Override
	public Calibration calibration() {
		return calibration;
	}

	@Override
	public Volume<?> read(long[] min, long[] size) {
		int w = (int) size[0], h = (int) size[1], z0 = min.length > 2 ? (int) min[2] : 0, nz = size.length > 2 ? (int) size[2] : 1;
		int plane = w * h;
		Rectangle region = new Rectangle((int) min[0], (int) min[1], w, h);
		boolean integer = type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_SHORT;
		Object all = type == DataBuffer.TYPE_BYTE ? new byte[plane * nz] : integer ? new short[plane * nz] : new float[plane * nz];
		try {
			open();
			ImageReadParam p = reader.getDefaultReadParam();
			p.setSourceRegion(region);
			for (int z = 0; z < nz; z++) {
				if (reader.getWidth(z0 + z) != width || reader.getHeight(z0 + z) != height)
					throw new SegmentationException(path + " mixes page sizes. Fix: give one image per file.");
				Raster r = reader.read(z0 + z, p).getRaster();
				int[] s = integer ? r.getSamples(r.getMinX(), r.getMinY(), w, h, 0, new int[plane]) : null;
				if (all instanceof byte[] b) for (int i = 0; i < plane; i++) b[z * plane + i] = (byte) s[i];
				else if (all instanceof short[] sh) for (int i = 0; i < plane; i++) sh[z * plane + i] = (short) s[i];
				else {
					float[] f = r.getSamples(r.getMinX(), r.getMinY(), w, h, 0, (float[]) null);
					System.arraycopy(f, 0, (float[]) all, z * plane, plane);
				}
			}
		}
		catch (IOException | RuntimeException e) {
			if (e instanceof SegmentationException s) throw s;
			throw new SegmentationException("Cannot read " + region + " of " + path + ": " + e.getMessage() + ". Fix: check the file.", e);
		}
		finally {
			if (!keepOpen) close();
		}
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = 1;
		Volume<?> v;
		if (all instanceof byte[] b) v = new Volume<>(ArrayImgs.unsignedBytes(b, dims), calibration);
		else if (all instanceof short[] sh) v = type == DataBuffer.TYPE_SHORT ? new Volume<>(ArrayImgs.shorts(sh, dims), calibration)
			: new Volume<>(ArrayImgs.unsignedShorts(sh, dims), calibration);
		else v = new Volume<>(ArrayImgs.floats((float[]) all, dims), calibration);
		return v;
	}

	@Override
	public void close() {
		if (reader != null) reader.dispose();
		reader = null;
		try {
			if (in != null) in.close();
		}
		catch (IOException e) {
			// nothing was written
		}
		in = null;
	}
}
