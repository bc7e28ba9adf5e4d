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
 * A TIFF, BigTIFF or OME-TIFF image read by rectangles of its pages through open ImageIO readers
 * ({@link ImageIoTiff#regions}): which page holds plane (z, channel), in which file of a multi-file
 * OME-TIFF, comes from the first page's description ({@link TiffPages}); an RGB or other multi-sample page
 * of a single-channel layout gives one channel per sample. Only the strips or tiles a region touches are
 * decoded. Calibration: the OME-XML's physical sizes, an ImageJ description's unit and spacing with the
 * resolution tags (as ImageJ 1 reads them), else the standard ImageIO metadata (mm).
 */
final class TiffRegions implements RegionSource {
	private final Path path;
	private final boolean keepOpen;
	private final TiffPages layout;
	private final ImageInputStream[] in;
	private final ImageReader[] reader;
	/** Per file, the direct tile reader ({@link TiffTiles}), or {@code null} where ImageIO decodes its pages. */
	private final TiffTiles[] tiles;
	private final boolean[] tried;
	private final int width, height, type, bands;
	/** 8-bit samples in two's complement (SampleFormat 2), kept signed as the in-memory reader keeps them. */
	private final boolean signed8;
	private final int[] cell;
	private final Calibration calibration;

	/**
	 * @param path the file
	 * @param keepOpen whether the files stay open between reads (fast; close the source) or are opened for each
	 *     read (no open file in between, for results handed to callers that never close them)
	 */
	TiffRegions(Path path, boolean keepOpen) throws IOException {
		this.path = path;
		this.keepOpen = keepOpen;
		ImageInputStream first = ImageIO.createImageInputStream(path.toFile());
		if (first == null) throw new IOException("cannot open the file");
		ImageReader r0;
		try {
			r0 = ImageIoTiff.reader(first, path);
			r0.setInput(first);
		}
		catch (IOException | RuntimeException e) {
			first.close();
			throw e;
		}
		boolean failed = true;
		TiffPages pages = null;
		int w = 0, h = 0, t = 0, b = 0;
		boolean s8 = false;
		TiffTiles direct = null;
		int[] c = null;
		Calibration cal = null;
		ImageInputStream[] streams = null;
		ImageReader[] readers = null;
		try {
			pages = TiffPages.of(path, TiffPages.description(path), r0.getNumImages(true));
			if (pages.frames() > 1) throw new SegmentationException(path + " is an OME-TIFF time series with " + pages.frames() + " time points; " +
				"only segmenting takes a time series (frame by frame, from one file), this step one time point. Fix: split it into one file " +
				"per time point (Fiji: Image > Stacks > Tools > Reduce Dimensionality), or save a multi-file set as one OME-TIFF.");
			streams = new ImageInputStream[pages.files().size()];
			readers = new ImageReader[streams.length];
			streams[0] = first;
			readers[0] = r0;
			w = r0.getWidth(0);
			h = r0.getHeight(0);
			// the samples' layout from the file's own tags where it decodes them (ImageIO cannot read regions of tiled BigTIFF)
			direct = TiffTiles.open(path);
			TiffTiles.Page first0 = direct == null ? null : direct.pages().get(pages.page()[0]);
			Raster probe = null;
			if (first0 == null) {
				ImageReadParam p = r0.getDefaultReadParam();
				p.setSourceRegion(new Rectangle(0, 0, 1, 1));
				probe = r0.read(pages.page()[0], p).getRaster();
			}
			b = first0 != null ? first0.samples() : probe.getNumBands();
			s8 = first0 != null && first0.bits() == 8 && first0.format() == 2;
			if (b > 1 && pages.channels() > 1) throw new SegmentationException(path + " has " + b + " samples per pixel in each of " +
				pages.channels() + " channels. Fix: split the channels in Fiji and save them as a hyperstack.");
			t = first0 == null ? probe.getDataBuffer().getDataType() : first0.bits() == 8 ? DataBuffer.TYPE_BYTE : first0.bits() == 32
				? DataBuffer.TYPE_FLOAT : first0.format() == 2 ? DataBuffer.TYPE_SHORT : DataBuffer.TYPE_USHORT;
			int dims = pages.slices() > 1 ? 3 : 2;
			int tw = first0 != null ? first0.tileWidth() : r0.getTileWidth(0), th = first0 != null ? first0.tileHeight() : r0.getTileHeight(0);
			c = dims == 3 ? new int[] { tw, th, 1 } : new int[] { tw, th };
			cal = pages.calibration() != null ? pages.calibration() : pages.description().containsKey("unit") && TiffIO.isTiff(head(path))
				? imagejCalibration(path, pages, dims) : ImageIoTiff.calibration(r0, dims);
			failed = false;
		}
		finally {
			if (failed) {
				r0.dispose();
				first.close();
				if (direct != null) direct.close();
			}
		}
		this.layout = pages;
		this.in = streams;
		this.reader = readers;
		this.tiles = new TiffTiles[readers.length];
		this.tried = new boolean[readers.length];
		// the first file's directories, parsed once above, serve the reads
		tiles[0] = direct;
		tried[0] = true;
		this.width = w;
		this.height = h;
		this.type = t;
		this.bands = b;
		this.signed8 = s8;
		this.cell = c;
		this.calibration = cal;
		if (!keepOpen) close();
	}

	private static byte[] head(Path path) throws IOException {
		try (java.io.InputStream s = java.nio.file.Files.newInputStream(path)) {
			return s.readNBytes(4);
		}
	}

	/** Pixel size as ImageJ 1 reads it (resolution tags, unit and spacing from its description), for classic TIFF. */
	private static Calibration imagejCalibration(Path path, TiffPages pages, int dims) throws IOException {
		Path abs = path.toAbsolutePath();
		ij.io.FileInfo[] fi = new ij.io.TiffDecoder(abs.getParent().toString() + java.io.File.separator, abs.getFileName().toString())
			.getTiffInfo();
		double x = fi != null && fi.length > 0 && fi[0].pixelWidth > 0 ? fi[0].pixelWidth : 1;
		double y = fi != null && fi.length > 0 && fi[0].pixelHeight > 0 ? fi[0].pixelHeight : 1;
		String unit = pages.description().getProperty("unit");
		double z;
		try {
			z = Double.parseDouble(pages.description().getProperty("spacing", "1"));
		}
		catch (NumberFormatException e) {
			z = 1;
		}
		return dims == 3 ? Calibration.of(unit, x, y, z > 0 ? z : 1) : Calibration.of(unit, x, y);
	}

	/** The direct tile reader of file {@code f}, opened on first use; {@code null} where ImageIO decodes it. */
	private TiffTiles tiles(int f) throws IOException {
		if (!tried[f]) {
			tried[f] = true;
			// a missing file of a multi-file set is reported by reader(f)
			tiles[f] = java.nio.file.Files.isRegularFile(layout.files().get(f)) ? TiffTiles.open(layout.files().get(f)) : null;
		}
		return tiles[f];
	}

	/** Opens the reader of file {@code f} of the layout if it is not open. */
	private ImageReader reader(int f) throws IOException {
		if (reader[f] != null) return reader[f];
		Path file = layout.files().get(f);
		if (!java.nio.file.Files.isRegularFile(file))
			throw new SegmentationException(path + " is part of a multi-file OME-TIFF whose file " + file.getFileName() + " is missing. Fix: keep " +
				"every file of the set in one folder, under the names its OME-XML gives.");
		in[f] = ImageIO.createImageInputStream(file.toFile());
		try {
			reader[f] = ImageIoTiff.reader(in[f], file);
			reader[f].setInput(in[f]);
		}
		catch (IOException | RuntimeException e) {
			in[f].close();
			in[f] = null;
			throw e;
		}
		return reader[f];
	}

	@Override
	public long[] spatialSize() {
		return layout.slices() > 1 ? new long[] { width, height, layout.slices() } : new long[] { width, height };
	}

	@Override
	public int channels() {
		return layout.channels() * bands;
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
		int plane = w * h, channels = channels();
		if ((long) plane * nz * channels > Integer.MAX_VALUE - 8)
			throw new SegmentationException("A region of " + java.util.Arrays.toString(size) + " of " + path + " holds more than 2^31 values. " +
				"Fix: read it lazily (LazyRegions), by smaller regions.");
		Rectangle region = new Rectangle((int) min[0], (int) min[1], w, h);
		boolean integer = type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_SHORT;
		int total = plane * nz * channels;
		Object all = type == DataBuffer.TYPE_BYTE ? new byte[total] : integer ? new short[total] : new float[total];
		int[] s = integer ? new int[plane] : null;
		double[] d = new double[plane];
		float[] f = integer ? null : new float[plane];
		try {
			for (int c = 0; c < layout.channels(); c++)
				for (int z = 0; z < nz; z++) {
					int entry = c * layout.slices() + z0 + z;
					int page = layout.page()[entry];
					TiffTiles direct = tiles(layout.file()[entry]);
					if (direct != null && page < direct.pages().size() && direct.pages().get(page).width() == width &&
						direct.pages().get(page).height() == height)
					{
						for (int band = 0; band < bands; band++) {
							direct.read(page, region.x, region.y, w, h, band, d);
							int at = ((c * bands + band) * nz + z) * plane;
							if (all instanceof byte[] bt) for (int i = 0; i < plane; i++) bt[at + i] = (byte) d[i];
							else if (all instanceof short[] sh) for (int i = 0; i < plane; i++) sh[at + i] = (short) d[i];
							else for (int i = 0; i < plane; i++) ((float[]) all)[at + i] = (float) d[i];
						}
						continue;
					}
					ImageReader r = reader(layout.file()[entry]);
					if (page >= r.getNumImages(true) || r.getWidth(page) != width || r.getHeight(page) != height)
						throw new SegmentationException(path + (page >= r.getNumImages(true) ? " lacks page " + page + " of " +
							layout.files().get(layout.file()[entry]).getFileName() : " mixes page sizes") + ". Fix: give one image per file.");
					ImageReadParam p = r.getDefaultReadParam();
					p.setSourceRegion(region);
					Raster ras = r.read(page, p).getRaster();
					for (int band = 0; band < bands; band++) {
						// [x, y, z, c] with channel = layout channel or sample
						int at = ((c * bands + band) * nz + z) * plane;
						if (integer) {
							ras.getSamples(ras.getMinX(), ras.getMinY(), w, h, band, s);
							if (all instanceof byte[] bt) for (int i = 0; i < plane; i++) bt[at + i] = (byte) s[i];
							else for (int i = 0; i < plane; i++) ((short[]) all)[at + i] = (short) s[i];
						}
						else System.arraycopy(ras.getSamples(ras.getMinX(), ras.getMinY(), w, h, band, f), 0, (float[]) all, at, plane);
					}
				}
		}
		catch (IOException | RuntimeException e) {
			if (e instanceof SegmentationException se) throw se;
			throw new SegmentationException("Cannot read " + region + " of " + path + ": " + e.getMessage() + ". Fix: check the file.", e);
		}
		finally {
			if (!keepOpen) close();
		}
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = channels;
		Volume<?> v;
		if (all instanceof byte[] b) v = signed8 ? new Volume<>(ArrayImgs.bytes(b, dims), calibration)
			: new Volume<>(ArrayImgs.unsignedBytes(b, dims), calibration);
		else if (all instanceof short[] sh) v = type == DataBuffer.TYPE_SHORT ? new Volume<>(ArrayImgs.shorts(sh, dims), calibration)
			: new Volume<>(ArrayImgs.unsignedShorts(sh, dims), calibration);
		else v = new Volume<>(ArrayImgs.floats((float[]) all, dims), calibration);
		return v;
	}

	@Override
	public void close() {
		for (int f = 0; f < tiles.length; f++) {
			try {
				if (tiles[f] != null) tiles[f].close();
			}
			catch (IOException e) {
				// read only: nothing to lose
			}
			tiles[f] = null;
			tried[f] = false;
		}
		for (int f = 0; f < reader.length; f++) {
			if (reader[f] != null) reader[f].dispose();
			reader[f] = null;
			try {
				if (in[f] != null) in[f].close();
			}
			catch (IOException e) {
				// nothing was written
			}
			in[f] = null;
		}
	}
}
