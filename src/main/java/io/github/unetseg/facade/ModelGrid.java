package io.github.unetseg.facade;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Orientation;
import io.github.unetseg.image.Resampling;
import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tiling.Stitcher;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.loops.LoopBuilder;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * An input brought onto a 3D model's grid and the result brought back, as nnU-Net's preprocessing and
 * its export of predictions do: reoriented to the model's anatomical axis codes
 * ({@link ModelSpec#orientation()}, {@link Orientation}) and resampled to the model's voxel spacing
 * (linear); the probabilities are resampled back to the input grid (linear), the labels taken from them
 * (argmax, or the threshold of a binary model) and both reoriented back, so the outputs match the input
 * voxel for voxel, with its calibration. For a CT model ({@link Normalization.Method#CT}) an input whose
 * values do not look like Hounsfield units gets a warning.
 *
 * @param input the volume the network sees
 * @param source the original input's spatial size {@code [x, y, z]} and calibration
 * @param reorientedSize the size after reorientation, before resampling, {@code [x, y, z]}
 * @param from the input's axis codes, or {@code null} when it is not reoriented
 * @param to the model's axis codes, or {@code null}
 * @param resampled whether {@code input} was resampled
 * @param warnings what the user should know about the input
 */
record ModelGrid(Volume<?> input, Volume<?> source, long[] reorientedSize, String from, String to, boolean resampled,
	List<String> warnings)
{

	/**
	 * Prepares an input for a model.
	 *
	 * @param volume the input {@code [x, y(, z), c]}
	 * @param spec the model
	 * @param geometry the user's orientation and resampling choice
	 * @param name the input's name, for messages
	 * @return the input on the model's grid (the input itself when nothing applies)
	 * @throws SegmentationException if the resampled image would exceed 2<sup>31</sup> values
	 */
	static <T extends RealType<T>> ModelGrid of(Volume<T> volume, ModelSpec spec, SegmentationSettings.Geometry geometry, String name) {
		List<String> warnings = new ArrayList<>();
		if (spec.normalization().method() == Normalization.Method.CT) huCheck(volume, name, warnings);
		if (volume.spatialDims() != 3 || spec.dimensions() != 3)
			return new ModelGrid(volume, volume, volume.spatialSize(), null, null, false, List.copyOf(warnings));
		Volume<?> v = volume;
		String from = null, to = spec.orientation();
		if (to != null && !geometry.orientation().equals("none")) {
			if (!geometry.orientation().equals("auto")) from = geometry.orientation();
			else if (volume.calibration().affine() != null) from = Orientation.codes(volume.calibration().affine());
			else warnings.add(name + " has no anatomical orientation (no NIfTI affine or DICOM tags); its axes are taken to be the model's (" +
				to + "). If they are not, give its axis codes with option orientation.");
			if (from != null && !from.equals(to)) {
				Volume<?> src = volume;
				if (!(volume.image().getType() instanceof NativeType<?>)) src = floatCopy(volume);
				v = reorientAny(src, from, to);
			}
			else from = null;
		}
		long[] reoriented = v.spatialSize();
		boolean resample = false;
		if (geometry.resample() && sameUnit(v.calibration().unit(), spec.spacingUnit())) {
			double[] factor = new double[3];
			for (int d = 0; d < 3; d++) {
				factor[d] = v.calibration().spacing(d) / spec.spacing()[d];
				resample |= Math.abs(factor[d] - 1) > 0.01;
			}
			if (resample) {
				long[] size = Resampling.scaledSize(reoriented, factor);
				try {
					v = resampleLinear(v, size);
				}
				catch (IllegalArgumentException e) {
					throw new SegmentationException(name + " resampled from " + fmt(v.calibration().spacing()) + " to the model's " +
						fmt(spec.spacing()) + " " + spec.spacingUnit() + " would be " + Arrays.toString(size) + " voxels: " + e.getMessage() +
						". Fix: crop the image, or give resample=false.", e);
				}
			}
		}
		return new ModelGrid(v, volume, reoriented, from, to, resample, List.copyOf(warnings));
	}

	/**
	 * What a streamed input would need that only the in-memory path does.
	 *
	 * @param calibration the input's calibration
	 * @param spec the model
	 * @param geometry the user's choice
	 * @return a phrase naming the reorientation or resampling needed, or {@code null} when none is
	 */
	static String streamingProblem(Calibration calibration, ModelSpec spec, SegmentationSettings.Geometry geometry) {
		if (calibration.spatialDims() != 3 || spec.dimensions() != 3) return null;
		if (spec.orientation() != null && !geometry.orientation().equals("none")) {
			String from = !geometry.orientation().equals("auto") ? geometry.orientation()
				: calibration.affine() != null ? Orientation.codes(calibration.affine()) : null;
			if (from != null && !from.equals(spec.orientation()))
				return "its orientation " + from + " differs from the model's " + spec.orientation();
		}
		if (geometry.resample() && sameUnit(calibration.unit(), spec.spacingUnit()))
			for (int d = 0; d < 3; d++)
				if (Math.abs(calibration.spacing(d) / spec.spacing()[d] - 1) > 0.01)
					return "its voxel spacing " + fmt(calibration.spacing()) + " differs from the model's " + fmt(spec.spacing()) + " " +
						spec.spacingUnit();
		return null;
	}

	/** @return true when the network sees the input as it is */
	boolean identity() {
		return from == null && !resampled;
	}

	/**
	 * Brings a result on the model's grid back to the input's.
	 *
	 * @param result labels and probabilities on {@link #input}'s grid
	 * @param threshold probability threshold of a binary model
	 * @return labels and probabilities on the input's grid, with its calibration
	 */
	Stitcher.StitchedResult back(Stitcher.StitchedResult result, double threshold) {
		if (identity()) return result;
		Volume<FloatType> p = result.probabilities();
		int channels = p.channels();
		if (resampled) p = resampleLinear(p, reorientedSize);
		if (from != null) p = Orientation.reorient(p, to, from);
		float[] flat = io.github.unetseg.image.PixelArrays.floats(p.image());
		// the argmax of resampled probabilities (nnU-Net's resampling of softmax outputs), on the input's calibration
		return Stitcher.fromProbabilities(flat, source.spatialSize(), channels, threshold, source.calibration());
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<FloatType> resampleLinear(Volume<?> v, long[] size) {
		return Resampling.linear((Volume) v, size);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> reorientAny(Volume<?> v, String from, String to) {
		return Orientation.reorient((Volume) v, from, to);
	}

	private static <T extends RealType<T>> Volume<FloatType> floatCopy(Volume<T> v) {
		ArrayImg<FloatType, FloatArray> out = ArrayImgs.floats(v.image().dimensionsAsLongArray());
		LoopBuilder.setImages(v.image(), out).forEachPixel((a, b) -> b.set(a.getRealFloat()));
		return new Volume<>(out, v.calibration());
	}

	private static boolean sameUnit(String a, String b) {
		String x = Calibration.canonicalUnit(a);
		return !x.equals("pixel") && x.equals(Calibration.canonicalUnit(b));
	}

	/**
	 * CT in Hounsfield units has air at about -1000: an image whose lowest percent lies above -500 is
	 * probably stored with an offset (HU + 1000, as OpenKBP's files) or is not CT.
	 */
	private static <T extends RealType<T>> void huCheck(Volume<T> volume, String name, List<String> warnings) {
		long n = volume.voxelCount() * volume.channels(), stride = Math.max(1, n / 100_000);
		float[] sample = new float[(int) Math.min(n, (n + stride - 1) / stride)];
		int k = 0;
		long i = 0;
		for (T t : Views.flatIterable(volume.image())) {
			if (i++ % stride == 0 && k < sample.length) sample[k++] = t.getRealFloat();
		}
		Arrays.sort(sample, 0, k);
		if (k == 0) return;
		float p1 = sample[k / 100], p99 = sample[Math.min(k - 1, k * 99 / 100)];
		if (p1 > -500)
			warnings.add(String.format(Locale.ROOT, "%s does not look like CT in Hounsfield units (1st percentile %.0f, 99th %.0f; air is " +
				"about -1000 HU): the model expects HU. Fix: if the file stores HU + 1000 (as OpenKBP's), subtract 1000; MRI or other images " +
				"need another model.", name, p1, p99));
	}

	private static String fmt(double[] v) {
		StringBuilder b = new StringBuilder();
		for (double x : v) b.append(b.length() == 0 ? "" : " x ").append(String.format(Locale.ROOT, "%.3g", x));
		return b.toString();
	}
}
