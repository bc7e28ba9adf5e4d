package io.github.unetseg.tiling;

import java.util.Arrays;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Assembles per-tile network outputs into one probability image and turns it into labels.
 *
 * <p>Tile outputs have the layout of the network, {@code [z, y, x, channel]} row-major (channel
 * fastest), with the plan's tile size. The accumulator is a single {@code float[]} holding the image
 * as ImgLib2 {@code [x, y(, z), channel]} (x fastest), at most 2<sup>31</sup> - 1 values. When the
 * plan blends, each value is weighted by the {@link GaussianWindow} and divided by the summed weight at
 * the end; otherwise every pixel is written once and no weights are kept. The window spans the core;
 * pixels that border tiles write beyond it (the image-border side with {@link TilePlan.Border#SAME})
 * take its edge weight. A single-channel, unblended tile of exactly the image size becomes the result
 * without a copy (its output array is kept, so callers must not reuse it).
 *
 * <p>Not thread-safe: one thread adds tiles.
 */
public final class Stitcher implements TileSink {

	private final TilePlan plan;
	private final int channels;
	private final long[] size;
	private final long voxels;
	private float[] accumulator;
	private final float[] weights;
	private final GaussianWindow window;

	/**
	 * @param plan the tile plan whose tiles will be added
	 * @param channels output channels of the network (1 for a binary sigmoid model), &gt;= 1
	 * @throws IllegalArgumentException if the image times channels exceeds 2<sup>31</sup> - 9 values
	 */
	public Stitcher(TilePlan plan, int channels) {
		if (channels < 1) throw new IllegalArgumentException("channels must be >= 1, got " + channels);
		this.plan = plan;
		this.channels = channels;
		this.size = plan.imageSize();
		long v = 1;
		for (long s : size) v *= s;
		this.voxels = v;
		if (v * channels > Integer.MAX_VALUE - 8)
			throw new IllegalArgumentException("image of " + Arrays.toString(size) + " pixels x " + channels +
				" channels exceeds the 2^31 values an in-memory result can hold");
		this.window = plan.blends() ? new GaussianWindow(plan.windowSize(), GaussianWindow.DEFAULT_SIGMA_SCALE) : null;
		this.weights = plan.blends() ? new float[(int) v] : null;
	}

	/**
	 * Adds one tile's network output. A loop over the arrays rather than over ImgLib2 views: the
	 * stitching of a batch runs beside the next batch's prediction and must stay far cheaper than it
	 * (bench/RESULTS.md, session 2: stitching 6-90 ms per 2048² image before the array path, 0 ms for a
	 * whole-image tile, which becomes the result without a copy).
	 *
	 * @param out a tile of the plan and its network output
	 */
	@Override
	public void add(TileOutput out) {
		Tile tile = out.tile();
		float[] output = out.data();
		int offset = out.offset();
		if (accumulator == null) {
			if (coversImage(tile, output, offset)) {
				// one tile of exactly the image, one channel: the network's [z, y, x, 1] layout is ImgLib2's [x, y, z, 1]
				accumulator = output;
				return;
			}
			accumulator = new float[(int) (voxels * channels)];
		}
		accumulate(out, plan, window, channels, accumulator, weights, 0, voxels);
	}

	/**
	 * Adds a tile's output to accumulators that hold planes {@code zFrom ..} of a 3D image, or rows
	 * {@code zFrom ..} of a 2D image (all of it for {@code zFrom = 0} and the image's voxel count): weighted by the window and its weight summed where the
	 * plan blends, written once otherwise. Shared by {@link Stitcher} and {@link BandStitcher}, so that a band
	 * gives the whole image's values bit for bit.
	 *
	 * @param out a tile's output
	 * @param plan its plan
	 * @param window the blending window, or {@code null} for a plan without blending
	 * @param channels output channels
	 * @param accumulator {@code [x, y, z - zFrom, channel]} (2D: {@code [x, y - zFrom, channel]}), x fastest, {@code accVoxels}
	 *     per channel
	 * @param weights summed weights per voxel, or {@code null} without blending
	 * @param zFrom the first plane (2D: row) the accumulators hold
	 * @param accVoxels voxels per channel in the accumulators
	 */
	static void accumulate(TileOutput out, TilePlan plan, GaussianWindow window, int channels, float[] accumulator, float[] weights, long zFrom,
		long accVoxels)
	{
		Tile tile = out.tile();
		float[] output = out.data();
		long[] size = plan.imageSize();
		int n = size.length;
		long[] wo = tile.writeOffset();
		long[] wm = tile.writeMin();
		long[] ws = tile.writeSize();
		int nz = n == 3 ? (int) ws[2] : 1;
		int sx = (int) size[0], sy = (int) size[1];
		long[] halo = plan.halo();
		float[] wx = window == null ? null : window.axis(0);
		float[] wy = window == null ? null : window.axis(1);
		float[] wz = window == null || n < 3 ? null : window.axis(2);
		for (int z = 0; z < nz; z++) {
			long srcZ = n == 3 ? wo[2] + z : 0;
			long dstZ = n == 3 ? wm[2] + z - zFrom : 0, rowFrom = n == 3 ? 0 : zFrom;
			float fz = wz == null ? 1 : wz[clamp(wo[2] + z - halo[2], wz.length)];
			for (int y = 0; y < ws[1]; y++) {
				int src = out.index(wo[0], wo[1] + y, srcZ);
				int dst = (int) ((dstZ * sy + wm[1] + y - rowFrom) * sx + wm[0]);
				if (window == null && channels == 1) System.arraycopy(output, src, accumulator, dst, (int) ws[0]);
				else if (window == null) {
					for (int x = 0; x < ws[0]; x++, dst++)
						for (int c = 0; c < channels; c++) accumulator[dst + (int) (c * accVoxels)] = output[src++];
				}
				else {
					float fyz = fz * wy[clamp(wo[1] + y - halo[1], wy.length)];
					long cx = wo[0] - halo[0];
					for (int x = 0; x < ws[0]; x++, dst++) {
						float w = fyz * wx[clamp(cx + x, wx.length)];
						weights[dst] += w;
						for (int c = 0; c < channels; c++) accumulator[dst + (int) (c * accVoxels)] += w * output[src++];
					}
				}
			}
		}
	}

	/** Whether this output can be the result as it is: a single-channel, unblended tile of exactly the image. */
	private boolean coversImage(Tile tile, float[] output, int offset) {
		if (window != null || channels != 1 || offset != 0 || output.length != voxels) return false;
		for (int d = 0; d < size.length; d++)
			if (tile.inputMin()[d] != 0 || tile.writeMin()[d] != 0 || tile.writeSize()[d] != size[d] || plan.tileSize()[d] != size[d])
				return false;
		return true;
	}

	/**
	 * Window index of a core position; border tiles of {@link TilePlan.Border#SAME} also write the halo
	 * on their image-border side, which no other tile covers, so it takes the edge weight.
	 */
	private static int clamp(long i, int length) {
		return (int) Math.max(0, Math.min(length - 1, i));
	}

	/**
	 * Finishes stitching: normalises blended values and derives labels.
	 *
	 * <p>Binary models ({@code channels == 1}) give label 1 where the probability exceeds
	 * {@code threshold}, else 0. Multiclass models give the index of the largest channel (argmax; the
	 * lowest index wins ties). Labels are 8-bit for up to 256 classes, else 16-bit.
	 *
	 * @param threshold probability threshold for binary models, in {@code [0, 1]}
	 * @param calibration calibration of the input image, copied to the outputs
	 * @return labels {@code [x, y(, z), 1]} and probabilities {@code [x, y(, z), channels]} in {@code [0, 1]}
	 */
	public StitchedResult finish(double threshold, Calibration calibration) {
		if (accumulator == null) accumulator = new float[(int) (voxels * channels)];
		if (weights != null) {
			for (int c = 0; c < channels; c++) {
				int base = (int) (c * voxels);
				for (int i = 0; i < voxels; i++) accumulator[base + i] /= weights[i];
			}
		}
		return fromProbabilities(accumulator, size, channels, threshold, calibration);
	}

	/**
	 * Labels from probabilities, as {@link #finish} derives them: label 1 above {@code threshold} for a
	 * binary model, the argmax (lowest index on ties) otherwise; 8-bit for up to 256 classes, else 16-bit.
	 *
	 * @param probabilities flat {@code [x, y(, z), channels]} (x fastest), kept as the result's probabilities
	 * @param size spatial size {@code [x, y(, z)]}
	 * @param channels 1 (binary) or the class count
	 * @param threshold probability threshold for binary models, in {@code [0, 1]}
	 * @param calibration calibration of both outputs
	 * @return labels {@code [x, y(, z), 1]} and the probabilities as an image
	 */
	public static StitchedResult fromProbabilities(float[] probabilities, long[] size, int channels, double threshold,
		Calibration calibration)
	{
		long voxels = 1;
		for (long s : size) voxels *= s;
		long[] labelDims = Arrays.copyOf(size, size.length + 1);
		labelDims[size.length] = 1;
		long[] probDims = labelDims.clone();
		probDims[size.length] = channels;
		ArrayImg<FloatType, ?> probs = ArrayImgs.floats(probabilities, probDims);
		Volume<?> labels;
		int nv = (int) voxels;
		if (channels <= 256) {
			byte[] l = new byte[nv];
			for (int i = 0; i < nv; i++) l[i] = (byte) label(probabilities, i, nv, channels, threshold);
			ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(l, labelDims);
			labels = new Volume<>(img, calibration);
		}
		else {
			short[] l = new short[nv];
			for (int i = 0; i < nv; i++) l[i] = (short) label(probabilities, i, nv, channels, threshold);
			ArrayImg<UnsignedShortType, ShortArray> img = ArrayImgs.unsignedShorts(l, labelDims);
			labels = new Volume<>(img, calibration);
		}
		return new StitchedResult(labels, new Volume<>(probs, calibration));
	}

	/**
	 * The label of one voxel, the rule of every output path (in memory, streamed planes and bands): 1 where the
	 * probability exceeds {@code threshold} for one channel, else the argmax (the lowest index wins ties).
	 *
	 * @param p probabilities
	 * @param at index of the voxel's channel 0 in {@code p}
	 * @param step distance between its channels in {@code p} (voxels for planar {@code [channel][voxel]}, 1 for
	 *     interleaved {@code [voxel][channel]})
	 * @param channels output channels
	 * @param threshold probability threshold for one channel
	 * @return the class index
	 */
	public static int label(float[] p, int at, int step, int channels, double threshold) {
		if (channels == 1) return p[at] > threshold ? 1 : 0;
		int best = 0;
		float max = p[at];
		for (int c = 1; c < channels; c++) {
			float v = p[at + c * step];
			if (v > max) {
				max = v;
				best = c;
			}
		}
		return best;
	}

	/**
	 * The stitched outputs.
	 *
	 * @param labels label image {@code [x, y(, z), 1]}, 8-bit ({@code UnsignedByteType}) or 16-bit
	 *     ({@code UnsignedShortType}), values are class indices (0 = background)
	 * @param probabilities probabilities {@code [x, y(, z), channels]} as 32-bit float in {@code [0, 1]}:
	 *     one foreground channel for binary models, one channel per class otherwise
	 */
	public record StitchedResult(Volume<?> labels, Volume<FloatType> probabilities) {}
}
