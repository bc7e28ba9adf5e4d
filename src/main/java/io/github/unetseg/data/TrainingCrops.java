package io.github.unetseg.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import io.github.unetseg.image.Volume;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.loops.LoopBuilder;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * A training pair too large for one array (more than 2<sup>31</sup> values) or for the heap (read lazily from
 * its file) as overlapping crops, each an ordinary {@link TrainingCase} of at most a given number of values:
 * the largest axis of the crop is halved until it fits, and neighbouring crops overlap by at least a patch,
 * so every patch position of the whole image lies inside some crop. Each crop is normalised with the whole
 * image's numbers (percentiles sampled over the whole image, or the CT set's), as the model sees it when it
 * segments the whole image, not with its own; patches are then drawn from the crops as from any case. The
 * crops are held in memory (about 6 bytes per voxel and channel): the limit this lifts is the array's, not
 * the heap's.
 */
public final class TrainingCrops {

	private TrainingCrops() {}

	/**
	 * The crops of an image: their origins and sizes, in raster order (x fastest).
	 *
	 * @param size spatial size {@code [x, y(, z)]} in voxels
	 * @param channels image channels
	 * @param overlap least overlap of neighbouring crops per axis in voxels (a training patch)
	 * @param maxValues most values (voxels times channels) per crop
	 * @return {@code {min, size}} per crop
	 * @throws IllegalArgumentException if crops twice the overlap still hold more than {@code maxValues}
	 */
	public static List<long[][]> grid(long[] size, int channels, long[] overlap, long maxValues) {
		int n = size.length;
		long[] crop = size.clone();
		while (values(crop, channels) > maxValues) {
			int a = -1;
			for (int d = 0; d < n; d++)
				if (crop[d] > Math.min(size[d], 2 * overlap[d]) && (a < 0 || crop[d] > crop[a])) a = d;
			if (a < 0)
				throw new IllegalArgumentException("crops of " + Arrays.toString(crop) + " voxels (twice the patch " + Arrays.toString(overlap) +
					") hold more than " + maxValues + " values");
			crop[a] = Math.max(Math.min(size[a], 2 * overlap[a]), (crop[a] + 1) / 2);
		}
		long[][] starts = new long[n][];
		for (int d = 0; d < n; d++) {
			List<Long> s = new ArrayList<>();
			long step = crop[d] - Math.min(overlap[d], crop[d] / 2);
			for (long at = 0; at + crop[d] < size[d]; at += step) s.add(at);
			s.add(size[d] - crop[d]);
			starts[d] = s.stream().mapToLong(Long::longValue).toArray();
		}
		List<long[][]> out = new ArrayList<>();
		int[] i = new int[n];
		while (true) {
			long[] min = new long[n];
			for (int d = 0; d < n; d++) min[d] = starts[d][i[d]];
			out.add(new long[][] { min, crop.clone() });
			int d = 0;
			while (d < n && ++i[d] == starts[d].length) i[d++] = 0;
			if (d == n) return out;
		}
	}

	private static long values(long[] size, int channels) {
		long v = channels;
		for (long s : size) v *= s;
		return v;
	}

	/**
	 * Copies one crop of an image into memory (float) and of its labels (32-bit integers: object ids too).
	 *
	 * @param image image {@code [x, y(, z), c]}, possibly lazy
	 * @param labels labels {@code [x, y(, z), 1]}
	 * @param crop {@code {min, size}} from {@link #grid}
	 * @return {@code {image, labels}} of the crop, with the source's calibration
	 */
	public static Volume<?>[] copy(Volume<? extends RealType<?>> image, Volume<? extends RealType<?>> labels, long[][] crop) {
		return new Volume<?>[] { new Volume<>(copy(image.image(), crop, ArrayImgs.floats(dims(crop, image.channels()))), image.calibration()),
			new Volume<>(copy(labels.image(), crop, ArrayImgs.ints(dims(crop, 1))), labels.calibration()) };
	}

	private static long[] dims(long[][] crop, int channels) {
		long[] d = Arrays.copyOf(crop[1], crop[1].length + 1);
		d[crop[1].length] = channels;
		return d;
	}

	private static <S extends RealType<?>, D extends RealType<D>> RandomAccessibleInterval<D> copy(RandomAccessibleInterval<S> from,
		long[][] crop, RandomAccessibleInterval<D> to)
	{
		int n = crop[0].length;
		long[] min = Arrays.copyOf(crop[0], n + 1), max = new long[n + 1];
		for (int d = 0; d < n; d++) max[d] = crop[0][d] + crop[1][d] - 1;
		max[n] = to.dimension(n) - 1;
		LoopBuilder.setImages(Views.zeroMin(Views.interval(from, min, max)), to).forEachPixel((s, t) -> t.setReal(s.getRealDouble()));
		return to;
	}

	/**
	 * The cases of a large pair: one per crop, each normalised with the whole image's numbers.
	 *
	 * @param name the pair's name; a crop is named {@code name [x0,y0(,z0)]}
	 * @param image the whole image {@code [x, y(, z), c]}, possibly lazy
	 * @param labels its labels
	 * @param normalization the model's normalisation (its numbers computed on the whole image)
	 * @param instances whether the labels are object ids
	 * @param distanceLevels for instance labels, 0 for the three classes, else the number of distance levels
	 * @param overlap least overlap of the crops per axis (a patch), in voxels of the source
	 * @param maxValues most values per crop
	 * @param prepare applied to each crop's {@code {image, labels}} before it becomes a case (e.g. resampling
	 *     to the training spacing)
	 * @return the crops' cases, in raster order
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static List<TrainingCase> cases(String name, Volume<? extends RealType<?>> image, Volume<? extends RealType<?>> labels,
		Normalization normalization, boolean instances, int distanceLevels, long[] overlap, long maxValues,
		Function<Volume<?>[], Volume<?>[]> prepare)
	{
		double[][] affine = normalization.affine((Volume) image), clip = normalization.clipBounds(image.channels());
		List<TrainingCase> out = new ArrayList<>();
		for (long[][] crop : grid(image.spatialSize(), image.channels(), overlap, maxValues)) {
			Volume[] pair = prepare.apply(copy(image, labels, crop));
			StringBuilder at = new StringBuilder();
			for (long m : crop[0]) at.append(at.length() == 0 ? "" : ",").append(m);
			out.add(TrainingCase.of(name + " [" + at + "]", pair[0], pair[1], affine, clip, instances, distanceLevels));
		}
		return out;
	}
}
