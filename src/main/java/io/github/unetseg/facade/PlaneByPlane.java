package io.github.unetseg.facade;

import java.util.List;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.objects.InstanceDecoder;
import io.github.unetseg.objects.ObjectLabels;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TiledInference;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;

/** A 2D model on a stack: {@link LocalSegmenter} segments each plane, this class stacks the results. */
final class PlaneByPlane {

	private PlaneByPlane() {}

	/** Segments one plane {@code [x, y, c]} with the model and the run's settings. */
	interface PlaneSegmenter {
		SegmentationResult segment(Volume<?> plane, ProgressListener progress, String source);
	}

	/**
	 * A 2D model on a 3D image (a z-stack; a time series read as a stack): every plane is segmented on its
	 * own and the labels (and probabilities) are stacked with the input's calibration. An instance model's
	 * objects get ids unique over the stack; with {@code stitchThreshold > 0} an object is linked to the
	 * object of the plane before with which it has the highest IoU, if that IoU reaches the threshold and
	 * the object before is not linked to a better match (Cellpose's {@code stitch_threshold}, Stringer et
	 * al., Nature Methods 18:100, 2021).
	 *
	 * @param volume image {@code [x, y, z, c]}
	 * @param spec the 2D model's description
	 * @param channels the model's output channels (probability channels)
	 * @param settings the run's settings (probabilities, stitch threshold)
	 * @param progress progress over all planes, and cancellation
	 * @param source the image's name for messages
	 * @param note a warning to put first, or {@code null}
	 * @param device where the network ran
	 * @param planes segments one plane {@code [x, y, c]}
	 * @return labels {@code [x, y, z, 1]} (and probabilities {@code [x, y, z, channels]}) with the input's calibration
	 * @throws SegmentationException if the stack has more than 2<sup>31</sup> voxels, or from a plane
	 */
	static <T extends RealType<T>> SegmentationResult segment(Volume<T> volume, ModelSpec spec, int channels, SegmentationSettings settings,
		ProgressListener progress, String source, String note, String device, PlaneSegmenter planes)
	{
		long t0 = System.nanoTime();
		long[] size = volume.spatialSize();
		if (size[0] * size[1] * size[2] > Integer.MAX_VALUE - 8)
			throw new SegmentationException(source + " (" + volume.describeSize() + ") has more than 2^31 voxels, too many to segment plane " +
				"by plane in memory. Fix: crop it or split the stack.");
		int nz = (int) size[2], plane = (int) (size[0] * size[1]);
		io.github.unetseg.image.Calibration cal = volume.calibration();
		io.github.unetseg.image.Calibration cal2 = io.github.unetseg.image.Calibration.of(cal.unit(), cal.spacing(0), cal.spacing(1));
		boolean instances = spec.instances() != null;
		double stitch = settings.objects().stitchThreshold();
		int[] ids = new int[plane * nz];
		float[] probs = settings.probabilities() ? new float[plane * nz * channels] : null;
		java.util.LinkedHashSet<String> warnings = new java.util.LinkedHashSet<>();
		warnings.add(source + " is 3D and model " + spec.name() + " is 2D: its " + nz + " planes were segmented one by one" +
			(instances ? (stitch > 0 ? ", objects linked across planes at IoU >= " + stitch : ", objects not linked across planes") : "") + ".");
		if (note != null) warnings.add(note);
		int next = 0, tiles = 0, batch = 0;
		double modelSeconds = 0, inferenceSeconds = 0;
		TilePlan plan = null;
		for (int z = 0; z < nz; z++) {
			ProgressListener sub = ProgressListener.part(progress, z, nz, "plane");
			SegmentationResult r = planes.segment(new Volume<>(net.imglib2.view.Views.hyperSlice(volume.image(), 2, z), cal2), sub,
				source + " plane " + (z + 1));
			warnings.addAll(r.warnings());
			int i = z * plane;
			for (Object t : net.imglib2.view.Views.flatIterable(r.labels().image())) {
				int v = (int) ((RealType<?>) t).getRealDouble();
				ids[i++] = v > 0 && instances ? v + next : v;
			}
			if (instances) {
				if (stitch > 0 && z > 0) InstanceDecoder.link(ids, (z - 1) * plane, z * plane, plane, next, r.objectCount(), stitch);
				next += r.objectCount();
			}
			if (probs != null) {
				// [x, y, c] of the plane into [x, y, z, c]
				var c = net.imglib2.view.Views.flatIterable(r.probabilities().image()).cursor();
				for (int ch = 0; ch < channels; ch++)
					for (int k = 0; k < plane; k++) probs[(ch * nz + z) * plane + k] = ((RealType<?>) c.next()).getRealFloat();
			}
			plan = r.plan();
			tiles += r.stats().tiles();
			batch = r.stats().batchSize();
			modelSeconds += r.stats().modelSeconds();
			inferenceSeconds += r.stats().totalSeconds();
		}
		Volume<?> labels;
		int count = -1;
		if (instances) {
			InstanceDecoder.Instances objects = InstanceDecoder.renumber(ids, next);
			count = objects.count();
			labels = ObjectLabels.volume(objects.labels(), size, count, cal);
		}
		else {
			if (spec.classNames().size() <= 255) {
				byte[] b = new byte[ids.length];
				for (int k = 0; k < b.length; k++) b[k] = (byte) ids[k];
				labels = new Volume<>(net.imglib2.img.array.ArrayImgs.unsignedBytes(b, size[0], size[1], size[2], 1), cal);
			}
			else {
				short[] sh = new short[ids.length];
				for (int k = 0; k < sh.length; k++) sh[k] = (short) ids[k];
				labels = new Volume<>(net.imglib2.img.array.ArrayImgs.unsignedShorts(sh, size[0], size[1], size[2], 1), cal);
			}
		}
		Volume<FloatType> probabilities = probs == null ? null
			: new Volume<>(net.imglib2.img.array.ArrayImgs.floats(probs, size[0], size[1], size[2], channels), cal);
		TiledInference.Stats stats = new TiledInference.Stats(tiles, batch, modelSeconds, inferenceSeconds);
		return new SegmentationResult(labels, probabilities, plan, batch, stats, device, List.copyOf(warnings),
			(System.nanoTime() - t0) / 1e9, count);
	}
}
