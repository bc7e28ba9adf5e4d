package io.github.unetseg.metrics;

/**
 * Overlap and surface-distance metrics of one class in one image. Distances and volumes are in the
 * image's physical units (e.g. mm and mm<sup>3</sup>; pixel units when uncalibrated).
 *
 * <p>Empty masks follow MONAI and the Metrics Reloaded recommendations (Maier-Hein et al., Nature
 * Methods 2024) and are visible in {@link #status()} instead of being a silent number:
 * <ul>
 * <li>both empty ({@code status = "both empty"}): every score and distance is {@code NaN};</li>
 * <li>prediction or truth empty ({@code "prediction empty"}, {@code "truth empty"}): Dice, IoU and
 * surface Dice are 0, the distances are {@code +Infinity} (as MONAI's {@code get_surface_distance}).</li>
 * </ul>
 *
 * @param label the class index
 * @param dice {@code 2 TP / (2 TP + FP + FN)}
 * @param iou {@code TP / (TP + FP + FN)}
 * @param precision {@code TP / (TP + FP)}
 * @param recall {@code TP / (TP + FN)}
 * @param predictedVolume volume (area in 2D) of the class in the prediction, physical units
 * @param trueVolume volume of the class in the ground truth, physical units
 * @param hausdorff maximum surface distance (symmetric Hausdorff distance)
 * @param hd95 MONAI's HD95: the larger of the two directed 95th percentiles
 * @param assd average symmetric surface distance: mean of both directed distance sets together
 * @param surfaceDice share of boundary voxels of both masks within {@code tolerance} of the other
 *     boundary (normalised surface Dice, Nikolov et al. 2021, counted in boundary voxels as MONAI's
 *     {@code compute_surface_dice})
 * @param status {@code "ok"}, {@code "both empty"}, {@code "prediction empty"}, {@code "truth empty"}, or
 *     {@code "distances not computed"} (an image beyond one array whose class spans a bounding box too large
 *     for its distance transforms: overlap scores and volumes are exact, the distances {@code NaN};
 *     {@code facade.LargeEvaluation})
 */
public record ClassMetrics(int label, double dice, double iou, double precision, double recall, double predictedVolume,
	double trueVolume, double hausdorff, double hd95, double assd, double surfaceDice, String status)
{

	/** @return {@code predictedVolume - trueVolume}, physical units */
	public double volumeDifference() {
		return predictedVolume - trueVolume;
	}
}
