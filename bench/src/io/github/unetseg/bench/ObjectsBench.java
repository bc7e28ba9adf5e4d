package io.github.unetseg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ObjectRois;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.objects.ObjectMeasurements;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Discs;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * The cost of objects next to the network (issue 13's target: post-processing and measurement at most
 * 20% of the network time on a 2048² fluorescence image with about 2,000 nuclei), and the touching-disc
 * check of an instance model.
 *
 * <p>Mosaic: 64 fluorescence images of 256² from {@code ../shared/data/dsb2018} (the held-out groups of
 * the model's split.csv first), tiled 8 x 8 into 2048², their label images likewise with ids offset.
 * Times, median of 3 runs: the network ({@code Session.run}), the whole segmentation, the watershed and
 * labelling (segmentation minus tiled inference), ROIs ({@link ObjectRois}) and measurements
 * ({@link ObjectMeasurements}); and AP at IoU 0.5 of the mosaic.
 *
 * <p>Discs: 60 bright noisy discs, 20 touching pairs ({@code testutil.Discs}, 512²), segmented at the
 * image's scale and with {@code --diameter} = their median diameter: F1 at IoU 0.5 and the object count.
 *
 * <p>Usage: ObjectsBench MODEL_DIR [DSB2018_DIR]
 */
public final class ObjectsBench {

	public static void main(String[] args) throws Exception {
		Path model = Path.of(args[0]);
		Path data = Path.of(args.length > 1 ? args[1] : "../shared/data/dsb2018");
		List<String> ids = new ArrayList<>();
		List<String> split = Files.exists(model.resolve("split.csv")) ? Files.readAllLines(model.resolve("split.csv")) : List.of();
		for (String line : split) if (line.contains(",test-group,256x256")) ids.add(line.split(",")[0]);
		for (String line : Files.readAllLines(data.resolve("index.csv")))
			if (line.contains(",256,256,") && line.contains(",fluorescence,") && !ids.contains(line.split(",")[0])) ids.add(line.split(",")[0]);
		int n = 8, e = 256, size = n * e;
		short[] img = new short[size * size];
		int[] truth = new int[size * size];
		int offset = 0;
		for (int k = 0; k < n * n; k++) {
			Volume<?> im = ImageFiles.read(data.resolve("images/" + ids.get(k) + ".png"));
			Volume<?> lb = ImageFiles.read(data.resolve("labels/" + ids.get(k) + ".png"));
			int ox = (k % n) * e, oy = (k / n) * e;
			int i = 0, max = 0;
			for (Object t : Views.flatIterable(im.image())) {
				img[ox + i % e + size * (oy + i / e)] = (short) ((RealType<?>) t).getRealDouble();
				i++;
			}
			i = 0;
			for (Object t : Views.flatIterable(lb.image())) {
				int v = (int) ((RealType<?>) t).getRealDouble();
				if (v > 0) truth[ox + i % e + size * (oy + i / e)] = v + offset;
				max = Math.max(max, v);
				i++;
			}
			offset += max;
		}
		System.out.printf(Locale.ROOT, "mosaic %d x %d of 64 fluorescence images, %d nuclei%n", size, size, offset);
		Volume<?> v = new Volume<>(ArrayImgs.unsignedShorts(img, size, size, 1), Calibration.uncalibrated(2));
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 0))) {
			double[] net = new double[3], seg = new double[3], post = new double[3], rois = new double[3], measure = new double[3];
			SegmentationResult r = null;
			for (int rep = 0; rep < 3; rep++) {
				r = s.segment(v, SegmentationSettings.defaults(), ProgressListener.NONE, "mosaic");
				net[rep] = r.stats().modelSeconds();
				seg[rep] = r.seconds();
				post[rep] = r.seconds() - r.stats().totalSeconds();
				long t0 = System.nanoTime();
				int count = ObjectRois.of(r.labels(), r.objectCount()).size();
				rois[rep] = (System.nanoTime() - t0) / 1e9;
				t0 = System.nanoTime();
				int rows = ObjectMeasurements.measure(r.labels(), v, r.objectCount()).size();
				measure[rep] = (System.nanoTime() - t0) / 1e9;
				if (count != r.objectCount() || rows != r.objectCount()) throw new IllegalStateException("ROI or row count differs");
			}
			int[] pred = new int[size * size];
			int i = 0;
			for (Object t : Views.flatIterable(r.labels().image())) pred[i++] = (int) ((RealType<?>) t).getRealDouble();
			InstanceMatching.Counts c = InstanceMatching.match(truth, pred, 0.5)[0];
			double objects = median(post) + median(rois) + median(measure);
			System.out.printf(Locale.ROOT, "%d objects (truth %d), AP@0.5 %.3f; medians of 3: network %.2f s, segmentation %.2f s, " +
				"watershed+labels %.3f s, ROIs %.3f s, measurements %.3f s; objects / network = %.1f%%%n", r.objectCount(), offset,
				c.accuracy(), median(net), median(seg), median(post), median(rois), median(measure), 100 * objects / median(net));

			int[] discs = Discs.touching(512, 7);
			java.util.Random random = new java.util.Random(7);
			short[] di = new short[discs.length];
			for (int k = 0; k < di.length; k++) di[k] = (short) Math.max(0, (discs[k] > 0 ? 120 : 10) + random.nextGaussian() * 8);
			double[] d = io.github.unetseg.data.InstanceTargets.diameters(discs, false);
			java.util.Arrays.sort(d);
			double diameter = d[d.length / 2];
			for (double given : new double[] { 0, diameter }) {
				SegmentationResult dr = s.segment(new Volume<>(ArrayImgs.unsignedShorts(di, 512, 512, 1), Calibration.uncalibrated(2)),
					SegmentationSettings.defaults().withObjects(new SegmentationSettings.Objects(Double.NaN, Double.NaN, -1, given, false,
						false)), ProgressListener.NONE, "discs");
				int[] dp = new int[discs.length];
				i = 0;
				for (Object t : Views.flatIterable(dr.labels().image())) dp[i++] = (int) ((RealType<?>) t).getRealDouble();
				InstanceMatching.Counts dc = InstanceMatching.match(discs, dp, 0.5)[0];
				System.out.printf(Locale.ROOT, "touching discs (60, 20 touching pairs, median diameter %.1f px), %s: %d objects, F1@0.5 %.3f, " +
					"AP@0.5 %.3f%n", diameter, given == 0 ? "at the image's scale" : "--diameter " + String.format(Locale.ROOT, "%.1f", given),
					dr.objectCount(), dc.f1(), dc.accuracy());
			}
		}
	}

	private static double median(double[] v) {
		double[] s = v.clone();
		java.util.Arrays.sort(s);
		return s[s.length / 2];
	}
}
