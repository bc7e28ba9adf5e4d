package io.github.unetseg.tiling;

import java.util.Arrays;

/**
 * Stitching for images larger than memory: the blended sums are kept for a band of planes only (z planes
 * of a 3D image, rows of a 2D image; as deep as a tile), and each plane is handed on, normalised, as soon as
 * no later tile can write to it. Tiles arrive in plan order (x fastest, the last axis slowest), so a tile
 * whose write region starts at plane {@code m} finishes every plane below {@code m}. The values are those
 * of the in-memory {@link Stitcher} bit for bit (same window, same order of additions:
 * {@link Stitcher#accumulate}). Memory: {@code (plane size) * depth * (channels + 1)} floats ({@code channels}
 * without blending), {@code depth} the largest write region of a tile along the last axis (its core, plus the
 * overlap when blending; not its halo).
 *
 * <p>Not thread-safe: one thread adds tiles.
 */
public final class BandStitcher implements TileSink {

	/** Receives finished planes. */
	public interface PlaneSink {

		/**
		 * @param z the plane's index (2D: the row's y), increasing from 0 by 1 over the calls
		 * @param probabilities the plane's probabilities, {@code [channel][y][x]} flat (x fastest; 2D: {@code [channel][x]}),
		 *     in {@code [0, 1]}; reused after the call returns
		 */
		void plane(long z, float[] probabilities);

		/**
		 * A finished plane's class labels, from a stitcher made with {@link BandStitcher#labelsOnly}.
		 *
		 * @param z the plane's index (2D: the row's y), increasing from 0 by 1 over the calls
		 * @param labels the plane's labels {@code [y][x]} flat; reused after the call returns
		 * @throws UnsupportedOperationException for a sink that takes probabilities only
		 */
		default void labels(long z, byte[] labels) {
			throw new UnsupportedOperationException("this sink takes probabilities");
		}
	}

	private final TilePlan plan;
	private final int channels;
	private final PlaneSink sink;
	private final GaussianWindow window;
	private final long planeVoxels, depth, planes;
	private final float[] accumulator, weights, plane;
	/** The labels of the band, in labels-only mode (else null). */
	private final byte[] labelBand, labelPlane;
	private final double threshold;
	private long bandStart;

	/**
	 * @param plan the plan whose tiles will be added, in its order
	 * @param channels output channels
	 * @param sink where finished planes go
	 * @throws IllegalArgumentException if the band would exceed 2<sup>31</sup> - 9 values
	 */
	public BandStitcher(TilePlan plan, int channels, PlaneSink sink) {
		this(plan, channels, sink, false, 0);
	}

	/**
	 * A stitcher that keeps the band's class labels only, one byte per voxel instead of a float per voxel and
	 * channel, for a streamed image whose probabilities are not written: each voxel's label is taken from the
	 * one tile that writes it (1 where the probability exceeds {@code threshold} for one output channel, else
	 * the argmax with the lowest index winning ties: {@link Stitcher#label}, the rule of the float path),
	 * and finished planes go to {@link PlaneSink#labels}.
	 *
	 * @param plan the plan whose tiles will be added, in its order; without blending (no overlap)
	 * @param channels output channels, at most 256
	 * @param threshold probability threshold for one output channel
	 * @param sink where finished planes' labels go
	 * @return the stitcher
	 * @throws IllegalArgumentException for a plan that blends, more than 256 channels, or a band beyond 2<sup>31</sup> - 9 voxels
	 */
	public static BandStitcher labelsOnly(TilePlan plan, int channels, double threshold, PlaneSink sink) {
		if (plan.blends()) throw new IllegalArgumentException("a blending plan needs the probabilities' sums");
		if (channels > 256) throw new IllegalArgumentException("8-bit labels hold at most 256 classes");
		return new BandStitcher(plan, channels, sink, true, threshold);
	}

	private BandStitcher(TilePlan plan, int channels, PlaneSink sink, boolean labelsOnly, double threshold) {
		this.plan = plan;
		this.threshold = threshold;
		this.channels = channels;
		this.sink = sink;
		long[] size = plan.imageSize();
		int last = size.length - 1;
		planeVoxels = last == 2 ? size[0] * size[1] : size[0];
		planes = size[last];
		// deep enough for the largest write region along the last axis (the tile's core, plus the overlap when blending)
		long deepest = 1;
		for (Tile t : plan.tiles()) deepest = Math.max(deepest, t.writeSize()[last]);
		depth = Math.min(planes, deepest);
		if (planeVoxels * depth * (labelsOnly ? 1 : channels) > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("a band of " + depth + " planes of " + Arrays.toString(size) + " x " + channels +
				" channels exceeds 2^31 values; use a smaller tile along the last axis");
		window = plan.blends() ? new GaussianWindow(plan.windowSize(), GaussianWindow.DEFAULT_SIGMA_SCALE) : null;
		accumulator = labelsOnly ? null : new float[(int) (planeVoxels * depth * channels)];
		weights = window == null || labelsOnly ? null : new float[(int) (planeVoxels * depth)];
		plane = labelsOnly ? null : new float[(int) (planeVoxels * channels)];
		labelBand = labelsOnly ? new byte[(int) (planeVoxels * depth)] : null;
		labelPlane = labelsOnly ? new byte[(int) planeVoxels] : null;
	}

	@Override
	public void add(TileOutput out) {
		Tile tile = out.tile();
		int last = plan.imageSize().length - 1;
		long from = tile.writeMin()[last];
		if (from < bandStart) throw new IllegalStateException("tile " + tile + " arrives after plane " + from + " was finished");
		flushTo(from);
		long to = from + tile.writeSize()[last];
		if (to > bandStart + depth)
			throw new IllegalStateException("tile " + tile + " writes planes up to " + to + ", beyond the band ending at " + (bandStart + depth));
		if (labelBand != null) labels(out);
		else Stitcher.accumulate(out, plan, window, channels, accumulator, weights, bandStart, planeVoxels * depth);
	}

	/** Labels of a tile's write region into the band (labels-only mode; no window: one tile writes each voxel). */
	private void labels(TileOutput out) {
		Tile tile = out.tile();
		float[] output = out.data();
		long[] size = plan.imageSize(), wo = tile.writeOffset(), wm = tile.writeMin(), ws = tile.writeSize();
		int n = size.length, nz = n == 3 ? (int) ws[2] : 1, sx = (int) size[0], sy = (int) size[1];
		for (int z = 0; z < nz; z++) {
			long srcZ = n == 3 ? wo[2] + z : 0;
			long dstZ = n == 3 ? wm[2] + z - bandStart : 0, rowFrom = n == 3 ? 0 : bandStart;
			for (int y = 0; y < ws[1]; y++) {
				int src = out.index(wo[0], wo[1] + y, srcZ);
				int dst = (int) ((dstZ * sy + wm[1] + y - rowFrom) * sx + wm[0]);
				for (int x = 0; x < ws[0]; x++, src += channels) labelBand[dst++] = (byte) Stitcher.label(output, src, 1, channels, threshold);
			}
		}
	}

	/** Hands on every remaining plane. */
	public void finish() {
		flushTo(planes);
	}

	/** Normalises and hands on planes {@code bandStart .. end - 1}, then moves the band to start at {@code end}. */
	private void flushTo(long end) {
		if (end <= bandStart) return;
		if (end - bandStart > depth) throw new IllegalStateException("planes " + (bandStart + depth) + ".." + (end - 1) + " got no tile");
		int done = (int) (end - bandStart), pv = (int) planeVoxels, band = (int) (planeVoxels * depth);
		if (labelBand != null) {
			for (int p = 0; p < done; p++) {
				System.arraycopy(labelBand, p * pv, labelPlane, 0, pv);
				sink.labels(bandStart + p, labelPlane);
			}
			System.arraycopy(labelBand, done * pv, labelBand, 0, ((int) depth - done) * pv);
			Arrays.fill(labelBand, ((int) depth - done) * pv, band, (byte) 0);
			bandStart = end;
			return;
		}
		for (int p = 0; p < done; p++) {
			for (int c = 0; c < channels; c++)
				for (int i = 0; i < pv; i++) {
					float v = accumulator[c * band + p * pv + i];
					plane[c * pv + i] = weights == null ? v : v / weights[p * pv + i];
				}
			sink.plane(bandStart + p, plane);
		}
		// shift the unfinished planes to the front and clear the rest
		int keep = (int) depth - done;
		for (int c = 0; c < channels; c++) {
			System.arraycopy(accumulator, c * band + done * pv, accumulator, c * band, keep * pv);
			Arrays.fill(accumulator, c * band + keep * pv, (c + 1) * band, 0);
		}
		if (weights != null) {
			System.arraycopy(weights, done * pv, weights, 0, keep * pv);
			Arrays.fill(weights, keep * pv, band, 0);
		}
		bandStart = end;
	}
}
