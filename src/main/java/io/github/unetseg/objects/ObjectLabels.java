package io.github.unetseg.objects;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * Instance label images as {@link Volume}s: 16-bit ({@code UnsignedShortType}) up to 65,535 objects,
 * 32-bit unsigned ({@code UnsignedIntType}) above. Writers keep 32-bit unsigned in NIfTI, NRRD and
 * MetaImage and write 32-bit float in TIFF and ImagePlus (exact up to 2<sup>24</sup> = 16,777,216
 * objects), as ImageJ has no 32-bit integer images.
 */
public final class ObjectLabels {

	/** The most objects a 16-bit label image holds. */
	public static final int MAX_16_BIT = 65_535;

	private ObjectLabels() {}

	/**
	 * Wraps object ids as a label volume {@code [x, y(, z), 1]}.
	 *
	 * @param labels object ids 0..count, flat {@code [x, y(, z)]} (not copied for 32-bit)
	 * @param size spatial size {@code [x, y(, z)]}
	 * @param count the largest id
	 * @param calibration the input's calibration
	 * @return the label volume
	 */
	public static Volume<?> volume(int[] labels, long[] size, int count, Calibration calibration) {
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = 1;
		if (count <= MAX_16_BIT) {
			short[] s = new short[labels.length];
			for (int i = 0; i < s.length; i++) s[i] = (short) labels[i];
			ArrayImg<UnsignedShortType, ShortArray> img = ArrayImgs.unsignedShorts(s, dims);
			return new Volume<>(img, calibration);
		}
		ArrayImg<UnsignedIntType, IntArray> img = ArrayImgs.unsignedInts(labels, dims);
		return new Volume<>(img, calibration);
	}
}
