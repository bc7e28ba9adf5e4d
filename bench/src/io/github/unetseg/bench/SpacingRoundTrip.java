package io.github.unetseg.bench;

import java.nio.file.Path;
import java.util.Locale;

import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.image.PixelArrays;
import io.github.unetseg.image.Resampling;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.Stitcher;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Issue 14's resampling round trip with a real model: each CT (slices {@code FROM} mm apart) is segmented as
 * it is ("direct") and after resampling its slices to {@code TO} mm (linear); the labels of the resampled
 * input, which the model returns on that input's grid, are resampled back to the CT's grid (nearest
 * neighbour; and as the argmax of its probabilities resampled linearly, nnU-Net's way and the one unetseg uses
 * between a model's grid and the input's) and compared with the direct labels per organ (Dice; organs absent
 * from both are left out). All labels are the network's, without the model's post-processing (which would
 * keep or drop a stray piece in one result and not the other). Also prints each direct run's time in this warm process. Usage: SpacingRoundTrip MODEL FROM TO CT...
 */
public final class SpacingRoundTrip {

	public static void main(String[] args) {
		Path model = Path.of(args[0]);
		double from = Double.parseDouble(args[1]), to = Double.parseDouble(args[2]);
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 0))) {
			java.util.List<String> names = s.spec().classNames();
			int classes = names.size();
			double[][] sum = new double[2][classes], min = new double[2][classes];
			java.util.Arrays.fill(min[0], 1);
			java.util.Arrays.fill(min[1], 1);
			int[] n = new int[classes];
			// without the model's post-processing, both ways: the comparison is of the resampling alone
			SegmentationSettings raw = SegmentationSettings.defaults().withPostprocess("none");
			for (int a = 3; a < args.length; a++) {
				Volume<?> ct = ImageFiles.read(Path.of(args[a]));
				double z = ct.calibration().spacing()[2];
				if (Math.abs(z - from) > 0.01) {
					System.out.printf(Locale.ROOT, "%s: slices %.3f mm apart, not %.3f: skipped%n", args[a], z, from);
					continue;
				}
				long t0 = System.nanoTime();
				short[] direct = values(segment(s, ct, raw).labels());
				double seconds = (System.nanoTime() - t0) / 1e9;
				long[] size = ct.spatialSize();
				long[] resampledSize = Resampling.scaledSize(size, new double[] { 1, 1, from / to });
				Volume<?> resampled = linear(ct, resampledSize);
				SegmentationResult r = segment(s, resampled, raw.withProbabilities(true));
				Volume<FloatType> p = Resampling.linear(r.probabilities(), size);
				short[][] back = { values(nearest(r.labels(), size)),
					values(Stitcher.fromProbabilities(PixelArrays.floats(p.image()), size, classes, 0.5, ct.calibration()).labels()) };
				StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: direct %.2f s warm; %d -> %d slices (%.3f mm); Dice to " +
					"direct (labels by nearest / probabilities by argmax):", Path.of(args[a]).getFileName(), seconds, size[2], resampledSize[2],
					resampled.calibration().spacing()[2]));
				Overlap[][] o = { Overlap.perClass(back[0], direct, classes), Overlap.perClass(back[1], direct, classes) };
				for (int k = 1; k < classes; k++) {
					if (o[0][k].bothEmpty()) continue;
					line.append(String.format(Locale.ROOT, " %s %.4f / %.4f", names.get(k), o[0][k].dice(), o[1][k].dice()));
					for (int m = 0; m < 2; m++) {
						sum[m][k] += o[m][k].dice();
						min[m][k] = Math.min(min[m][k], o[m][k].dice());
					}
					n[k]++;
				}
				System.out.println(line);
			}
			for (int k = 1; k < classes; k++)
				if (n[k] > 0) System.out.printf(Locale.ROOT, "%-14s Dice to direct, labels by nearest: mean %.4f, lowest %.4f; by probabilities: " +
					"mean %.4f, lowest %.4f (%d CTs)%n", names.get(k), sum[0][k] / n[k], min[0][k], sum[1][k] / n[k], min[1][k], n[k]);
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static SegmentationResult segment(Segmenter s, Volume<?> v, SegmentationSettings settings) {
		return s.segment((Volume) v, settings, ProgressListener.NONE, "ct");
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> linear(Volume<?> v, long[] size) {
		return Resampling.linear((Volume) v, size);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> nearest(Volume<?> v, long[] size) {
		return Resampling.nearest((Volume) v, size);
	}

	private static short[] values(Volume<?> v) {
		short[] out = new short[(int) v.voxelCount()];
		int i = 0;
		for (Object t : Views.flatIterable(v.image())) out[i++] = (short) Math.round(((RealType<?>) t).getRealDouble());
		return out;
	}
}
