package io.github.unetseg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.tiling.BandStitcher;

/**
 * Streams a 2D segmentation to tiled BigTIFF files, for images larger than memory (a whole-slide scan of
 * 50,000 x 50,000 pixels has no NIfTI-1 form: its axes hold at most 32,767): labels as one page (8-bit
 * classes: 1 where the probability exceeds the threshold for one output channel, else the argmax with the
 * lowest index winning ties, as in memory; or, for an instance model, 32-bit unsigned object ids given by
 * {@link #objects}), Deflate-compressed, and optionally the probabilities as one uncompressed float32 page per
 * channel. Rows arrive as {@link BandStitcher} finishes them and are gathered into a band one tile high (at
 * most {@code tile x width} values per page); each full band is cut into {@code tile x tile} tiles (edge tiles
 * padded with zeros, as TIFF requires) and appended, so a viewer or a region read (QuPath, Bio-Formats,
 * {@link TiffTiles}) decodes only the tiles it shows. Each page's tile offsets are explicit, so the pages'
 * tiles may interleave in the file; the IFDs are written at the end. Pixel size in the resolution tags (per
 * centimetre) where the image is calibrated in mm or µm, and an OME-XML description in the first page (sizes,
 * pixel type, pixel size, the pages as channels), which Bio-Formats reads as OME-TIFF. Files are written under temporary names and renamed
 * by {@link #finish}; {@link #close} before that deletes them.
 *
 * <p>Format: TIFF 6.0 section 15 (tiles) with the BigTIFF extension (Adobe/Aware Systems, 64-bit offsets,
 * version 43); compression 8 (Adobe Deflate, zlib stream) for labels.
 */
public final class BigTiffTileWriter implements PlaneWriter {

	/** Tile width and height in pixels, a multiple of 16 as TIFF requires. */
	public static final int TILE = 256;

	private final Page[] labels, probabilities;
	private final TempOutputs files;
	private final int width, channels, tile, tilesAcross;
	private final double threshold;
	private final byte[] labelRow;
	private final Calibration calibration;
	private final boolean objectIds;
	private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);

	/** One page's band of rows, cut into tiles and appended to its file. */
	private final class Page {
		final int file, bytesPerSample, sampleFormat;
		final boolean compressed;
		final long height;
		final long[] offsets, counts;
		final ByteBuffer band;
		final byte[] tileBytes, packed;
		int tiles, rowsInBand;

		Page(int file, int bytesPerSample, int sampleFormat, long height, boolean compressed) {
			this.file = file;
			this.bytesPerSample = bytesPerSample;
			this.sampleFormat = sampleFormat;
			this.height = height;
			this.compressed = compressed;
			long down = (height + tile - 1) / tile;
			offsets = new long[Math.toIntExact(down * tilesAcross)];
			counts = new long[offsets.length];
			band = ByteBuffer.allocate(Math.toIntExact((long) tile * width * bytesPerSample)).order(ByteOrder.LITTLE_ENDIAN);
			tileBytes = new byte[tile * tile * bytesPerSample];
			// zlib's bound for incompressible input: 5 bytes per 16 KiB block plus the header and checksum
			packed = compressed ? new byte[tileBytes.length + tileBytes.length / 1000 + 64] : null;
		}

		void row(byte[] bytes, float[] floats, int from) throws IOException {
			if (bytes != null) band.put(bytes, 0, width);
			else for (int x = 0; x < width; x++) band.putFloat(floats[from + x]);
			if (++rowsInBand == tile) flush();
		}

		void row(int[] ints) throws IOException {
			for (int x = 0; x < width; x++) band.putInt(ints[x]);
			if (++rowsInBand == tile) flush();
		}

		/** Cuts the band into tiles (the last band may be shorter: its tiles are padded) and appends them. */
		void flush() throws IOException {
			if (rowsInBand == 0) return;
			byte[] b = band.array(), t = tileBytes;
			int rowBytes = width * bytesPerSample, tileRowBytes = tile * bytesPerSample;
			for (int tx = 0; tx < tilesAcross; tx++) {
				int x0 = tx * tileRowBytes, n = Math.min(tileRowBytes, rowBytes - x0);
				// only an edge tile has padding, which must be zero (and not the previous tile's pixels)
				if (n < tileRowBytes || rowsInBand < tile) Arrays.fill(t, (byte) 0);
				for (int r = 0; r < rowsInBand; r++) System.arraycopy(b, r * rowBytes + x0, t, r * tileRowBytes, n);
				append(t);
			}
			band.clear();
			rowsInBand = 0;
		}

		private void append(byte[] t) throws IOException {
			ByteBuffer out = ByteBuffer.wrap(t);
			if (compressed) {
				deflater.reset();
				deflater.setInput(t);
				deflater.finish();
				int n = deflater.deflate(packed);
				if (!deflater.finished()) throw new IOException("a Deflate tile larger than its bound");
				out = ByteBuffer.wrap(packed, 0, n);
			}
			FileChannel ch = files.channel(file);
			long at = ch.size();
			offsets[tiles] = at;
			counts[tiles++] = out.remaining();
			while (out.hasRemaining()) ch.write(out, at + out.position());
		}
	}

	/**
	 * @param labelsFile the labels {@code .btf} to create
	 * @param probabilitiesFile the probabilities {@code .btf} to create (one page per channel), or {@code null}
	 * @param size {@code [x, y]} in pixels
	 * @param channels output channels of the network, at most 256
	 * @param threshold probability threshold for one output channel
	 * @param calibration pixel size, written where it is in mm or µm
	 * @param objectIds whether the labels are a 32-bit unsigned page of object ids given by {@link #objects}
	 *     (instance models) instead of 8-bit classes derived from the probabilities
	 * @throws SegmentationException if a file cannot be created
	 */
	public BigTiffTileWriter(Path labelsFile, Path probabilitiesFile, long[] size, int channels, double threshold, Calibration calibration,
		boolean objectIds)
	{
		this(labelsFile, probabilitiesFile, size, channels, threshold, calibration, objectIds, TILE);
	}

	/**
	 * As {@link #BigTiffTileWriter(Path, Path, long[], int, double, Calibration, boolean)} with another tile size.
	 *
	 * @param tile tile width and height in pixels, a positive multiple of 16
	 * @throws IllegalArgumentException for another tile size, a size that is not 2D or more than 256 channels
	 */
	public BigTiffTileWriter(Path labelsFile, Path probabilitiesFile, long[] size, int channels, double threshold, Calibration calibration,
		boolean objectIds, int tile)
	{
		if (tile <= 0 || tile % 16 != 0) throw new IllegalArgumentException("TIFF tiles are a multiple of 16 pixels, got " + tile);
		if (channels > 256) throw new IllegalArgumentException("8-bit labels hold at most 256 classes");
		if (size.length != 2) throw new IllegalArgumentException("rows of a 2D image, got " + Arrays.toString(size));
		this.objectIds = objectIds;
		this.tile = tile;
		this.width = Math.toIntExact(size[0]);
		this.tilesAcross = (width + tile - 1) / tile;
		this.channels = channels;
		this.threshold = threshold;
		this.calibration = calibration;
		labelRow = new byte[width];
		TempOutputs made = null;
		try {
			made = probabilitiesFile == null ? new TempOutputs(labelsFile) : new TempOutputs(labelsFile, probabilitiesFile);
			for (int f = 0; f < made.count(); f++) made.channel(f).write(ByteBuffer.allocate(16), 0); // the header, completed by finish
		}
		catch (IOException e) {
			if (made != null) made.close();
			throw new SegmentationException("Cannot create " + labelsFile + ": " + e.getMessage() + ". Fix: choose a writable output folder.", e);
		}
		files = made;
		labels = new Page[] { new Page(0, objectIds ? 4 : 1, 1, size[1], true) };
		probabilities = probabilitiesFile == null ? new Page[0] : new Page[channels];
		for (int c = 0; c < probabilities.length; c++) probabilities[c] = new Page(1, 4, 3, size[1], false);
	}

	@Override
	public void objects(long y, int[] ids) {
		if (!objectIds) throw new IllegalStateException("a writer of class labels");
		try {
			labels[0].row(ids);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	@Override
	public void labels(long y, byte[] row) {
		if (objectIds) throw new IllegalStateException("a writer of object ids");
		try {
			labels[0].row(row, null, 0);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	@Override
	public void plane(long y, float[] p) {
		try {
			if (!objectIds) {
				PlaneWriter.labels(p, width, channels, threshold, labelRow);
				labels[0].row(labelRow, null, 0);
			}
			for (int c = 0; c < probabilities.length; c++) probabilities[c].row(null, p, c * width);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	/**
	 * Writes the last tiles and the IFDs, flushes the files to disk and renames them into place.
	 *
	 * @throws SegmentationException if they cannot be completed
	 */
	@Override
	public void finish() {
		try {
			writeIfds(0, labels);
			if (probabilities.length > 0) writeIfds(1, probabilities);
			files.finish();
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot complete " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
		finally {
			deflater.end();
		}
	}

	/** Appends one IFD per page (chained), their tile arrays, and points the header at the first. */
	private void writeIfds(int file, Page[] pages) throws IOException {
		FileChannel ch = files.channel(file);
		for (Page p : pages) p.flush();
		long next = 0;
		// written last page first, so each IFD knows its successor's offset
		for (int i = pages.length - 1; i >= 0; i--) next = writeIfd(ch, pages[i], next, i == 0 ? omeXml(file, pages) : null);
		ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
		h.put((byte) 'I').put((byte) 'I').putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(next);
		h.flip();
		ch.write(h, 0);
	}

	/**
	 * The OME-XML description of a file (OME 2016-06 schema): sizes, pixel type, pixel size and the pages as
	 * channels in XYCZT order, so that Bio-Formats (Fiji, QuPath) shows a probabilities file's classes as
	 * channels, not time points, and reads the calibration in its unit.
	 */
	private String omeXml(int file, Page[] pages) {
		Page p = pages[0];
		String type = p.sampleFormat == 3 ? "float" : p.bytesPerSample == 4 ? "uint32" : "uint8";
		return OmeTiff.description(files.target(file).getFileName().toString(), type, new long[] { width, p.height }, pages.length, calibration,
			"<TiffData IFD=\"0\" PlaneCount=\"" + pages.length + "\"/>");
	}

	private long writeIfd(FileChannel ch, Page p, long next, String description) throws IOException {
		if (p.tiles != p.offsets.length) throw new IOException("the image is incomplete: " + p.tiles + " of " + p.offsets.length + " tiles written");
		long descriptionAt = 0;
		byte[] text = description == null ? null : (description + "\0").getBytes(StandardCharsets.UTF_8);
		if (text != null) {
			descriptionAt = ch.size();
			ByteBuffer b = ByteBuffer.wrap(text);
			while (b.hasRemaining()) ch.write(b, descriptionAt + b.position());
		}
		long at = ch.size();
		ByteBuffer arrays = ByteBuffer.allocate(16 * p.tiles).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < p.tiles; i++) arrays.putLong(p.offsets[i]);
		for (int i = 0; i < p.tiles; i++) arrays.putLong(p.counts[i]);
		arrays.flip();
		while (arrays.hasRemaining()) ch.write(arrays, at + arrays.position());
		long offsetsAt = at, countsAt = at + 8L * p.tiles;
		double perCm = pixelsPerCentimetre(0), perCmY = pixelsPerCentimetre(1);
		int entries = (Double.isNaN(perCm) ? 12 : 15) + (text == null ? 0 : 1);
		ByteBuffer ifd = ByteBuffer.allocate(8 + 20 * entries + 8).order(ByteOrder.LITTLE_ENDIAN);
		ifd.putLong(entries);
		entry(ifd, 256, 4, 1, width);
		entry(ifd, 257, 4, 1, p.height);
		entry(ifd, 258, 3, 1, 8 * p.bytesPerSample);
		entry(ifd, 259, 3, 1, p.compressed ? 8 : 1);
		entry(ifd, 262, 3, 1, 1);
		if (text != null) entry(ifd, 270, 2, text.length, descriptionAt); // an OME-XML text is never short enough to be inline
		entry(ifd, 277, 3, 1, 1);
		if (!Double.isNaN(perCm)) {
			entry(ifd, 282, 5, 1, Math.round(perCm * 1000) & 0xffffffffL | 1000L << 32);
			entry(ifd, 283, 5, 1, Math.round(perCmY * 1000) & 0xffffffffL | 1000L << 32);
		}
		entry(ifd, 284, 3, 1, 1);
		if (!Double.isNaN(perCm)) entry(ifd, 296, 3, 1, 3);
		entry(ifd, 322, 3, 1, tile);
		entry(ifd, 323, 3, 1, tile);
		entry(ifd, 324, 16, p.tiles, p.tiles == 1 ? p.offsets[0] : offsetsAt);
		entry(ifd, 325, 16, p.tiles, p.tiles == 1 ? p.counts[0] : countsAt);
		entry(ifd, 339, 3, 1, p.sampleFormat);
		ifd.putLong(next);
		ifd.flip();
		long ifdAt = ch.size();
		while (ifd.hasRemaining()) ch.write(ifd, ifdAt + ifd.position());
		return ifdAt;
	}

	/** One 20-byte BigTIFF IFD entry; values of at most 8 bytes inline (little-endian, left-justified). */
	private static void entry(ByteBuffer b, int tag, int type, long count, long value) {
		b.putShort((short) tag).putShort((short) type).putLong(count);
		if (type == 3 && count == 1) b.putShort((short) value).putShort((short) 0).putInt(0);
		else if (type == 4 && count == 1) b.putInt((int) value).putInt(0);
		else b.putLong(value);
	}

	/** Pixels per centimetre along an axis, or NaN where the unit is neither mm nor µm. */
	private double pixelsPerCentimetre(int axis) {
		String u = calibration.unit();
		double s = calibration.spacing(axis);
		if ("mm".equals(u)) return 10 / s;
		if ("µm".equals(u) || "um".equals(u)) return 1e4 / s;
		return Double.NaN;
	}

	/** Deletes the unfinished files (after a failure or cancel); does nothing after {@link #finish}. */
	@Override
	public void close() {
		files.close();
		deflater.end();
	}
}
