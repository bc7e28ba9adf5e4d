package io.github.unetseg.facade;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.tiling.BatchMemoryException;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TilePolicy;

/**
 * Runs tiled inference and, when even one tile does not fit in memory (the engine's out-of-memory after
 * the batch has been halved to 1: {@link BatchMemoryException}), runs it again with tiles of half the
 * size per axis (on the network's grid, keeping at least one grid step of core inside the halo), as often
 * as the tile can shrink. Each retry is logged as a warning of the file's result. Whole-image plans
 * (no halo) shrink to tiles with the model's halo, so the result stays seam-free.
 */
final class TileRetry {

	/**
	 * A finished run and the plan it used.
	 *
	 * @param output what the run returned
	 * @param plan the plan that fitted
	 * @param <T> the run's output type
	 */
	record Result<T>(T output, TilePlan plan) {}

	private TileRetry() {}

	/**
	 * @param plan the first plan
	 * @param run the inference over a plan
	 * @param policy the model's tiling policy (alignment, halo)
	 * @param halo the halo the user gave ({@code null}: the model's)
	 * @param device the device, for messages
	 * @param warnings where each retry is recorded
	 * @param shrink whether tiles may shrink (not for networks that take one fixed input size)
	 * @return the output of the first plan that fits
	 * @throws SegmentationException when a tile of the smallest size still does not fit
	 */
	static <T> Result<T> run(TilePlan plan, Function<TilePlan, T> run, TilePolicy policy, long[] halo, String device, List<String> warnings,
		boolean shrink)
	{
		while (true) {
			try {
				return new Result<>(run.apply(plan), plan);
			}
			catch (BatchMemoryException e) {
				TilePlan smaller = shrink ? halved(plan, policy, halo) : null;
				if (smaller == null)
					throw new SegmentationException("A single tile of " + Arrays.toString(plan.tileSize()) + " pixels does not fit in memory on " +
						device + (shrink ? ", and tiles cannot get smaller for this model's halo" : " (the network takes no other size)") + ". Fix: " +
						"free memory, raise the limit (-Xmx, --mem)" + (shrink ? " or give a smaller --halo." : "."), e);
				String w = "out of memory with one tile of " + Arrays.toString(plan.tileSize()) + " pixels on " + device + "; retried with " +
					"tiles of " + Arrays.toString(smaller.tileSize());
				System.err.println("warning: " + w);
				warnings.add(w);
				plan = smaller;
			}
		}
	}

	/**
	 * @return the plan with half the tile per axis (rounded up to the alignment, at least {@code 2 halo +
	 *     alignment}), or {@code null} if no axis can shrink
	 */
	static TilePlan halved(TilePlan plan, TilePolicy policy, long[] halo) {
		long[] h = halo != null ? perAxis(halo, plan.tileSize().length) : policy.modelHalo();
		int a = policy.alignment();
		long[] t = plan.tileSize().clone();
		boolean smaller = false;
		for (int d = 0; d < t.length; d++) {
			long least = roundUp(2 * h[d] + a, a), half = Math.max(least, roundUp(t[d] / 2, a));
			if (half < t[d]) {
				t[d] = half;
				smaller = true;
			}
		}
		return smaller ? policy.plan(plan.imageSize(), t, h, plan.overlap(), plan.border()) : null;
	}

	private static long[] perAxis(long[] v, int n) {
		if (v.length == n) return v;
		long[] out = new long[n];
		Arrays.fill(out, v[0]);
		return out;
	}

	private static long roundUp(long v, long m) {
		return (v + m - 1) / m * m;
	}
}
