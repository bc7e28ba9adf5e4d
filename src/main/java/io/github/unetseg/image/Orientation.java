package io.github.unetseg.image;

import java.util.Arrays;
import java.util.Locale;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgFactory;
import net.imglib2.loops.LoopBuilder;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Anatomical axis codes of a 3D image and reorientation between them, as nibabel's
 * {@code aff2axcodes} and {@code as_closest_canonical} do.
 *
 * <p>A code has one letter per array axis {@code [x, y, z]} (x the fastest), naming the patient
 * direction toward which the index increases: {@code R}/{@code L} (right, left), {@code A}/{@code P}
 * (anterior, posterior), {@code S}/{@code I} (superior, inferior). Examples: NIfTI's canonical
 * {@code RAS}; a DICOM series as usually stored {@code LPS} (columns to the patient's left, rows to
 * posterior, slices upward); OpenKBP's arrays {@code PLI}. Affines are NIfTI's: 3 x 4 row-major, voxel
 * index to RAS+ millimetres (world x to the patient's left is negative).
 */
public final class Orientation {

	private static final String POSITIVE = "RAS", NEGATIVE = "LPI";

	private Orientation() {}

	/**
	 * The axis codes of an affine: for each array axis, the world axis its column points along most,
	 * with its sign.
	 *
	 * @param affine 3 x 4 row-major, voxel to RAS+ (12 values)
	 * @return three letters, e.g. {@code "PLI"}
	 * @throws IllegalArgumentException if the affine does not have 12 values or two axes point along the
	 *     same world axis
	 */
	public static String codes(double[] affine) {
		if (affine == null || affine.length != 12) throw new IllegalArgumentException("an affine has 12 values");
		char[] c = new char[3];
		boolean[] used = new boolean[3];
		for (int axis = 0; axis < 3; axis++) {
			int best = 0;
			for (int w = 1; w < 3; w++) if (Math.abs(affine[4 * w + axis]) > Math.abs(affine[4 * best + axis])) best = w;
			if (affine[4 * best + axis] == 0 || used[best])
				throw new IllegalArgumentException("the affine " + Arrays.toString(affine) + " has no clear axis directions");
			used[best] = true;
			c[axis] = affine[4 * best + axis] > 0 ? POSITIVE.charAt(best) : NEGATIVE.charAt(best);
		}
		return new String(c);
	}

	/**
	 * Checks and normalises axis codes.
	 *
	 * @param codes three letters from R/L, A/P, S/I, one per world axis, any case
	 * @return the codes in upper case
	 * @throws IllegalArgumentException naming the problem
	 */
	public static String parse(String codes) {
		String c = codes == null ? "" : codes.trim().toUpperCase(Locale.ROOT);
		if (c.length() != 3) throw new IllegalArgumentException("orientation codes have 3 letters (e.g. RAS, LPS, PLI), got '" + codes + "'");
		boolean[] seen = new boolean[3];
		for (char ch : c.toCharArray()) {
			int w = world(ch);
			if (w < 0) throw new IllegalArgumentException("'" + ch + "' in '" + codes + "' is not one of R, L, A, P, S, I");
			if (seen[w]) throw new IllegalArgumentException("'" + codes + "' names the same direction twice");
			seen[w] = true;
		}
		return c;
	}

	private static int world(char ch) {
		int w = POSITIVE.indexOf(ch);
		return w >= 0 ? w : NEGATIVE.indexOf(ch);
	}

	/**
	 * Reorients a 3D volume from one axis convention to another by permuting and mirroring axes (no
	 * interpolation), and its calibration with it: spacing permuted, affine updated so that every voxel
	 * keeps its world position.
	 *
	 * @param volume image {@code [x, y, z, c]} whose array axes follow {@code from}
	 * @param from its codes
	 * @param to the wanted codes
	 * @return a copy whose array axes follow {@code to}; the input itself when the codes are equal
	 * @throws IllegalArgumentException if the volume is not 3D or a code is invalid
	 */
	public static <T extends RealType<T> & NativeType<T>> Volume<T> reorient(Volume<T> volume, String from, String to) {
		String f = parse(from), t = parse(to);
		if (f.equals(t)) return volume;
		if (volume.spatialDims() != 3) throw new IllegalArgumentException("reorientation needs a 3D image");
		// source axis of each target axis, and whether it runs the other way
		int[] source = new int[3];
		boolean[] flip = new boolean[3];
		for (int a = 0; a < 3; a++) {
			int w = world(t.charAt(a));
			for (int s = 0; s < 3; s++)
				if (world(f.charAt(s)) == w) {
					source[a] = s;
					flip[a] = f.charAt(s) != t.charAt(a);
				}
		}
		RandomAccessibleInterval<T> img = volume.image();
		long[] size = volume.image().dimensionsAsLongArray();
		// a view whose axis a is source axis source[a], reversed where flipped
		RandomAccessibleInterval<T> view = img;
		int[] at = { 0, 1, 2 }; // at[a]: the source axis now at position a
		for (int a = 0; a < 3; a++) {
			int p = a;
			while (at[p] != source[a]) p++;
			if (p != a) {
				view = Views.permute(view, a, p);
				int tmp = at[a];
				at[a] = at[p];
				at[p] = tmp;
			}
		}
		for (int a = 0; a < 3; a++) if (flip[a]) view = Views.zeroMin(Views.invertAxis(view, a));
		long[] dims = view.dimensionsAsLongArray();
		Img<T> out = new ArrayImgFactory<>(volume.image().getType().createVariable()).create(dims);
		LoopBuilder.setImages(view, out).forEachPixel((i, o) -> o.set(i));
		Calibration cal = volume.calibration();
		double[] spacing = new double[3];
		for (int a = 0; a < 3; a++) spacing[a] = cal.spacing(source[a]);
		double[] affine = null;
		double[] old = cal.affine();
		if (old != null) {
			// new index j maps to old index i: i[source[a]] = flip ? n - 1 - j[a] : j[a]
			affine = new double[12];
			for (int row = 0; row < 3; row++) {
				double offset = old[4 * row + 3];
				for (int a = 0; a < 3; a++) {
					double col = old[4 * row + source[a]];
					if (flip[a]) {
						affine[4 * row + a] = -col;
						offset += col * (size[source[a]] - 1);
					}
					else affine[4 * row + a] = col;
				}
				affine[4 * row + 3] = offset;
			}
		}
		return new Volume<>(out, new Calibration(spacing, cal.unit(), affine));
	}
}
