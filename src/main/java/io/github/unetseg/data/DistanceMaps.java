package io.github.unetseg.data;

import io.github.unetseg.metrics.EuclideanDistanceTransform;

/**
 * Per-class distance maps of a label patch, the fixed inputs of the boundary-aware losses in
 * {@code tensorflow.BoundaryLosses}. Distances are in voxels (unit spacing), as in the papers' code.
 *
 * <p>Layout: labels flat {@code [x, y, z]} (x fastest, {@code z = 1} in 2D), maps
 * {@code [x, y, z, K]} with the class fastest (the network's channel-last order). Class 0
 * (background) gets zeros, and so does a class with no voxel in the patch (as Kervadec et al.'s
 * {@code one_hot2dist}, which skips empty masks).
 */
public final class DistanceMaps {

	private DistanceMaps() {}

	/**
	 * The signed distance map of each class (Kervadec et al., "Boundary loss for highly unbalanced
	 * segmentation", MIDL 2019, {@code one_hot2dist}): outside the class the distance to its nearest
	 * voxel, inside minus (the distance to the nearest voxel outside it, less one).
	 *
	 * @param labels class indices {@code [x, y, z]}, each in {@code [0, classes)}
	 * @param size {@code [x, y, z]}
	 * @param classes K, the channel count of the maps
	 * @return {@code [x, y, z, K]}
	 */
	public static float[] signed(short[] labels, int[] size, int classes) {
		return maps(labels, size, classes, true);
	}

	/**
	 * The distance of each voxel to the other side of each class's boundary (Karimi and Salcudean,
	 * "Reducing the Hausdorff distance in medical image segmentation with convolutional neural
	 * networks", IEEE TMI 39(2), 2020, the distance-transform loss): inside the class the distance to
	 * the nearest voxel outside it, outside the distance to its nearest voxel. Not squared.
	 *
	 * @param labels class indices {@code [x, y, z]}, each in {@code [0, classes)}
	 * @param size {@code [x, y, z]}
	 * @param classes K
	 * @return {@code [x, y, z, K]}
	 */
	public static float[] toBoundary(short[] labels, int[] size, int classes) {
		return maps(labels, size, classes, false);
	}

	/**
	 * The distance maps a batch needs for a boundary-aware loss: signed maps of the labels for
	 * {@code dice_ce_boundary}; {@code d_G^2 + d_S^2} from the labels and the current prediction for
	 * {@code dice_ce_hd}. Classes not annotated in a patch's case get zeros (they are unknown there).
	 *
	 * @param loss {@code dice_ce_boundary} or {@code dice_ce_hd}
	 * @param labels {@code [batch, (z,) y, x]} class indices
	 * @param predicted the network's labels of the same patches (for {@code dice_ce_hd}), else ignored
	 * @param annotated {@code [batch, classes]} 1 where annotated, or {@code null} when all are
	 * @param batch patches
	 * @param patch {@code [x, y, z]} ({@code z = 1} in 2D)
	 * @param classes K
	 * @return {@code [batch, (z,) y, x, K]}
	 * @throws IllegalArgumentException for another loss
	 */
	public static float[] forLoss(String loss, short[] labels, short[] predicted, float[] annotated, int batch, int[] patch, int classes) {
		boolean hd = switch (loss) {
			case "dice_ce_boundary" -> false;
			case "dice_ce_hd" -> true;
			default -> throw new IllegalArgumentException("no distance maps for loss " + loss);
		};
		int pv = patch[0] * patch[1] * patch[2];
		float[] out = new float[batch * pv * classes];
		for (int b = 0; b < batch; b++) {
			short[] lab = java.util.Arrays.copyOfRange(labels, b * pv, (b + 1) * pv);
			float[] m = hd ? toBoundary(lab, patch, classes) : signed(lab, patch, classes);
			if (hd) {
				float[] s = toBoundary(java.util.Arrays.copyOfRange(predicted, b * pv, (b + 1) * pv), patch, classes);
				for (int i = 0; i < m.length; i++) m[i] = m[i] * m[i] + s[i] * s[i];
			}
			for (int c = 0; annotated != null && c < classes; c++)
				if (annotated[b * classes + c] == 0) for (int i = 0; i < pv; i++) m[i * classes + c] = 0;
			System.arraycopy(m, 0, out, b * pv * classes, m.length);
		}
		return out;
	}

	private static float[] maps(short[] labels, int[] size, int classes, boolean signed) {
		int n = labels.length;
		float[] out = new float[n * classes];
		int[] dims = size[2] == 1 ? new int[] { size[0], size[1] } : size;
		double[] unit = dims.length == 2 ? new double[] { 1, 1 } : new double[] { 1, 1, 1 };
		byte[] in = new byte[n], outside = new byte[n];
		for (int k = 1; k < classes; k++) {
			int count = 0;
			for (int i = 0; i < n; i++) {
				boolean is = labels[i] == k;
				in[i] = (byte) (is ? 1 : 0);
				outside[i] = (byte) (is ? 0 : 1);
				if (is) count++;
			}
			if (count == 0) continue;
			float[] toClass = EuclideanDistanceTransform.squared(in, dims, unit);
			float[] toOutside = count == n ? null : EuclideanDistanceTransform.squared(outside, dims, unit);
			for (int i = 0; i < n; i++) {
				float d;
				if (in[i] == 0) d = (float) Math.sqrt(toClass[i]);
				else {
					float inner = toOutside == null ? 0 : (float) Math.sqrt(toOutside[i]);
					d = signed ? -(inner - 1) : inner;
				}
				out[i * classes + k] = d;
			}
		}
		return out;
	}
}
