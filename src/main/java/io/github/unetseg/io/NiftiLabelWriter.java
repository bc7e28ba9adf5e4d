package io.github.unetseg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.tiling.Tile;
import io.github.unetseg.tiling.TileOutput;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TileSink;

/**
 * Streams a label image to an uncompressed NIfTI-1 file tile by tile, for volumes larger than memory:
 * each tile's core is turned into labels (threshold for one output channel, argmax otherwise) and its
 * rows are written at their place in the file. Nothing of the volume is kept in memory. The file is
 * written under a temporary name and renamed by {@link #finish}; {@link #abort} deletes it. Needs a
 * plan without blending (every voxel written by one tile); labels are 8-bit (at most 256 classes).
 */
public final class NiftiLabelWriter implements TileSink, AutoCloseable {

	private static final int DATA_OFFSET = 352;

	private final Path target;
	private final Path tmp;
	private final FileChannel channel;
	private final TilePlan plan;
	private final int channels;
	private final double threshold;
	private final long[] size;
	private boolean done;

	/**
	 * @param target the {@code .nii} file to create
	 * @param plan the tile plan (no overlap blending), spatial size {@code [x, y, z]}
	 * @param channels output channels of the network, at most 256
	 * @param threshold probability threshold for one output channel
	 * @param calibration spacing and orientation written into the header
	 * @throws SegmentationException if the file cannot be created
	 * @throws IllegalArgumentException if the plan blends or there are more than 256 classes
	 */
	public NiftiLabelWriter(Path target, TilePlan plan, int channels, double threshold, Calibration calibration) {
		if (plan.blends()) throw new IllegalArgumentException("streaming labels needs a plan without overlap blending");
		if (channels > 256) throw new IllegalArgumentException("8-bit labels hold at most 256 classes");
		this.target = target;
		this.plan = plan;
		this.channels = channels;
		this.threshold = threshold;
		this.size = plan.imageSize();
		long voxels = 1;
		for (long s : size) voxels *= s;
		try {
			Path dir = target.toAbsolutePath().getParent();
			Files.createDirectories(dir);
			tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
			channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.READ);
			ByteBuffer h = NiftiIO.headerBytes(target, size, 1, 2, calibration);
			h.position(0);
			channel.write(h, 0);
			// the data region, filled by the tiles
			channel.write(ByteBuffer.wrap(new byte[] { 0 }), DATA_OFFSET + voxels - 1);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot create " + target + ": " + e.getMessage() + ". Fix: choose a writable output " +
				"folder with room for " + voxels + " bytes.", e);
		}
	}

	@Override
	public void add(TileOutput out) {
		Tile tile = out.tile();
		float[] output = out.data();
		long[] wo = tile.writeOffset(), wm = tile.writeMin(), ws = tile.writeSize();
		int n = size.length;
		int nz = n == 3 ? (int) ws[2] : 1;
		byte[] row = new byte[(int) ws[0]];
		ByteBuffer buf = ByteBuffer.wrap(row);
		try {
			for (int z = 0; z < nz; z++) {
				long srcZ = n == 3 ? wo[2] + z : 0, dstZ = n == 3 ? wm[2] + z : 0;
				for (int y = 0; y < ws[1]; y++) {
					int src = out.index(wo[0], wo[1] + y, srcZ);
					for (int x = 0; x < row.length; x++, src += channels) {
						if (channels == 1) row[x] = output[src] > threshold ? (byte) 1 : 0;
						else {
							int best = 0;
							for (int c = 1; c < channels; c++) if (output[src + c] > output[src + best]) best = c;
							row[x] = (byte) best;
						}
					}
					buf.clear();
					long pos = DATA_OFFSET + (dstZ * size[1] + wm[1] + y) * size[0] + wm[0];
					while (buf.hasRemaining()) channel.write(buf, pos + buf.position());
				}
			}
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + target + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	/**
	 * Flushes the file to disk and renames it into place.
	 *
	 * @throws SegmentationException if it cannot be completed
	 */
	public void finish() {
		try {
			channel.force(true);
			channel.close();
			AtomicFiles.move(tmp, target);
			done = true;
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot complete " + target + ": " + e.getMessage() + ". Fix: check free disk space.", e);
		}
	}

	/** Deletes the unfinished file (after a failure or cancel); does nothing after {@link #finish}. */
	public void abort() {
		if (done) return;
		try {
			channel.close();
			Files.deleteIfExists(tmp);
		}
		catch (IOException e) {
			// the temporary file is ours; the original error is the one reported
		}
	}

	/** Same as {@link #abort}: a writer that was not finished leaves nothing behind. */
	@Override
	public void close() {
		abort();
	}
}
