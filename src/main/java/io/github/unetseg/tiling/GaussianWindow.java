package io.github.unetseg.tiling;

/**
 * Separable Gaussian importance window for blending overlapping tile predictions.
 *
 * <p>Follows nnU-Net's {@code compute_gaussian} ({@code nnunetv2/inference/sliding_window_prediction.py}):
 * a Gaussian centred on the block with standard deviation {@code size * sigmaScale} per axis
 * ({@code sigmaScale = 1/8}), scaled to a maximum of 1. At the window's edge a 1-D weight is
 * {@code exp(-8)}, about 3.4e-4, so no pixel gets weight 0 (nnU-Net clamps zeros for the same reason).
 * Here it spans the tile's core (the part of the network output that is written), not the halo that
 * is cropped anyway.
 */
public final class GaussianWindow {

	/** nnU-Net's default: sigma = 1/8 of the window size. */
	public static final double DEFAULT_SIGMA_SCALE = 1.0 / 8;

	private final float[][] axisWeights;

	/**
	 * @param size window size per axis {@code [x, y(, z)]} in pixels, each &gt;= 1
	 * @param sigmaScale standard deviation as a fraction of the size, &gt; 0
	 * @throws IllegalArgumentException on a size &lt; 1 or a non-positive {@code sigmaScale}
	 */
	public GaussianWindow(long[] size, double sigmaScale) {
		if (!(sigmaScale > 0)) throw new IllegalArgumentException("sigmaScale must be > 0, got " + sigmaScale);
		axisWeights = new float[size.length][];
		for (int d = 0; d < size.length; d++) {
			if (size[d] < 1 || size[d] > Integer.MAX_VALUE) throw new IllegalArgumentException("window size must be >= 1");
			int n = (int) size[d];
			double sigma = n * sigmaScale;
			double centre = (n - 1) / 2.0;
			float[] w = new float[n];
			for (int i = 0; i < n; i++) w[i] = (float) Math.exp(-0.5 * (i - centre) * (i - centre) / (sigma * sigma));
			axisWeights[d] = w;
		}
	}

	/**
	 * Per-axis factors of the window: the weight at a position is the product of one factor per axis.
	 *
	 * @param axis spatial axis, 0 = x
	 * @return the per-axis weights of that axis, in {@code (0, 1]}; do not modify
	 */
	public float[] axis(int axis) {
		return axisWeights[axis];
	}

	/** @return number of axes */
	public int numDimensions() {
		return axisWeights.length;
	}
}
