package io.github.unetseg.data;

import java.util.Arrays;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * One normalised image with its labels, held as flat arrays for fast patch sampling.
 *
 * <p>{@code image} is ImgLib2's flat order {@code [x, y, z, c]} (x fastest), already normalised;
 * {@code labels} is {@code [x, y, z]} with class indices in {@code [0, classes)}. 2D cases have
 * {@code size[2] == 1}. {@code foreground} lists flat voxel indices with a label &gt; 0 (every k-th one
 * when there are more than {@value #MAX_FOREGROUND}), for foreground-centred patches.
 *
 * @param name file name, for messages
 * @param size {@code [x, y, z]} in pixels
 * @param channels image channels
 * @param image normalised pixels
 * @param labels class indices
 * @param foreground indices of foreground voxels
 * @param calibration spacing of the source
 * @param separation for an instance case, the separation term of the U-Net weight map per voxel
 *     ({@link InstanceTargets#separation}), else {@code null}
 * @param objectDiameters for an instance case, the equivalent diameter of each object in voxels
 *     ({@link InstanceTargets#diameters}), else {@code null}
 * @param objects for an instance case, the object ids {@code [x, y, z]} (0 = background), for
 *     validation; else {@code null}
 * @param present for a partially labelled case, which classes were annotated (index 0, background,
 *     always true): a class that is not present is unknown in this case, not background, and its
 *     voxels carry background labels only because nobody drew it; {@code null} when every class was
 *     annotated
 */
public record TrainingCase(String name, int[] size, int channels, float[] image, short[] labels, int[] foreground,
	Calibration calibration, float[] separation, double[] objectDiameters, int[] objects, boolean[] present)
{

	/** Most foreground indices kept per case. */
	public static final int MAX_FOREGROUND = 1 << 20;

	/**
	 * Normalises and copies an image and its labels.
	 *
	 * @param name name for messages
	 * @param image image {@code [x, y(, z), c]}
	 * @param labels labels {@code [x, y(, z), 1]} of the same spatial size, integer values
	 * @param normalization how to normalise the image
	 * @return the case
	 * @throws IllegalArgumentException if sizes differ or the volume is larger than 2<sup>31</sup> values
	 */
	public static <T extends RealType<T>, L extends RealType<L>> TrainingCase of(String name, Volume<T> image, Volume<L> labels,
		Normalization normalization)
	{
		return of(name, image, labels, normalization, false, 0);
	}

	/**
	 * Normalises and copies an image and its labels; for an instance case the labels are object ids
	 * (0 = background, 1..N, at most 2<sup>31</sup> - 1) and become the three classes of
	 * {@link InstanceTargets} with the separation weights.
	 *
	 * @param name name for messages
	 * @param image image {@code [x, y(, z), c]}
	 * @param labels labels {@code [x, y(, z), 1]} of the same spatial size, integer values
	 * @param normalization how to normalise the image
	 * @param instances whether the labels are object ids of an instance model
	 * @param distanceLevels for an instance case, 0 for the three classes, else the number of distance levels
	 *     ({@link InstanceTargets#distanceLevels})
	 * @return the case
	 * @throws IllegalArgumentException if sizes differ or the volume is larger than 2<sup>31</sup> values
	 */
	public static <T extends RealType<T>, L extends RealType<L>> TrainingCase of(String name, Volume<T> image, Volume<L> labels,
		Normalization normalization, boolean instances, int distanceLevels)
	{
		return of(name, image, labels, normalization.affine(image), normalization.clipBounds(image.channels()), instances, distanceLevels);
	}

	/**
	 * Copies an image and its labels, normalised with a given affine map (for a crop of a larger image,
	 * {@link TrainingCrops}: the whole image's numbers, as the model will see it when it segments the whole).
	 *
	 * @param name name for messages
	 * @param image image {@code [x, y(, z), c]}
	 * @param labels labels {@code [x, y(, z), 1]} of the same spatial size, integer values
	 * @param affine {@code [scale, offset]} per channel ({@link Normalization#affine})
	 * @param clip {@code [low, high]} per channel after the map ({@link Normalization#clipBounds})
	 * @param instances whether the labels are object ids of an instance model
	 * @param distanceLevels for an instance case, 0 for the three classes, else the number of distance levels
	 * @return the case
	 * @throws IllegalArgumentException if sizes differ or the volume is larger than 2<sup>31</sup> values
	 */
	public static <T extends RealType<T>, L extends RealType<L>> TrainingCase of(String name, Volume<T> image, Volume<L> labels,
		double[][] affine, double[][] clip, boolean instances, int distanceLevels)
	{
		if (!Arrays.equals(image.spatialSize(), labels.spatialSize()))
			throw new IllegalArgumentException(name + ": image " + image.describeSize() + " and labels " + labels.describeSize() +
				" differ in size");
		long[] s = image.spatialSize();
		int[] size = { (int) s[0], (int) s[1], s.length == 3 ? (int) s[2] : 1 };
		long voxels = (long) size[0] * size[1] * size[2];
		int c = image.channels();
		if (voxels * c > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(name + " is too large to train on in memory");
		float[] img = new float[(int) (voxels * c)];
		int i = 0;
		for (T t : Views.flatIterable(image.image())) {
			int ch = (int) (i / voxels);
			img[i++] = (float) Math.max(clip[0][ch], Math.min(clip[1][ch], t.getRealDouble() * affine[0][ch] + affine[1][ch]));
		}
		short[] lab;
		float[] separation = null;
		double[] diameters = null;
		int[] ids = null;
		Cursor<L> cur = Views.flatIterable(labels.image()).cursor();
		if (instances) {
			ids = new int[(int) voxels];
			for (int k = 0; k < voxels; k++) ids[k] = (int) Math.round(cur.next().getRealDouble());
			lab = distanceLevels > 0 ? InstanceTargets.distanceLevels(ids, size, distanceLevels) : InstanceTargets.classes(ids, size);
			separation = InstanceTargets.separation(ids, size);
			diameters = InstanceTargets.diameters(ids, size[2] > 1);
		}
		else {
			lab = new short[(int) voxels];
			for (int k = 0; k < voxels; k++) lab[k] = (short) Math.round(cur.next().getRealDouble());
		}
		int fg = 0;
		for (short v : lab) if (v > 0) fg++;
		int stride = Math.max(1, (fg + MAX_FOREGROUND - 1) / MAX_FOREGROUND);
		int[] fgIdx = new int[(fg + stride - 1) / stride];
		int n = 0, seen = 0;
		for (int k = 0; k < voxels && n < fgIdx.length; k++)
			if (lab[k] > 0 && seen++ % stride == 0) fgIdx[n++] = k;
		return new TrainingCase(name, size, c, img, lab, Arrays.copyOf(fgIdx, n), image.calibration(), separation, diameters, ids, null);
	}

	/**
	 * @param classes which classes were annotated in this case (index 0, background, is set true), or
	 *     {@code null} for all
	 * @return this case with the given annotated classes
	 * @throws IllegalArgumentException if a label in the case belongs to a class marked absent
	 */
	public TrainingCase withPresent(boolean[] classes) {
		boolean[] p = classes == null ? null : classes.clone();
		if (p != null) {
			p[0] = true;
			for (short l : labels)
				if (l >= p.length || !p[l])
					throw new IllegalArgumentException(name + " has voxels of class " + l + ", which its class list says was not annotated");
		}
		return new TrainingCase(name, size, channels, image, labels, foreground, calibration, separation, objectDiameters, objects, p);
	}

	/** @return number of voxels of one channel */
	public int voxels() {
		return size[0] * size[1] * size[2];
	}
}
