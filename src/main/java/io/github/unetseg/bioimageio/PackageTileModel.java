package io.github.unetseg.bioimageio;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.PixelArrays;
import io.github.unetseg.tiling.TileModel;

/**
 * A bioimage.io package's weights ({@link PackageNetwork}: ONNX Runtime or TensorFlow Java) as a
 * {@link TileModel}, so that unetseg's tiling, stitching, batching and progress run them like its own
 * networks. Each tile is reordered from unetseg's layout {@code [(z,) y, x, c]} into the package's axis
 * order (e.g. {@code b, c, y, x}), run, given the package's per-pixel postprocessing (e.g.
 * {@code sigmoid}), and reordered back. Tiles run one at a time (many packages fix the batch axis at 1).
 */
public final class PackageTileModel implements TileModel, AutoCloseable {

	private final PackageNetwork model;
	private final List<String> inAxes, outAxes;
	private final List<ModelDescription.Step> post;
	private final int inputChannels, outputChannels;
	/** The network's fixed input size {@code [x, y(, z)]}, or {@code null} where it takes other sizes. */
	private final long[] fixed;

	/**
	 * @param d the package (one input, one output)
	 * @param network its weights, loaded; closed with this model
	 * @param inputChannels the input's channel count
	 * @param outputChannels the output's channel count
	 */
	public PackageTileModel(ModelDescription d, PackageNetwork network, int inputChannels, int outputChannels) {
		this.model = network;
		this.inAxes = d.inputs().get(0).axisIds();
		this.outAxes = d.outputs().get(0).axisIds();
		this.post = d.outputs().get(0).steps();
		this.inputChannels = inputChannels;
		this.outputChannels = outputChannels;
		ModelDescription.Tensor in = d.inputs().get(0);
		List<ModelDescription.Axis> xyz = Stream.of("x", "y", "z").map(in::axis).flatMap(Optional::stream).toList();
		this.fixed = xyz.stream().allMatch(a -> a.size() > 0) ? xyz.stream().mapToLong(ModelDescription.Axis::size).toArray() : null;
	}

	/** @return the weight format that runs ({@link PackageNetwork#format()}) */
	public String format() {
		return model.format();
	}

	@Override
	public int inputChannels() {
		return inputChannels;
	}

	@Override
	public int outputChannels() {
		return outputChannels;
	}

	/**
	 * Runs tiles; a network with a fixed input size gets smaller tiles mirror-padded to that size (an
	 * image smaller than the network's input) and its output cropped back.
	 *
	 * @throws SegmentationException for a tile larger than a fixed input size
	 */
	@Override
	public float[] predict(float[] input, int batch, long[] tileSize) {
		if (fixed != null && !Arrays.equals(fixed, tileSize)) return padded(input, batch, tileSize);
		int n = tileSize.length;
		long voxels = 1;
		for (long s : tileSize) voxels *= s;
		float[] out = new float[(int) (batch * voxels * outputChannels)];
		long[] shape = shape(inAxes, tileSize, inputChannels);
		for (int b = 0; b < batch; b++) {
			float[] t = new float[(int) (voxels * inputChannels)];
			reorder(input, (int) (b * voxels * inputChannels), t, tileSize, inputChannels, inAxes, true);
			PackageNetwork.Data r = model.run(List.of(new PackageNetwork.Data(t, shape))).get(0);
			long expected = voxels * outputChannels;
			if (r.values().length != expected)
				throw new SegmentationException("the network gave " + r.values().length + " values for a tile of " + voxels + " pixels and " +
					outputChannels + " output channel(s). Fix: check the package's output axes and halo.");
			float[] v = Processing.apply(post, r.values(), r.shape(), outAxes);
			reorder(out, (int) (b * voxels * outputChannels), v, tileSize, outputChannels, outAxes, false);
		}
		return out;
	}

	private float[] padded(float[] input, int batch, long[] tileSize) {
		int n = tileSize.length;
		for (int d = 0; d < n; d++)
			if (tileSize[d] > fixed[d])
				throw new SegmentationException("the network takes tiles of exactly " + Arrays.toString(fixed) + " pixels, got " +
					Arrays.toString(tileSize) + ". Fix: leave tile at auto.");
		long tv = 1, fv = 1;
		for (int d = 0; d < n; d++) {
			tv *= tileSize[d];
			fv *= fixed[d];
		}
		long[] t3 = { tileSize[0], tileSize[1], n > 2 ? tileSize[2] : 1 }, f3 = { fixed[0], fixed[1], n > 2 ? fixed[2] : 1 };
		float[] out = new float[(int) (batch * tv * outputChannels)];
		for (int b = 0; b < batch; b++) {
			float[] big = new float[(int) (fv * inputChannels)];
			int o = 0;
			for (long z = 0; z < f3[2]; z++)
				for (long y = 0; y < f3[1]; y++)
					for (long x = 0; x < f3[0]; x++) {
						long src = PixelArrays.mirror(x, t3[0]) + t3[0] * (PixelArrays.mirror(y, t3[1]) +
							t3[1] * PixelArrays.mirror(z, t3[2]));
						for (int c = 0; c < inputChannels; c++) big[o++] = input[(int) ((b * tv + src) * inputChannels + c)];
					}
			float[] r = predict(big, 1, fixed);
			int w = 0;
			for (long z = 0; z < t3[2]; z++)
				for (long y = 0; y < t3[1]; y++)
					for (long x = 0; x < t3[0]; x++) {
						long at = x + f3[0] * (y + f3[1] * z);
						for (int c = 0; c < outputChannels; c++) out[(int) ((b * tv) * outputChannels) + w++] = r[(int) (at * outputChannels + c)];
					}
		}
		return out;
	}

	private static long[] shape(List<String> axes, long[] tileSize, int channels) {
		long[] s = new long[axes.size()];
		for (int i = 0; i < s.length; i++) {
			s[i] = switch (axes.get(i)) {
				case "b" -> 1;
				case "c" -> channels;
				case "x" -> tileSize[0];
				case "y" -> tileSize[1];
				case "z" -> tileSize.length > 2 ? tileSize[2] : 1;
				default -> 1;
			};
		}
		return s;
	}

	/**
	 * Copies between unetseg's tile layout {@code [(z,) y, x, c]} (at {@code offset} in {@code ours}) and
	 * the package's axis order ({@code theirs}, C order).
	 */
	private static void reorder(float[] ours, int offset, float[] theirs, long[] tileSize, int channels, List<String> axes, boolean toTheirs) {
		long[] shape = shape(axes, tileSize, channels);
		long[] stride = new long[shape.length];
		long s = 1;
		for (int i = shape.length - 1; i >= 0; i--) {
			stride[i] = s;
			s *= shape[i];
		}
		int ix = axes.indexOf("x"), iy = axes.indexOf("y"), iz = axes.indexOf("z"), ic = axes.indexOf("c");
		long nx = tileSize[0], ny = tileSize[1], nz = tileSize.length > 2 ? tileSize[2] : 1;
		int o = offset;
		for (long z = 0; z < nz; z++)
			for (long y = 0; y < ny; y++)
				for (long x = 0; x < nx; x++)
					for (int c = 0; c < channels; c++, o++) {
						long at = x * stride[ix] + y * stride[iy] + (iz >= 0 ? z * stride[iz] : 0) + (ic >= 0 ? c * stride[ic] : 0);
						if (toTheirs) theirs[(int) at] = ours[o];
						else ours[o] = theirs[(int) at];
					}
	}

	@Override
	public void close() {
		model.close();
	}
}
