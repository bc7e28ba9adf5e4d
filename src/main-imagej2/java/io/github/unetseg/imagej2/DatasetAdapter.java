package io.github.unetseg.imagej2;

import java.util.ArrayList;
import java.util.List;

import net.imagej.Dataset;
import net.imagej.DatasetService;
import net.imagej.ImgPlus;
import net.imagej.axis.Axes;
import net.imagej.axis.AxisType;
import net.imagej.axis.CalibratedAxis;
import net.imagej.axis.DefaultLinearAxis;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.display.ColorTable8;
import net.imglib2.img.Img;
import net.imglib2.loops.LoopBuilder;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.util.Util;
import net.imglib2.view.Views;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImagePlusAdapter;

/**
 * ImageJ2 {@link Dataset}s to and from unetseg's {@link Volume}, with their calibrated axes.
 *
 * <p>A Dataset may have its axes in any order ({@code [X, Y, Channel, Z, Time]} is ImageJ2's usual one);
 * the volume views it as {@code [x, y(, z), c]} without copying: X and Y are required, a Z axis longer
 * than one makes it 3D, a missing Channel axis becomes one channel, a Time axis is viewed one time point at
 * a time ({@link #toVolume(Dataset, String, long)}), and any other axis must have length one. The spacing of X, Y and Z is the axes'
 * scale ({@link CalibratedAxis#averageScale}) in X's unit. An RGB Dataset ({@link Dataset#isRGBMerged()})
 * has three channels, as an RGB ImagePlus does.
 *
 * <p>Outputs are new Datasets with axes {@code [X, Y(, Z)(, Time)]} (labels) or {@code [X, Y(, Z), Channel(, Time)]}
 * (probabilities), each spatial axis a {@link DefaultLinearAxis} with the volume's spacing and unit, and
 * for labels the same lookup table as ImagePlus label images ({@link ImagePlusAdapter#applyLabelLut}) on
 * every plane.
 */
public final class DatasetAdapter {

	private DatasetAdapter() {}

	/**
	 * @param dataset the image, any axis order, one time point
	 * @param source its name for error messages
	 * @return a view of the dataset as {@code [x, y(, z), c]}, zero-min, with the spacing of its X, Y (and Z) axes
	 * @throws SegmentationException if it lacks X or Y, is a time series, or has another axis longer than one
	 */
	public static Volume<?> toVolume(Dataset dataset, String source) {
		if (timePoints(dataset) > 1) throw new SegmentationException(source + " is a time series with " + timePoints(dataset) +
			" time points, and one is asked for. Fix: segment it with the Segment Dataset command (one time point at a time).");
		return toVolume(dataset, source, 0);
	}

	/**
	 * @param dataset the image, any axis order
	 * @param source its name for error messages
	 * @param t the time point, 0-based, in {@code [0, timePoints(dataset))}
	 * @return a view of time point {@code t} as {@code [x, y(, z), c]}, zero-min, with the spacing of its X, Y (and Z) axes
	 * @throws SegmentationException if it lacks X or Y, or has an axis other than X, Y, Z, Channel and Time longer than one
	 * @throws IllegalArgumentException if {@code t} is not a time point of the dataset
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static Volume<?> toVolume(Dataset dataset, String source, long t) {
		return view((ImgPlus) dataset.getImgPlus(), source, t);
	}

	/**
	 * @param dataset the image
	 * @return the length of its Time axis, 1 without one
	 */
	public static long timePoints(Dataset dataset) {
		int time = dataset.dimensionIndex(Axes.TIME);
		return time < 0 ? 1 : dataset.dimension(time);
	}

	/**
	 * @param dataset the image
	 * @return a copy of its Time axis (scale and unit) when it has more than one time point, else {@code null}
	 */
	public static CalibratedAxis timeAxis(Dataset dataset) {
		int time = dataset.dimensionIndex(Axes.TIME);
		return time < 0 || dataset.dimension(time) < 2 ? null : dataset.axis(time).copy();
	}

	private static <T extends RealType<T>> Volume<T> view(ImgPlus<T> img, String source, long t) {
		int x = img.dimensionIndex(Axes.X), y = img.dimensionIndex(Axes.Y), z = img.dimensionIndex(Axes.Z), c = img.dimensionIndex(
			Axes.CHANNEL), time = img.dimensionIndex(Axes.TIME);
		long frames = time < 0 ? 1 : img.dimension(time);
		if (t < 0 || t >= frames) throw new IllegalArgumentException("time point " + t + " is not in [0, " + frames + ") of " + source);
		if (x < 0 || y < 0) throw new SegmentationException(source + " has no X and Y axes (its axes: " + axes(img) + "). Fix: give it " +
			"X and Y axes (Image > Properties, or Image > Axes > Edit Axis).");
		for (int d = 0; d < img.numDimensions(); d++) {
			if (d == x || d == y || d == z || d == c || d == time || img.dimension(d) == 1) continue;
			AxisType type = img.axis(d).type();
			throw new SegmentationException(source + " has a " + type.getLabel() + " axis of length " + img.dimension(d) + ", which a U-Net " +
				"model does not take. Fix: keep one position of it (Image > Duplicate) or make it the channel axis.");
		}
		boolean is3d = z >= 0 && img.dimension(z) > 1;
		int[] order = is3d ? new int[] { x, y, z } : new int[] { x, y };
		RandomAccessibleInterval<T> v = img;
		if (frames > 1) { // time point t alone: the Time axis becomes one of length one, dropped below
			long[] min = img.minAsLongArray(), max = img.maxAsLongArray();
			min[time] += t;
			max[time] = min[time];
			v = Views.interval(img, min, max);
		}
		v = Views.zeroMin(v);
		// put X, Y, (Z), C first in that order, then drop every other (length-one) axis from the end
		List<Integer> axes = new ArrayList<>();
		for (int d : order) axes.add(d);
		if (c >= 0) axes.add(c);
		for (int d = 0; d < img.numDimensions(); d++) if (!axes.contains(d)) axes.add(d);
		v = permute(v, axes);
		while (v.numDimensions() > order.length + (c >= 0 ? 1 : 0)) v = Views.hyperSlice(v, v.numDimensions() - 1, 0);
		if (c < 0) v = Views.addDimension(v, 0, 0);
		double[] spacing = new double[order.length];
		for (int i = 0; i < order.length; i++) {
			double s = img.axis(order[i]).averageScale(0, 1);
			spacing[i] = s > 0 && Double.isFinite(s) ? s : 1;
		}
		String unit = img.axis(x).unit();
		return new Volume<>(v, Calibration.of(unit == null || unit.isBlank() ? "pixel" : unit, spacing));
	}

	/** Permutes the axes of {@code v} so that axis {@code i} of the result is axis {@code axes.get(i)} of {@code v}. */
	private static <T> RandomAccessibleInterval<T> permute(RandomAccessibleInterval<T> v, List<Integer> axes) {
		int n = v.numDimensions();
		int[] at = new int[n]; // at[original axis] = its current position
		for (int d = 0; d < n; d++) at[d] = d;
		for (int i = 0; i < n; i++) {
			int from = at[axes.get(i)];
			if (from == i) continue;
			v = Views.permute(v, from, i);
			for (int d = 0; d < n; d++) if (at[d] == i) at[d] = from;
			at[axes.get(i)] = i;
		}
		return v;
	}

	private static String axes(ImgPlus<?> img) {
		List<String> names = new ArrayList<>();
		for (int d = 0; d < img.numDimensions(); d++) names.add(img.axis(d).type().getLabel() + "=" + img.dimension(d));
		return String.join(", ", names);
	}

	/**
	 * Copies a volume into a new Dataset.
	 *
	 * @param datasets the context's dataset service
	 * @param volume the image {@code [x, y(, z), c]}; one channel gives a Dataset without a Channel axis
	 * @param name the Dataset's name
	 * @param labelClasses for a label image, the number of labels including background (the display
	 *     range's maximum is {@code labelClasses - 1}) and the label lookup table is set on every plane; 0 for
	 *     other images
	 * @return the Dataset, axes {@code [X, Y(, Z)(, Channel)]} with the volume's spacing and unit
	 */
	public static Dataset toDataset(DatasetService datasets, Volume<?> volume, String name, int labelClasses) {
		return toDataset(datasets, List.of(volume), null, name, labelClasses);
	}

	/**
	 * Copies the results of a time series' time points into one new Dataset.
	 *
	 * @param datasets the context's dataset service
	 * @param frames one image {@code [x, y(, z), c]} per time point, all of one size; of different pixel types
	 *     (16-bit object ids in one, 32-bit in another) they all become 32-bit unsigned
	 * @param time the Time axis of the result (the input's), or {@code null} for a single image
	 * @param name the Dataset's name
	 * @param labelClasses as {@link #toDataset(DatasetService, Volume, String, int)}
	 * @return the Dataset, axes {@code [X, Y(, Z)(, Channel)(, Time)]} with the frames' spacing and unit
	 * @throws IllegalArgumentException for no frames, or several without a Time axis
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static Dataset toDataset(DatasetService datasets, List<? extends Volume<?>> frames, CalibratedAxis time, String name,
		int labelClasses)
	{
		if (frames.isEmpty() || (frames.size() > 1) != (time != null))
			throw new IllegalArgumentException(frames.size() + " frames need " + (frames.size() > 1 ? "a" : "no") + " Time axis");
		Volume<?> volume = frames.get(0);
		int n = volume.spatialDims();
		boolean mixed = frames.stream().map(f -> Util.getTypeFromInterval(f.image()).getClass()).distinct().count() > 1;
		List<RandomAccessibleInterval> parts = new ArrayList<>();
		for (Volume<?> f : frames) {
			RandomAccessibleInterval src = f.image();
			if (volume.channels() == 1) src = Views.hyperSlice(src, n, 0);
			if (mixed) src = Converters.convert(src, (a, b) -> ((UnsignedIntType) b).setReal(((RealType) a).getRealDouble()),
				new UnsignedIntType());
			parts.add(src);
		}
		Img<?> copy = copyOf(parts.size() == 1 ? parts.get(0) : Views.stack((List) parts));
		String unit = volume.calibration().unit();
		List<CalibratedAxis> axes = new ArrayList<>();
		AxisType[] spatial = { Axes.X, Axes.Y, Axes.Z };
		for (int d = 0; d < n; d++) axes.add(new DefaultLinearAxis(spatial[d], unit, volume.calibration().spacing(d)));
		if (volume.channels() > 1) axes.add(new DefaultLinearAxis(Axes.CHANNEL));
		if (time != null) axes.add(time);
		ImgPlus img = new ImgPlus(copy, name, axes.toArray(CalibratedAxis[]::new));
		if (labelClasses > 0) {
			long planes = 1;
			for (int d = 2; d < copy.numDimensions(); d++) planes *= copy.dimension(d);
			img.initializeColorTables((int) planes);
			ColorTable8 lut = labelTable();
			for (int p = 0; p < planes; p++) img.setColorTable(lut, p);
			boolean bytes = Util.getTypeFromInterval(copy) instanceof net.imglib2.type.numeric.integer.UnsignedByteType;
			img.setChannelMinimum(0, 0);
			img.setChannelMaximum(0, bytes ? 255 : Math.max(1, labelClasses - 1));
		}
		Dataset out = datasets.create(img);
		out.setName(name);
		return out;
	}

	private static <T extends NativeType<T>> Img<T> copyOf(RandomAccessibleInterval<T> src) {
		Img<T> copy = new net.imglib2.img.array.ArrayImgFactory<>(Util.getTypeFromInterval(src).createVariable()).create(src);
		LoopBuilder.setImages(src, copy).forEachPixel((a, b) -> b.set(a));
		return copy;
	}

	/** The label lookup table of {@link ImagePlusAdapter#applyLabelLut}. */
	static ColorTable8 labelTable() {
		byte[][] rgb = ImagePlusAdapter.labelColors();
		return new ColorTable8(rgb[0], rgb[1], rgb[2]);
	}
}
