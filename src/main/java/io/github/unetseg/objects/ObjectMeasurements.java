package io.github.unetseg.objects;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Per-object measurements of an instance label image over its intensity image, in one pass over the
 * voxels: what ImageJ's "Analyze Particles" and MorphoLibJ's "Analyze Regions" report, for 2D and 3D.
 *
 * <p>Units: area (2D) or volume (3D) in calibrated units ({@code unit^2}, {@code unit^3}: voxel count
 * times the product of the spacings); centroid in calibrated units, of voxel centres
 * ({@code (index) * spacing}, as ImageJ's centroid of a pixel at index 0 is 0.5 in pixels but
 * {@code 0.5 * spacing}: here voxel {@code i} is at {@code (i + 0.5) * spacing}, as ImageJ); bounding
 * box in pixels (first index and extent per axis); intensities per channel in the image's raw values
 * (mean, min, max, sample standard deviation); equivalent diameter {@code 2 sqrt(area / pi)} or
 * {@code cbrt(6 volume / pi)} in calibrated units.
 */
public final class ObjectMeasurements {

	private ObjectMeasurements() {}

	/**
	 * One object's figures.
	 *
	 * @param label the object id
	 * @param voxels number of voxels
	 * @param size area (2D) or volume (3D) in calibrated units
	 * @param centroid {@code [x, y(, z)]} in calibrated units
	 * @param boxMin first voxel index per axis
	 * @param boxSize extent in voxels per axis
	 * @param mean mean intensity per channel
	 * @param min minimum intensity per channel
	 * @param max maximum intensity per channel
	 * @param std sample standard deviation per channel (0 for one voxel)
	 * @param equivalentDiameter diameter of the disc (ball) of the same area (volume), calibrated units
	 */
	public record Measurement(int label, long voxels, double size, double[] centroid, long[] boxMin, long[] boxSize, double[] mean,
		double[] min, double[] max, double[] std, double equivalentDiameter) {}

	/**
	 * Measures every object.
	 *
	 * @param labels object ids {@code [x, y(, z), 1]} (or {@code [x, y(, z)]}), 0 = background
	 * @param image intensities {@code [x, y(, z), c]} of the same spatial size
	 * @param count the largest id
	 * @return one measurement per id present, in id order
	 * @throws IllegalArgumentException if the spatial sizes differ
	 */
	public static List<Measurement> measure(Volume<?> labels, Volume<?> image, int count) {
		int n = image.spatialDims();
		if (!java.util.Arrays.equals(labels.spatialSize(), image.spatialSize()))
			throw new IllegalArgumentException("labels " + labels.describeSize() + " and image " + image.describeSize() + " differ in size");
		int c = image.channels();
		long[] voxels = new long[count + 1];
		double[][] sum = new double[count + 1][n];
		long[][] lo = new long[count + 1][n], hi = new long[count + 1][n];
		double[][] mean = new double[count + 1][c], m2 = new double[count + 1][c], mn = new double[count + 1][c], mx = new double[count + 1][c];
		int[] ids = new int[(int) labels.voxelCount()];
		Cursor<?> lc = Views.flatIterable(labels.image()).localizingCursor();
		int i = 0;
		long[] pos = new long[n + 1];
		while (lc.hasNext()) {
			int id = (int) ((RealType<?>) lc.next()).getRealDouble();
			ids[i++] = id;
			if (id <= 0) continue;
			lc.localize(pos);
			if (voxels[id]++ == 0) for (int d = 0; d < n; d++) lo[id][d] = hi[id][d] = pos[d];
			for (int d = 0; d < n; d++) {
				sum[id][d] += pos[d];
				lo[id][d] = Math.min(lo[id][d], pos[d]);
				hi[id][d] = Math.max(hi[id][d], pos[d]);
			}
		}
		long[] seen = new long[count + 1];
		for (int ch = 0; ch < c; ch++) {
			java.util.Arrays.fill(seen, 0);
			int k = 0;
			for (Object t : Views.flatIterable(Views.hyperSlice(image.image(), n, ch))) {
				int id = ids[k++];
				if (id <= 0) continue;
				double v = ((RealType<?>) t).getRealDouble();
				long s = ++seen[id];
				if (s == 1) {
					mn[id][ch] = mx[id][ch] = v;
				}
				else {
					mn[id][ch] = Math.min(mn[id][ch], v);
					mx[id][ch] = Math.max(mx[id][ch], v);
				}
				// Welford's running mean and sum of squared deviations
				double delta = v - mean[id][ch];
				mean[id][ch] += delta / s;
				m2[id][ch] += delta * (v - mean[id][ch]);
			}
		}
		Calibration cal = image.calibration();
		double voxelSize = 1;
		for (int d = 0; d < n; d++) voxelSize *= cal.spacing(d);
		List<Measurement> out = new ArrayList<>();
		for (int id = 1; id <= count; id++) {
			if (voxels[id] == 0) continue;
			double[] centroid = new double[n];
			long[] boxSize = new long[n];
			for (int d = 0; d < n; d++) {
				centroid[d] = (sum[id][d] / voxels[id] + 0.5) * cal.spacing(d);
				boxSize[d] = hi[id][d] - lo[id][d] + 1;
			}
			double[] std = new double[c];
			for (int ch = 0; ch < c; ch++) std[ch] = voxels[id] > 1 ? Math.sqrt(m2[id][ch] / (voxels[id] - 1)) : 0;
			double size = voxels[id] * voxelSize;
			double diameter = n == 3 ? Math.cbrt(6 * size / Math.PI) : 2 * Math.sqrt(size / Math.PI);
			out.add(new Measurement(id, voxels[id], size, centroid, lo[id].clone(), boxSize, mean[id].clone(), mn[id].clone(),
				mx[id].clone(), std, diameter));
		}
		return out;
	}

	/**
	 * The measurements as CSV with a header: {@code label, area|volume, centroid_x, ..., bbox_x, ...,
	 * bbox_width, ..., mean_c1, min_c1, max_c1, std_c1, ..., equivalent_diameter}, units in the header.
	 *
	 * @param rows the measurements
	 * @param dimensions 2 or 3
	 * @param channels channels of the image
	 * @param unit the calibration unit, e.g. {@code "µm"} or {@code "pixel"}
	 * @return CSV text, one line per object
	 */
	public static String csv(List<Measurement> rows, int dimensions, int channels, String unit) {
		return csvFrames(List.of(rows), dimensions, channels, unit);
	}

	/**
	 * The measurements of a time series as CSV: as {@link #csv}, the rows of each frame in turn, with a
	 * first column {@code frame} (1-based) when there is more than one frame.
	 *
	 * @param frames the measurements of each frame, object ids counted per frame
	 * @param dimensions 2 or 3 (of one frame)
	 * @param channels channels of the image
	 * @param unit the calibration unit
	 * @return CSV text, one line per object and frame
	 */
	public static String csvFrames(List<List<Measurement>> frames, int dimensions, int channels, String unit) {
		String[] axes = { "x", "y", "z" }, extents = { "width", "height", "depth" };
		StringBuilder b = new StringBuilder(frames.size() > 1 ? "frame,label," : "label,");
		b.append(dimensions == 3 ? "volume_" + unit + "3" : "area_" + unit + "2").append(",voxels");
		for (int d = 0; d < dimensions; d++) b.append(",centroid_").append(axes[d]).append('_').append(unit);
		for (int d = 0; d < dimensions; d++) b.append(",bbox_").append(axes[d]).append("_px");
		for (int d = 0; d < dimensions; d++) b.append(",bbox_").append(extents[d]).append("_px");
		for (int ch = 1; ch <= channels; ch++) b.append(String.format(Locale.ROOT, ",mean_c%d,min_c%d,max_c%d,std_c%d", ch, ch, ch, ch));
		b.append(",equivalent_diameter_").append(unit).append('\n');
		for (int t = 0; t < frames.size(); t++) for (Measurement m : frames.get(t)) {
			if (frames.size() > 1) b.append(t + 1).append(',');
			b.append(m.label()).append(',').append(num(m.size())).append(',').append(m.voxels());
			for (double v : m.centroid()) b.append(',').append(num(v));
			for (long v : m.boxMin()) b.append(',').append(v);
			for (long v : m.boxSize()) b.append(',').append(v);
			for (int ch = 0; ch < channels; ch++)
				b.append(',').append(num(m.mean()[ch])).append(',').append(num(m.min()[ch])).append(',').append(num(m.max()[ch]))
					.append(',').append(num(m.std()[ch]));
			b.append(',').append(num(m.equivalentDiameter())).append('\n');
		}
		return b.toString();
	}

	private static String num(double v) {
		return String.format(Locale.ROOT, "%.6g", v);
	}
}
