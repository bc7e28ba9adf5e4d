package io.github.unetseg.tiling;

/**
 * Test-time augmentation by mirroring: a {@link TileModel} whose prediction of a batch of tiles is the mean
 * of the wrapped network's predictions of the tiles mirrored along every combination of the chosen
 * spatial axes, each mirrored back before averaging (2<sup>k</sup> network runs for k axes: 4 for a 2D
 * model mirrored along x and y, 8 for a 3D one). As nnU-Net's default inference ("mirroring", Isensee et
 * al., Nature Methods 18:203-211, 2021; {@code nnunetv2/inference/predict_from_raw_data.py},
 * {@code _internal_maybe_mirror_and_predict}), which averages the outputs over all mirrorings of the
 * axes mirrored in training; here probabilities are averaged, as nnU-Net v1 and MONAI's test-time
 * augmentation do. Mirroring a whole tile (core and halo) is exact: the tile's context is mirrored with
 * it. Tiles can be of any shape.
 *
 * <p>Layout as {@link TileModel}: {@code [batch, (z,) y, x, channel]}, channel fastest, tile size
 * {@code [x, y(, z)]}.
 */
public final class MirroredTileModel implements TileModel {

	private final TileModel network;
	private final boolean[] axes;
	/** The axis whose flip swaps paired classes, or -1; the output channel each channel becomes then. */
	private final int swapAxis;
	private final int[] swapChannels;

	/**
	 * @param network the network
	 * @param axes per spatial axis {@code [x, y(, z)]}, whether to mirror along it (only axes the network was
	 *     trained to be mirrored along: nnU-Net mirrors the axes its training mirrored)
	 * @throws IllegalArgumentException if no axis is mirrored
	 */
	public MirroredTileModel(TileModel network, boolean[] axes) {
		this(network, axes, -1, null);
	}

	/**
	 * Mirroring of a network whose classes have sides ({@code model.LeftRightMirroring}): the output of a
	 * run mirrored along {@code swapAxis} has its paired channels swapped back (a mirrored right organ is
	 * predicted as the left one) before averaging.
	 *
	 * @param network the network
	 * @param axes per spatial axis {@code [x, y(, z)]}, whether to mirror along it
	 * @param swapAxis the axis whose mirroring swaps paired classes, or -1 for none
	 * @param swapChannels per output channel the channel it is swapped with (a permutation that is its own
	 *     inverse), or {@code null} with {@code swapAxis} -1
	 * @throws IllegalArgumentException if no axis is mirrored, or the channel map does not fit the network
	 */
	public MirroredTileModel(TileModel network, boolean[] axes, int swapAxis, int[] swapChannels) {
		boolean any = false;
		for (boolean a : axes) any |= a;
		if (!any) throw new IllegalArgumentException("no axis to mirror");
		if (swapAxis >= 0 && (swapChannels == null || swapChannels.length != network.outputChannels() || swapAxis >= axes.length))
			throw new IllegalArgumentException("the channel swap needs one entry per output channel (" + network.outputChannels() + ") and an axis");
		this.network = network;
		this.axes = axes.clone();
		this.swapAxis = swapAxis;
		this.swapChannels = swapChannels == null ? null : swapChannels.clone();
	}

	@Override
	public int inputChannels() {
		return network.inputChannels();
	}

	@Override
	public int outputChannels() {
		return network.outputChannels();
	}

	/**
	 * @return the mean over all mirrorings of {@code network.predict}, same layout and size
	 * @throws BatchMemoryException as the network does
	 */
	@Override
	public float[] predict(float[] input, int batch, long[] tileSize) {
		if (tileSize.length != axes.length)
			throw new IllegalArgumentException("tiles have " + tileSize.length + " axes, the mirroring " + axes.length);
		int mask = 0;
		for (int d = 0; d < axes.length; d++) if (axes[d]) mask |= 1 << d;
		float[] sum = null;
		int runs = 0;
		// every subset of the mirrored axes, the empty one (the tile as it is) included
		for (int flips = mask;; flips = (flips - 1) & mask) {
			float[] out = network.predict(flips == 0 ? input : mirror(input, batch, tileSize, inputChannels(), flips), batch, tileSize);
			if (flips != 0) out = mirror(out, batch, tileSize, outputChannels(), flips);
			if (swapAxis >= 0 && (flips & 1 << swapAxis) != 0) out = permuteChannels(out, swapChannels);
			if (sum == null) sum = out;
			else for (int i = 0; i < sum.length; i++) sum[i] += out[i];
			runs++;
			if (flips == 0) break;
		}
		float scale = 1f / runs;
		for (int i = 0; i < sum.length; i++) sum[i] *= scale;
		return sum;
	}

	/** A copy with channel {@code c} of every voxel moved to channel {@code map[c]}. */
	static float[] permuteChannels(float[] tiles, int[] map) {
		int channels = map.length;
		float[] out = new float[tiles.length];
		for (int v = 0; v < tiles.length; v += channels)
			for (int c = 0; c < channels; c++) out[v + map[c]] = tiles[v + c];
		return out;
	}

	/**
	 * A copy of a batch of tiles mirrored along the axes whose bits are set ({@code 1 << d} for axis d of
	 * {@code [x, y(, z)]}); its own inverse.
	 */
	static float[] mirror(float[] tiles, int batch, long[] tileSize, int channels, int flips) {
		int nx = (int) tileSize[0], ny = (int) tileSize[1], nz = tileSize.length == 3 ? (int) tileSize[2] : 1;
		boolean fx = (flips & 1) != 0, fy = (flips & 2) != 0, fz = (flips & 4) != 0;
		float[] out = new float[tiles.length];
		for (int b = 0; b < batch; b++)
			for (int z = 0; z < nz; z++) {
				int sz = fz ? nz - 1 - z : z;
				for (int y = 0; y < ny; y++) {
					int sy = fy ? ny - 1 - y : y;
					int to = ((b * nz + z) * ny + y) * nx * channels, row = ((b * nz + sz) * ny + sy) * nx * channels;
					if (!fx) System.arraycopy(tiles, row, out, to, nx * channels);
					else for (int x = 0; x < nx; x++) System.arraycopy(tiles, row + (nx - 1 - x) * channels, out, to + x * channels, channels);
				}
			}
		return out;
	}
}
