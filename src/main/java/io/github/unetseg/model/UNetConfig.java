package io.github.unetseg.model;

/**
 * Architecture of a U-Net (Ronneberger, Fischer and Brox, MICCAI 2015; 3D variant: Çiçek et al.,
 * MICCAI 2016), as built by {@code io.github.unetseg.tensorflow.UNetBuilder}.
 *
 * <p>Each resolution level has two {@code 3 x 3 (x 3)} 'SAME' convolutions, each followed by optional
 * batch normalisation and a ReLU. The encoder halves the resolution {@code depth} times with
 * {@code 2 x 2 (x 2)} max pooling and doubles the filters each time; the decoder upsamples with
 * {@code 2 x 2 (x 2)} transposed convolutions of stride 2, concatenates the encoder's feature map of the
 * same level (skip connection) and applies two convolutions. A {@code 1 x 1} convolution gives
 * {@code classes == 1 ? 1 : classes} output channels, followed by a sigmoid (binary) or softmax
 * (multiclass). Dropout, when enabled, acts on the bottleneck during training only.
 *
 * @param dimensions 2 or 3 spatial dimensions
 * @param inputChannels channels of the input image, &gt;= 1
 * @param classes 1 for a binary model (one sigmoid channel: foreground probability), or the number
 *     of classes including background (&gt;= 2, softmax)
 * @param depth number of 2x downsamplings (CSBDeep's {@code unet_n_depth}), in {@code [1, 6]}; tile
 *     sizes must be multiples of 2<sup>depth</sup>
 * @param baseFilters filters of the first level, doubled at each deeper level, &gt;= 1
 * @param batchNorm whether each convolution is followed by batch normalisation
 * @param dropout dropout rate at the bottleneck during training, in {@code [0, 1)}
 */
public record UNetConfig(int dimensions, int inputChannels, int classes, int depth, int baseFilters, boolean batchNorm,
	double dropout)
{

	/** @throws IllegalArgumentException naming the field that is out of range */
	public UNetConfig {
		if (dimensions != 2 && dimensions != 3) throw new IllegalArgumentException("dimensions must be 2 or 3, got " + dimensions);
		if (inputChannels < 1) throw new IllegalArgumentException("inputChannels must be >= 1, got " + inputChannels);
		if (classes < 1) throw new IllegalArgumentException("classes must be >= 1 (1 = binary), got " + classes);
		if (depth < 1 || depth > 6) throw new IllegalArgumentException("depth must be in [1, 6], got " + depth);
		if (baseFilters < 1) throw new IllegalArgumentException("baseFilters must be >= 1, got " + baseFilters);
		if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
	}

	/** @return channels of the network output: 1 for binary, {@code classes} otherwise */
	public int outputChannels() {
		return classes == 1 ? 1 : classes;
	}

	/** @return 2<sup>depth</sup>: every tile size must be a multiple of it */
	public int alignment() {
		return 1 << depth;
	}

	/** @return filters at level {@code level} (0 = full resolution): {@code baseFilters * 2^level} */
	public int filters(int level) {
		return baseFilters << level;
	}

	/**
	 * Theoretical receptive-field radius: how far, in input pixels, an output pixel can see. Tile halos
	 * of at least this size make tiled and whole-image predictions equal up to float rounding; in
	 * practice the effective receptive field is much smaller and smaller halos already agree to 1e-3.
	 *
	 * @return radius in pixels along each axis
	 */
	public int receptiveFieldRadius() {
		int r = 0, jump = 1;
		for (int level = 0; level < depth; level++) {
			r += 2 * jump; // two 3x3 convolutions
			r += jump; // 2x2 pooling window
			jump *= 2;
		}
		r += 2 * jump; // bottleneck
		for (int level = depth - 1; level >= 0; level--) {
			jump /= 2;
			r += 2 * jump;
		}
		return r;
	}

	/**
	 * Multiply-add operations counted as 2 FLOPs, per input voxel, for one forward pass over a tile
	 * without halo: the cost of the network's convolutions (pooling, activations and the softmax are
	 * ignored, they are below 1%).
	 *
	 * @return FLOPs per voxel
	 */
	public double flopsPerVoxel() {
		int k = dimensions == 2 ? 9 : 27;
		double flops = 0;
		double scale = 1;
		int in = inputChannels;
		for (int level = 0; level <= depth; level++) {
			int f = filters(level);
			flops += scale * 2.0 * k * (in * f + f * f);
			in = f;
			if (level < depth) scale /= 1 << dimensions;
		}
		for (int level = depth - 1; level >= 0; level--) {
			scale *= 1 << dimensions;
			int f = filters(level);
			int upK = 1 << dimensions; // 2x2(x2) transposed convolution: one tap per output voxel
			flops += scale * 2.0 * (filters(level + 1) * f) * upK / (1 << dimensions);
			flops += scale * 2.0 * k * (2 * f * f + f * f);
		}
		flops += 2.0 * baseFilters * outputChannels();
		return flops;
	}
}
