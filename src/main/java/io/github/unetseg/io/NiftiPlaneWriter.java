package io.github.unetseg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.tiling.BandStitcher;

/**
 * Streams a segmentation to uncompressed NIfTI-1 files plane by plane, for volumes larger than memory:
 * labels (8-bit: threshold for one output channel, argmax with the lowest index winning ties otherwise,
 * as in memory; or 32-bit unsigned object ids of an instance model, {@link #objects}) and optionally the probabilities (float32, {@code [x, y, z, channel]}), each plane written
 * at its place in the file as {@link BandStitcher} finishes it. Nothing of the volume is kept in memory.
 * Files are written under temporary names and renamed by {@link #finish}; {@link #close} before that
 * deletes them.
 */
public final class NiftiPlaneWriter implements PlaneWriter {

	private static final int DATA_OFFSET = 352;

	private final TempOutputs files;
	private final int channels;
	private final double threshold;
	private final long planeVoxels, planes;
	private final ByteBuffer labelRow, floatRow;
	private final boolean objectIds;

	/**
	 * @param labels the labels {@code .nii} to create
	 * @param probabilities the probabilities {@code .nii} to create, or {@code null} for none
	 * @param size spatial size {@code [x, y(, z)]}
	 * @param channels output channels of the network, at most 256
	 * @param threshold probability threshold for one output channel
	 * @param calibration spacing and orientation written into the headers
	 * @throws SegmentationException if a file cannot be created
	 * @throws IllegalArgumentException for more than 256 classes
	 */
	public NiftiPlaneWriter(Path labels, Path probabilities, long[] size, int channels, double threshold, Calibration calibration) {
		this(labels, probabilities, size, channels, threshold, calibration, false);
	}

	/**
	 * @param labels the labels {@code .nii} to create
	 * @param probabilities the probabilities {@code .nii} to create, or {@code null} for none
	 * @param size spatial size {@code [x, y(, z)]}
	 * @param channels output channels of the network, at most 256
	 * @param threshold probability threshold for one output channel
	 * @param calibration spacing and orientation written into the headers
	 * @param objectIds whether the labels are 32-bit unsigned object ids given by {@link #objects} (instance
	 *     models) instead of 8-bit classes derived from the probabilities
	 * @throws SegmentationException if a file cannot be created
	 * @throws IllegalArgumentException for more than 256 classes
	 */
	public NiftiPlaneWriter(Path labels, Path probabilities, long[] size, int channels, double threshold, Calibration calibration,
		boolean objectIds)
	{
		if (channels > 256) throw new IllegalArgumentException("8-bit labels hold at most 256 classes");
		this.objectIds = objectIds;
		this.channels = channels;
		this.threshold = threshold;
		planeVoxels = size[0] * size[1];
		planes = size.length == 3 ? size[2] : 1;
		labelRow = ByteBuffer.allocate((int) planeVoxels * (objectIds ? 4 : 1)).order(ByteOrder.LITTLE_ENDIAN);
		floatRow = probabilities == null ? null : ByteBuffer.allocate((int) planeVoxels * 4).order(ByteOrder.LITTLE_ENDIAN);
		TempOutputs made = null;
		try {
			made = probabilities == null ? new TempOutputs(labels) : new TempOutputs(labels, probabilities);
			for (int f = 0; f < made.count(); f++) {
				int c = f == 0 ? 1 : channels, bytes = f == 0 && !objectIds ? 1 : 4;
				ByteBuffer h = NiftiIO.headerBytes(made.target(f), size, c, f == 0 ? (objectIds ? 768 : 2) : 16, calibration);
				h.position(0);
				made.channel(f).write(h, 0);
				made.channel(f).write(ByteBuffer.wrap(new byte[] { 0 }), DATA_OFFSET + planeVoxels * planes * c * bytes - 1);
			}
		}
		catch (IOException e) {
			if (made != null) made.close();
			throw new SegmentationException("Cannot create " + labels + ": " + e.getMessage() + ". Fix: choose a writable output folder " +
				"with room for the outputs.", e);
		}
		files = made;
	}

	@Override
	public void objects(long z, int[] ids) {
		if (!objectIds) throw new IllegalStateException("a writer of class labels");
		labelRow.clear();
		labelRow.asIntBuffer().put(ids, 0, (int) planeVoxels);
		try {
			write(files.channel(0), labelRow, DATA_OFFSET + z * planeVoxels * 4);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	@Override
	public void plane(long z, float[] p) {
		int pv = (int) planeVoxels;
		try {
			if (!objectIds) {
				PlaneWriter.labels(p, pv, channels, threshold, labelRow.array());
				write(files.channel(0), labelRow, DATA_OFFSET + z * planeVoxels);
			}
			if (floatRow != null)
				for (int c = 0; c < channels; c++) {
					floatRow.clear();
					floatRow.asFloatBuffer().put(p, c * pv, pv);
					write(files.channel(1), floatRow, DATA_OFFSET + ((c * planes + z) * planeVoxels) * 4);
				}
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	@Override
	public void labels(long z, byte[] labels) {
		if (objectIds) throw new IllegalStateException("a writer of object ids");
		try {
			labelRow.clear();
			labelRow.put(labels, 0, (int) planeVoxels);
			write(files.channel(0), labelRow, DATA_OFFSET + z * planeVoxels);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	private static void write(FileChannel f, ByteBuffer b, long at) throws IOException {
		b.clear();
		while (b.hasRemaining()) f.write(b, at + b.position());
	}

	/**
	 * Flushes the files to disk and renames them into place.
	 *
	 * @throws SegmentationException if they cannot be completed
	 */
	@Override
	public void finish() {
		try {
			files.finish();
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot complete " + files.target(0) + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	/** Deletes the unfinished files (after a failure or cancel); does nothing after {@link #finish}. */
	@Override
	public void close() {
		files.close();
	}
}
