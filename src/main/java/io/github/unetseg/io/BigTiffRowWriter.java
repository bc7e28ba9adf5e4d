package io.github.unetseg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.tiling.BandStitcher;

/**
 * Streams a 2D segmentation to uncompressed BigTIFF files row by row, for images larger than memory (a
 * whole-slide scan of 50,000 x 50,000 pixels has no NIfTI-1 form: its axes hold at most 32,767): labels as
 * one 8-bit page (or, for an instance model, one 32-bit unsigned page of object ids, {@link #objects}) (threshold for one output channel, argmax with the lowest index winning ties otherwise, as
 * in memory) and optionally the probabilities as one float32 page per channel. Rows are gathered into
 * strips of about 64 KiB and appended as {@link BandStitcher} finishes them; each page's strip offsets are
 * explicit, so the pages' strips may interleave in the file. The IFDs are written at the end. Pixel size in
 * the resolution tags (per centimetre) where the image is calibrated in mm or µm. Files are written under
 * temporary names and renamed by {@link #finish}; {@link #close} before that deletes them.
 *
 * <p>Format: TIFF 6.0 with the BigTIFF extension (Adobe/Aware Systems, 64-bit offsets, version 43).
 */
public final class BigTiffRowWriter implements PlaneWriter {

	private final Page[] labels, probabilities;
	private final TempOutputs files;
	private final int width, channels;
	private final double threshold;
	private final byte[] labelRow;
	private final Calibration calibration;
	private final boolean objectIds;

	/** One page's strips, gathered and appended to its file. */
	private final class Page {
		final int file, bytesPerSample, sampleFormat, rowsPerStrip;
		final long height;
		final long[] offsets, counts;
		final ByteBuffer strip;
		int strips, rowsInStrip;

		Page(int file, int bytesPerSample, int sampleFormat, long height) {
			this.file = file;
			this.bytesPerSample = bytesPerSample;
			this.sampleFormat = sampleFormat;
			this.height = height;
			long rowBytes = (long) width * bytesPerSample;
			rowsPerStrip = (int) Math.max(1, Math.min(height, (64 << 10) / rowBytes));
			int n = (int) ((height + rowsPerStrip - 1) / rowsPerStrip);
			offsets = new long[n];
			counts = new long[n];
			strip = ByteBuffer.allocate((int) (rowBytes * rowsPerStrip)).order(ByteOrder.LITTLE_ENDIAN);
		}

		void row(byte[] bytes, float[] floats, int from) throws IOException {
			if (bytes != null) strip.put(bytes, 0, width);
			else for (int x = 0; x < width; x++) strip.putFloat(floats[from + x]);
			if (++rowsInStrip == rowsPerStrip) flush();
		}

		void row(int[] ints) throws IOException {
			for (int x = 0; x < width; x++) strip.putInt(ints[x]);
			if (++rowsInStrip == rowsPerStrip) flush();
		}

		void flush() throws IOException {
			if (rowsInStrip == 0) return;
			strip.flip();
			long at = files.channel(file).size();
			offsets[strips] = at;
			counts[strips++] = strip.remaining();
			while (strip.hasRemaining()) files.channel(file).write(strip, at + strip.position());
			strip.clear();
			rowsInStrip = 0;
		}
	}

	/**
	 * @param labelsFile the labels {@code .btf} to create
	 * @param probabilitiesFile the probabilities {@code .btf} to create (one page per channel), or {@code null}
	 * @param size {@code [x, y]} in pixels
	 * @param channels output channels of the network, at most 256
	 * @param threshold probability threshold for one output channel
	 * @param calibration pixel size, written where it is in mm or µm
	 * @throws SegmentationException if a file cannot be created
	 */
	public BigTiffRowWriter(Path labelsFile, Path probabilitiesFile, long[] size, int channels, double threshold, Calibration calibration) {
		this(labelsFile, probabilitiesFile, size, channels, threshold, calibration, false);
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
	public BigTiffRowWriter(Path labelsFile, Path probabilitiesFile, long[] size, int channels, double threshold, Calibration calibration,
		boolean objectIds)
	{
		this.objectIds = objectIds;
		if (channels > 256) throw new IllegalArgumentException("8-bit labels hold at most 256 classes");
		if (size.length != 2) throw new IllegalArgumentException("rows of a 2D image, got " + Arrays.toString(size));
		this.width = Math.toIntExact(size[0]);
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
		labels = new Page[] { new Page(0, objectIds ? 4 : 1, 1, size[1]) };
		probabilities = probabilitiesFile == null ? new Page[0] : new Page[channels];
		for (int c = 0; c < probabilities.length; c++) probabilities[c] = new Page(1, 4, 3, size[1]);
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
	 * Writes the last strips and the IFDs, flushes the files to disk and renames them into place.
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
	}

	/** Appends one IFD per page (chained), their strip arrays, and points the header at the first. */
	private void writeIfds(int file, Page[] pages) throws IOException {
		FileChannel ch = files.channel(file);
		for (Page p : pages) p.flush();
		long next = 0;
		// written last page first, so each IFD knows its successor's offset
		for (int i = pages.length - 1; i >= 0; i--) next = writeIfd(ch, pages[i], next);
		ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
		h.put((byte) 'I').put((byte) 'I').putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(next);
		h.flip();
		ch.write(h, 0);
	}

	private long writeIfd(FileChannel ch, Page p, long next) throws IOException {
		long at = ch.size();
		ByteBuffer arrays = ByteBuffer.allocate(16 * p.strips).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < p.strips; i++) arrays.putLong(p.offsets[i]);
		for (int i = 0; i < p.strips; i++) arrays.putLong(p.counts[i]);
		arrays.flip();
		while (arrays.hasRemaining()) ch.write(arrays, at + arrays.position());
		long offsetsAt = at, countsAt = at + 8L * p.strips;
		double perCm = pixelsPerCentimetre(0), perCmY = pixelsPerCentimetre(1);
		int entries = Double.isNaN(perCm) ? 11 : 14;
		ByteBuffer ifd = ByteBuffer.allocate(8 + 20 * entries + 8).order(ByteOrder.LITTLE_ENDIAN);
		ifd.putLong(entries);
		entry(ifd, 256, 4, 1, width);
		entry(ifd, 257, 4, 1, p.height);
		entry(ifd, 258, 3, 1, 8 * p.bytesPerSample);
		entry(ifd, 259, 3, 1, 1);
		entry(ifd, 262, 3, 1, 1);
		entry(ifd, 273, 16, p.strips, p.strips == 1 ? p.offsets[0] : offsetsAt);
		entry(ifd, 277, 3, 1, 1);
		entry(ifd, 278, 4, 1, p.rowsPerStrip);
		entry(ifd, 279, 16, p.strips, p.strips == 1 ? p.counts[0] : countsAt);
		if (!Double.isNaN(perCm)) {
			entry(ifd, 282, 5, 1, Math.round(perCm * 1000) & 0xffffffffL | 1000L << 32);
			entry(ifd, 283, 5, 1, Math.round(perCmY * 1000) & 0xffffffffL | 1000L << 32);
		}
		entry(ifd, 284, 3, 1, 1);
		if (!Double.isNaN(perCm)) entry(ifd, 296, 3, 1, 3);
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
	}
}
