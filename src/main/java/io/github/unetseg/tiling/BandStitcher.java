package io.github.unetseg.tiling;

import java.util.Arrays;

/**
 * Stitching for images larger than memory: the blended sums are kept for a band of planes only (z planes
 * of a 3D image, rows of a 2D image; as deep as a tile), and each plane is handed on, normalised, as soon as
 * no later tile can write to it. Tiles arrive in plan order (x fastest, the last axis slowest), so a tile
 * whose write region starts at plane {@code m} finishes every plane below {@code m}. The values are those
 * of the in-memory {@link Stitcher} bit for bit (same window, same order of additions:
 * {@link Stitcher#accumulate}). Memory: {@code (plane size) * depth * (channels + 1)} floats, {@code depth}
 * the tile's size along the last axis.
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
	}

	private final TilePlan plan;
	private final int channels;
	private final PlaneSink sink;
	private final GaussianWindow window;
	private final long planeVoxels, depth, planes;
	private final float[] accumulator, weights, plane;
	private long bandStart;

	/**
	 * @param plan the plan whose tiles will be added, in its order
	 * @param channels output channels
	 * @param sink where finished planes go
	 * @throws IllegalArgumentException if the band would exceed 2<sup>31</sup> - 9 values
	 */
	public BandStitcher(TilePlan plan, int channels, PlaneSink sink) {
		this.plan = plan;
		this.channels = channels;
		this.sink = sink;
		long[] size = plan.imageSize();
		int last = size.length - 1;
		planeVoxels = last == 2 ? size[0] * size[1] : size[0];
		planes = size[last];
		depth = Math.min(planes, plan.tileSize()[last]);
		if (planeVoxels * depth * channels > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("a band of " + depth + " planes of " + Arrays.toString(size) + " x " + channels +
				" channels exceeds 2^31 values; use a smaller tile along the last axis");
		window = plan.blends() ? new GaussianWindow(plan.coreSize(), GaussianWindow.DEFAULT_SIGMA_SCALE) : null;
		accumulator = new float[(int) (planeVoxels * depth * channels)];
		weights = window == null ? null : new float[(int) (planeVoxels * depth)];
		plane = new float[(int) (planeVoxels * channels)];
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
		Stitcher.accumulate(out, plan, window, channels, accumulator, weights, bandStart, planeVoxels * depth);
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
