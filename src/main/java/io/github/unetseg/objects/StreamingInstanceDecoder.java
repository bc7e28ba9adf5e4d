package io.github.unetseg.objects;

import java.util.Arrays;

import io.github.unetseg.tiling.BandStitcher;

/**
 * Instance decoding ({@link InstanceDecoder}) of a probability map that arrives plane by plane (3D: z
 * planes; 2D: rows) from {@link BandStitcher}, for images larger than memory: objects are found in
 * overlapping windows of {@code window} planes that advance by {@code window - overlap} planes, and each
 * object is kept by exactly one window, the one in whose owned range its first plane lies, so an object is
 * neither cut at a window border nor counted twice (the block scheme of StarDist's
 * {@code predict_instances_big}, Weigert et al. 2020, along one axis).
 *
 * <p>Window {@code k} starts at plane {@code s_k = k (window - overlap)} and owns the objects whose first
 * plane lies in {@code [s_k + overlap/2, s_{k+1} + overlap/2)} (from 0 for the first window, to the end for
 * the last). An object no taller than {@code overlap/2} planes lies wholly inside its owning window, away
 * from the window's ends, and comes out as the whole image's decoding gives it where the foreground it
 * touches lies within the window; taller objects that reach the owning window's last plane are kept cut
 * there and counted in {@link #cutObjects()}. Objects are numbered 1, 2, ... in the order of their first
 * voxel in raster order, as in memory; a voxel claimed by two windows keeps the first. Label planes are
 * handed on once no later window can reach them.
 *
 * <p>Memory: three planes' worth of values per window plane (two probability channels and the labels) and
 * the decoder's work arrays for one window, independent of the image's extent along the streaming axis.
 */
public final class StreamingInstanceDecoder implements BandStitcher.PlaneSink {

	/** Receives finished label planes. */
	public interface LabelSink {

		/**
		 * @param z the plane's index along the streaming axis, increasing from 0 by 1 over the calls
		 * @param labels object ids of the plane ({@code [y][x]} flat in 3D, {@code [x]} in 2D), 0 = background;
		 *     reused after the call returns
		 */
		void plane(long z, int[] labels);
	}

	private final int[] planeSize;
	private final int planeVoxels, window, overlap;
	private final long planes;
	private final InstanceDecoder.Parameters parameters;
	private final LabelSink sink;
	private final BandStitcher.PlaneSink probabilities;
	private final float[] background, interior;
	private final int[] labels, out;
	/** First plane of the current window; planes received so far; first plane not yet handed on. */
	private long windowStart, received, emitted;
	private long count, cut;

	/**
	 * @param size spatial size {@code [x, y(, z)]}; planes run along the last axis
	 * @param parameters thresholds and minimum size
	 * @param window planes per window, &gt; {@code overlap}
	 * @param overlap planes shared by neighbouring windows, even, &gt;= 2; at least twice the objects' extent
	 *     along the streaming axis
	 * @param sink where finished label planes go
	 * @param probabilities where the probability planes go as well (e.g. a probability file), or {@code null}
	 * @throws IllegalArgumentException for a window not larger than the overlap, an odd overlap, or a window
	 *     of more than 2<sup>31</sup> - 9 voxels
	 */
	public StreamingInstanceDecoder(long[] size, InstanceDecoder.Parameters parameters, int window, int overlap, LabelSink sink,
		BandStitcher.PlaneSink probabilities)
	{
		int n = size.length;
		if (overlap < 2 || overlap % 2 != 0 || window <= overlap)
			throw new IllegalArgumentException("window " + window + " must exceed the overlap " + overlap + ", which must be even and >= 2");
		long pv = 1;
		for (int d = 0; d < n - 1; d++) pv *= size[d];
		if (pv * window > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("a window of " + window + " planes of " + pv +
			" voxels exceeds 2^31 voxels");
		this.planeSize = n == 3 ? new int[] { (int) size[0], (int) size[1] } : new int[] { (int) size[0] };
		this.planeVoxels = (int) pv;
		this.planes = size[n - 1];
		this.window = (int) Math.min(window, planes);
		this.overlap = overlap;
		this.parameters = parameters;
		this.sink = sink;
		this.probabilities = probabilities;
		int voxels = this.window * planeVoxels;
		background = new float[voxels];
		interior = new float[voxels];
		labels = new int[voxels];
		out = new int[planeVoxels];
	}

	/**
	 * Takes the next plane of probabilities ({@code [channel][plane]} flat, channel 0 background, the others as
	 * the parameters' {@link InstanceDecoder.Target}) and decodes a window when it is complete.
	 */
	@Override
	public void plane(long z, float[] p) {
		if (z != received) throw new IllegalStateException("plane " + z + " arrived, " + received + " expected");
		int at = (int) (z - windowStart) * planeVoxels;
		System.arraycopy(p, 0, background, at, planeVoxels);
		int channels = p.length / planeVoxels;
		if (parameters.target() == InstanceDecoder.Target.BOUNDARY) System.arraycopy(p, planeVoxels, interior, at, planeVoxels); // p_interior
		else for (int i = 0; i < planeVoxels; i++) interior[at + i] = parameters.target().priority(p, i, planeVoxels, channels);
		received++;
		if (probabilities != null) probabilities.plane(z, p);
		if (received - windowStart == window || received == planes) decodeWindow();
	}

	/** @return objects found so far (all of them once every plane has arrived) */
	public long count() {
		return count;
	}

	/** @return objects taller than half the overlap that a window border cut */
	public long cutObjects() {
		return cut;
	}

	/** @return whether every plane has arrived and been decoded */
	public boolean finished() {
		return emitted == planes;
	}

	private void decodeWindow() {
		int depth = (int) (received - windowStart);
		boolean first = windowStart == 0, last = received == planes;
		int voxels = depth * planeVoxels;
		int[] size = planeSize.length == 2 ? new int[] { planeSize[0], planeSize[1], depth } : new int[] { planeSize[0], depth, 1 };
		// a full window is decoded in place; only the last, shorter one needs arrays of its own length
		InstanceDecoder.Instances found = voxels == background.length ? InstanceDecoder.decode(background, interior, size, parameters)
			: InstanceDecoder.decode(Arrays.copyOf(background, voxels), Arrays.copyOf(interior, voxels), size, parameters);
		int[] ids = found.labels();
		// first and last plane of each object in the window; objects come numbered by their first voxel
		int[] from = new int[found.count() + 1], to = new int[found.count() + 1];
		Arrays.fill(from, -1);
		for (int i = 0; i < voxels; i++) {
			int id = ids[i];
			if (id == 0) continue;
			int plane = i / planeVoxels;
			if (from[id] < 0) from[id] = plane;
			to[id] = plane;
		}
		long ownFrom = first ? 0 : overlap / 2, ownTo = last ? depth : window - overlap + overlap / 2;
		int[] global = new int[found.count() + 1];
		for (int id = 1; id <= found.count(); id++) {
			if (from[id] < ownFrom || from[id] >= ownTo) continue;
			global[id] = (int) ++count;
			if (!last && to[id] == depth - 1) cut++;
		}
		for (int i = 0; i < voxels; i++) if (global[ids[i]] != 0 && labels[i] == 0) labels[i] = global[ids[i]];
		// planes before the next window's owned range are final
		long done = last ? planes : windowStart + window - overlap + overlap / 2;
		for (; emitted < done; emitted++) {
			System.arraycopy(labels, (int) (emitted - windowStart) * planeVoxels, out, 0, planeVoxels);
			sink.plane(emitted, out);
		}
		if (last) return;
		// the next window starts window - overlap planes later and keeps the last overlap planes
		int keep = overlap * planeVoxels, shift = (window - overlap) * planeVoxels;
		System.arraycopy(background, shift, background, 0, keep);
		System.arraycopy(interior, shift, interior, 0, keep);
		System.arraycopy(labels, shift, labels, 0, keep);
		Arrays.fill(labels, keep, labels.length, 0);
		windowStart += window - overlap;
	}
}
