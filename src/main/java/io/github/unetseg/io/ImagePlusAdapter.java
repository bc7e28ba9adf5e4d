package io.github.unetseg.io;

import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.CompositeImage;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Fraction;
import net.imglib2.view.Views;

/**
 * Converts between ImageJ 1's {@link ImagePlus} and {@link Volume}, the way {@code imglib2-ij}'s
 * {@code ImagePlusImgs} does (which is not on Maven Central).
 *
 * <p>8-, 16- and 32-bit images are wrapped without copying: the ImagePlus's plane arrays become the
 * planes of a {@link PlanarImg} {@code [x, y(, z), c]}, so changes show in both. RGB images are
 * copied into three 8-bit channels. ImageJ's stack order (channel fastest, then slice, then frame) is
 * re-indexed to ImgLib2's (z fastest, then channel). A volume has no time axis: time series are
 * rejected here, and {@code facade.ImagePlusSegmentation} segments them one frame at a time.
 */
public final class ImagePlusAdapter {

	private ImagePlusAdapter() {}

	/**
	 * Wraps an ImagePlus as a Volume: 2D when it has one slice, 3D otherwise; channels become the last
	 * axis; the calibration's pixel width, height and depth become the spacing.
	 *
	 * @param imp the image (8-bit, 16-bit, 32-bit or RGB), any number of channels and slices, one frame
	 * @param source file or title for error messages
	 * @return the volume; for non-RGB images it shares pixel arrays with {@code imp}, but for signed
	 *     16-bit images (calibration function of ImageJ's signed 16-bit), whose signed values are copied, and
	 *     16-bit images with another straight-line calibration function (a DICOM CT's rescale to Hounsfield
	 *     units), whose calibrated values are copied as float; a stack of DICOM images (slice labels holding
	 *     their headers, as ImageJ's DICOM reader leaves them) gets the orientation and slice spacing of its
	 *     headers ({@link DicomSeriesIO#stackAffine})
	 * @throws SegmentationException for time series or unsupported types
	 */
	public static Volume<?> wrap(ImagePlus imp, String source) {
		int c = imp.getNChannels(), z = imp.getNSlices(), t = imp.getNFrames();
		if (t > 1)
			throw new SegmentationException(source + " is a time series with " + t + " frames; only segmenting takes a time " +
				"series (frame by frame), this step one time point. Fix: split it into one file per time point (Image > Stacks > Tools " +
				"> Reduce Dimensionality).");
		int w = imp.getWidth(), h = imp.getHeight();
		boolean is3d = z > 1;
		io.github.unetseg.image.Calibration cal = calibration(imp, is3d);
		ImageStack stack = imp.getStack();
		if (imp.getType() == ImagePlus.COLOR_RGB) {
			if (c > 1) throw new SegmentationException(source + " is an RGB image with several channels. Fix: convert it to a " +
				"composite (Image > Color > Make Composite) first.");
			return rgb(stack, w, h, z, cal);
		}
		List<Object> planes = new ArrayList<>(c * z);
		for (int ch = 0; ch < c; ch++)
			for (int sl = 0; sl < z; sl++) planes.add(stack.getPixels(imp.getStackIndex(ch + 1, sl + 1, 1)));
		long[] dims = is3d ? new long[] { w, h, z, c } : new long[] { w, h, c };
		return switch (imp.getBitDepth()) {
			case 8 -> {
				List<ByteArray> a = new ArrayList<>();
				planes.forEach(p -> a.add(new ByteArray((byte[]) p)));
				PlanarImg<UnsignedByteType, ByteArray> img = new PlanarImg<>(a, dims, new Fraction());
				img.setLinkedType(new UnsignedByteType(img));
				yield new Volume<>(img, cal);
			}
			case 16 -> {
				if (imp.getCalibration().isSigned16Bit()) yield signedShorts(planes, dims, cal);
				if (imp.getCalibration().getFunction() == Calibration.STRAIGHT_LINE) yield straightLine(planes, dims, cal, imp.getCalibration());
				List<ShortArray> a = new ArrayList<>();
				planes.forEach(p -> a.add(new ShortArray((short[]) p)));
				PlanarImg<UnsignedShortType, ShortArray> img = new PlanarImg<>(a, dims, new Fraction());
				img.setLinkedType(new UnsignedShortType(img));
				yield new Volume<>(img, cal);
			}
			case 32 -> {
				List<FloatArray> a = new ArrayList<>();
				planes.forEach(p -> a.add(new FloatArray((float[]) p)));
				PlanarImg<FloatType, FloatArray> img = new PlanarImg<>(a, dims, new Fraction());
				img.setLinkedType(new FloatType(img));
				yield new Volume<>(img, cal);
			}
			default -> throw new SegmentationException(source + " has an unsupported bit depth " + imp.getBitDepth() +
				". Fix: convert it to 8, 16 or 32 bit (Image > Type).");
		};
	}

	/**
	 * ImageJ 1 keeps signed 16-bit images as unsigned values offset by 32768 (with a calibration
	 * function); the volume gets the signed values, in copied planes, so an open image is not changed.
	 */
	private static Volume<?> signedShorts(List<Object> planes, long[] dims, io.github.unetseg.image.Calibration cal) {
		List<ShortArray> a = new ArrayList<>();
		for (Object p : planes) {
			short[] raw = (short[]) p, signed = new short[raw.length];
			for (int i = 0; i < raw.length; i++) signed[i] = (short) (raw[i] ^ 0x8000); // (raw & 0xffff) - 32768
			a.add(new ShortArray(signed));
		}
		PlanarImg<ShortType, ShortArray> img = new PlanarImg<>(a, dims, new Fraction());
		img.setLinkedType(new ShortType(img));
		return new Volume<>(img, cal);
	}

	/**
	 * The calibrated values {@code a + b * raw} of 16-bit planes with ImageJ's straight-line calibration function
	 * (e.g. a CT opened by ImageJ's DICOM reader: Rescale Intercept and Slope, values in Hounsfield units), in
	 * copied float planes, so an open image is not changed.
	 */
	private static Volume<?> straightLine(List<Object> planes, long[] dims, io.github.unetseg.image.Calibration cal, Calibration function) {
		double[] k = function.getCoefficients();
		double a = k != null && k.length > 0 ? k[0] : 0, b = k != null && k.length > 1 ? k[1] : 1;
		List<FloatArray> out = new ArrayList<>();
		for (Object p : planes) {
			short[] raw = (short[]) p;
			float[] v = new float[raw.length];
			for (int i = 0; i < raw.length; i++) v[i] = (float) (a + b * (raw[i] & 0xffff));
			out.add(new FloatArray(v));
		}
		PlanarImg<FloatType, FloatArray> img = new PlanarImg<>(out, dims, new Fraction());
		img.setLinkedType(new FloatType(img));
		return new Volume<>(img, cal);
	}

	/**
	 * The same 8-bit planes read as two's complement, for files whose samples are signed (TIFF
	 * SampleFormat 2), which ImageJ 1 opens as unsigned.
	 *
	 * @param unsigned a volume of {@code UnsignedByteType} planes from {@link #wrap}
	 * @return a {@code ByteType} volume sharing the planes
	 * @throws IllegalArgumentException if the volume is not made of unsigned byte planes
	 */
	static Volume<?> signedBytes(Volume<?> unsigned) {
		if (!(unsigned.image() instanceof PlanarImg<?, ?> p) || !(p.firstElement() instanceof UnsignedByteType))
			throw new IllegalArgumentException("not an 8-bit planar volume");
		List<ByteArray> a = new ArrayList<>();
		for (int i = 0; i < p.numSlices(); i++) a.add((ByteArray) p.getPlane(i));
		PlanarImg<ByteType, ByteArray> img = new PlanarImg<>(a, p.dimensionsAsLongArray(), new Fraction());
		img.setLinkedType(new ByteType(img));
		return new Volume<>(img, unsigned.calibration());
	}

	private static Volume<?> rgb(ImageStack stack, int w, int h, int z, io.github.unetseg.image.Calibration cal) {
		List<ByteArray> a = new ArrayList<>();
		byte[][][] rgb = new byte[z][3][w * h];
		for (int sl = 0; sl < z; sl++)
			((ColorProcessor) stack.getProcessor(sl + 1)).getRGB(rgb[sl][0], rgb[sl][1], rgb[sl][2]);
		for (int ch = 0; ch < 3; ch++)
			for (int sl = 0; sl < z; sl++) a.add(new ByteArray(rgb[sl][ch]));
		long[] dims = z > 1 ? new long[] { w, h, z, 3 } : new long[] { w, h, 3 };
		PlanarImg<UnsignedByteType, ByteArray> img = new PlanarImg<>(a, dims, new Fraction());
		img.setLinkedType(new UnsignedByteType(img));
		return new Volume<>(img, cal);
	}

	private static io.github.unetseg.image.Calibration calibration(ImagePlus imp, boolean is3d) {
		Calibration c = imp.getCalibration();
		double px = c.pixelWidth > 0 ? c.pixelWidth : 1, py = c.pixelHeight > 0 ? c.pixelHeight : 1;
		double pz = c.pixelDepth > 0 ? c.pixelDepth : 1;
		String unit = c.getUnit() == null || c.getUnit().isBlank() ? "pixel" : c.getUnit();
		// a DICOM series opened by ImageJ: the orientation and slice spacing of its headers
		double[] affine = is3d && imp.getNChannels() == 1 ? DicomSeriesIO.stackAffine(imp.getStack(), px, py) : null;
		if (affine != null)
			return new io.github.unetseg.image.Calibration(new double[] { px, py, Math.sqrt(affine[2] * affine[2] + affine[6] * affine[6] +
				affine[10] * affine[10]) }, unit, affine);
		return is3d ? io.github.unetseg.image.Calibration.of(unit, px, py, pz) : io.github.unetseg.image.Calibration.of(unit, px, py);
	}

	/**
	 * Copies a Volume into a new ImagePlus: 8-bit for {@code UnsignedByteType}, 16-bit for
	 * {@code UnsignedShortType}, 32-bit float for anything else; channels become a composite hyperstack.
	 * Calibration (spacing and unit) is set from the volume.
	 *
	 * @param volume the image {@code [x, y(, z), c]}
	 * @param title window title
	 * @return the ImagePlus
	 */
	public static <T extends RealType<T>> ImagePlus toImagePlus(Volume<T> volume, String title) {
		RandomAccessibleInterval<T> img = volume.image();
		int w = (int) img.dimension(0), h = (int) img.dimension(1);
		int n = volume.spatialDims();
		int z = n == 3 ? (int) img.dimension(2) : 1;
		int c = volume.channels();
		T type = img.getType();
		ImageStack stack = new ImageStack(w, h);
		for (int sl = 0; sl < z; sl++)
			for (int ch = 0; ch < c; ch++) {
				RandomAccessibleInterval<T> plane = Views.hyperSlice(img, n, ch);
				if (n == 3) plane = Views.hyperSlice(plane, 2, sl);
				ImageProcessor ip;
				Cursor<T> cur = Views.flatIterable(plane).cursor();
				if (type instanceof UnsignedByteType) {
					byte[] p = new byte[w * h];
					for (int i = 0; cur.hasNext(); i++) p[i] = (byte) ((UnsignedByteType) cur.next()).get();
					ip = new ByteProcessor(w, h, p);
				}
				else if (type instanceof UnsignedShortType) {
					short[] p = new short[w * h];
					for (int i = 0; cur.hasNext(); i++) p[i] = (short) ((UnsignedShortType) cur.next()).get();
					ip = new ShortProcessor(w, h, p, null);
				}
				else {
					float[] p = new float[w * h];
					for (int i = 0; cur.hasNext(); i++) p[i] = cur.next().getRealFloat();
					ip = new FloatProcessor(w, h, p);
				}
				stack.addSlice(ip);
			}
		ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(c, z, 1);
		if (c > 1) imp = new ij.CompositeImage(imp, ij.CompositeImage.GRAYSCALE);
		Calibration cal = imp.getCalibration();
		cal.pixelWidth = volume.calibration().spacing(0);
		cal.pixelHeight = volume.calibration().spacing(1);
		if (n == 3) cal.pixelDepth = volume.calibration().spacing(2);
		cal.setUnit(volume.calibration().unit());
		return imp;
	}

	/**
	 * The label lookup table: black background, then hues stepped by the golden ratio (saturation 0.85,
	 * brightness 1), so that neighbouring labels differ ('glasbey'-like).
	 *
	 * @return {@code [red, green, blue]}, 256 entries each
	 */
	public static byte[][] labelColors() {
		byte[] r = new byte[256], g = new byte[256], b = new byte[256];
		for (int i = 1; i < 256; i++) {
			java.awt.Color col = java.awt.Color.getHSBColor((i * 0.618034f) % 1f, 0.85f, 1f);
			r[i] = (byte) col.getRed();
			g[i] = (byte) col.getGreen();
			b[i] = (byte) col.getBlue();
		}
		return new byte[][] { r, g, b };
	}

	/**
	 * Gives a label image a lookup table with distinct colours (black background, 'glasbey'-like hues)
	 * and a display range of {@code [0, classes - 1]}.
	 *
	 * @param labels an 8- or 16-bit label ImagePlus
	 * @param classes number of classes including background
	 */
	public static void applyLabelLut(ImagePlus labels, int classes) {
		byte[][] rgb = labelColors();
		LUT lut = new LUT(rgb[0], rgb[1], rgb[2]);
		labels.getProcessor().setLut(lut);
		if (labels.getStackSize() > 1) labels.getStack().setColorModel(lut);
		labels.setDisplayRange(0, labels.getBitDepth() == 8 ? 255 : Math.max(1, classes - 1));
	}

	/**
	 * Frame {@code t} of a hyperstack as an image of its own, sharing the planes' pixels (a virtual stack's
	 * planes are read).
	 *
	 * @param image a hyperstack
	 * @param t the frame, 1-based
	 * @return its channels and slices, calibrated as the image
	 */
	public static ImagePlus frame(ImagePlus image, int t) {
		int c = image.getNChannels(), z = image.getNSlices();
		ImageStack stack = new ImageStack(image.getWidth(), image.getHeight());
		ImageStack all = image.getStack();
		for (int sl = 1; sl <= z; sl++)
			for (int ch = 1; ch <= c; ch++) {
				int i = image.getStackIndex(ch, sl, t);
				stack.addSlice(all.getSliceLabel(i), all.getProcessor(i));
			}
		ImagePlus f = new ImagePlus(image.getTitle(), stack);
		f.setDimensions(c, z, 1);
		f.setCalibration(image.getCalibration());
		return f;
	}

	/**
	 * One hyperstack of the frames' results in ImageJ's order (channel fastest, then slice, then frame); a
	 * single frame is returned as it is. Frames of different types (16-bit ids in one, 32-bit in another) all
	 * become 32-bit.
	 *
	 * @param frames one image per frame, all of one size and channel and slice count
	 * @param input the calibration whose frame interval and time unit the result takes
	 * @return the hyperstack, with the first frame's title and calibration
	 */
	public static ImagePlus stackFrames(List<ImagePlus> frames, Calibration input) {
		ImagePlus first = frames.get(0);
		if (frames.size() == 1) return first;
		boolean float32 = frames.stream().anyMatch(f -> f.getBitDepth() == 32);
		ImageStack stack = new ImageStack(first.getWidth(), first.getHeight());
		for (ImagePlus f : frames)
			for (int i = 1; i <= f.getStackSize(); i++)
				stack.addSlice(float32 ? f.getStack().getProcessor(i).convertToFloat() : f.getStack().getProcessor(i));
		ImagePlus out = new ImagePlus(first.getTitle(), stack);
		int c = first.getNChannels();
		out.setDimensions(c, first.getNSlices(), frames.size());
		out.setOpenAsHyperStack(true);
		if (c > 1) out = new CompositeImage(out, CompositeImage.GRAYSCALE);
		Calibration cal = first.getCalibration().copy();
		cal.frameInterval = input.frameInterval;
		cal.setTimeUnit(input.getTimeUnit());
		out.setCalibration(cal);
		return out;
	}
}
