package io.github.unetseg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.FileResult;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.UNetExporter;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * End-to-end segmentation throughput (normalise, tile, predict, stitch, label) in memory for a 2D
 * image of 2048 x 2048 and a 3D volume of 256 x 256 x 128, with the share of wall time spent outside
 * TensorFlow's Session.run; then the same file to file (TIFF, NIfTI, NIfTI gzip), as {@code unetseg
 * segment} runs. Usage: ThroughputBench [model2d-dir model3d-dir]; without arguments it
 * builds random-weight U-Nets (2D: depth 3, 16 filters; 3D: depth 2, 8 filters). {@code -Dreps=N} repeats
 * each in-memory run N times (default 2) to show the JIT-warm steady state; {@code -DinMemoryOnly=true}
 * skips the mixed-precision and file runs.
 */
public final class ThroughputBench {

	public static void main(String[] args) throws Exception {
		Path tmp = Files.createTempDirectory("tpbench");
		Path m2 = args.length > 1 ? Path.of(args[0]) : random(tmp, "b2d", new UNetConfig(2, 1, 1, 3, 16, false, 0), 512);
		Path m3 = args.length > 1 ? Path.of(args[1]) : random(tmp, "b3d", new UNetConfig(3, 1, 1, 2, 8, false, 0), 128);
		EngineOptions cpu = new EngineOptions(Device.CPU, 0);
		run(m2, cpu, 2048, 2048);
		run(m3, cpu, 256, 256, 128);
		if (Boolean.getBoolean("inMemoryOnly")) return;
		EngineOptions mixed = new EngineOptions(Device.CPU, 0, io.github.unetseg.tensorflow.Precision.MIXED);
		System.out.println("-- mixed precision (bfloat16 convolutions where the CPU has them):");
		run(m2, mixed, 2048, 2048);
		run(m3, mixed, 256, 256, 128);
		System.out.println("-- float32, file to file:");
		// file to file, as `unetseg segment` runs: read, segment, write the labels (atomically)
		runFile(m2, cpu, tmp.resolve("in2d.tif"), 2048, 2048);
		runFile(m3, cpu, tmp.resolve("in3d.nii"), 256, 256, 128);
		runFile(m3, cpu, tmp.resolve("in3d.nii.gz"), 256, 256, 128);
	}

	static Volume<UnsignedShortType> input(long... size) {
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = 1;
		ArrayImg<UnsignedShortType, ?> img = ArrayImgs.unsignedShorts(dims);
		java.util.Random r = new java.util.Random(3);
		for (UnsignedShortType t : img) t.set(r.nextInt(4096));
		return new Volume<>(img, Calibration.uncalibrated(size.length));
	}

	static void runFile(Path model, EngineOptions options, Path file, long... size) {
		io.github.unetseg.io.ImageFiles.write(input(size), file, 0);
		Path out = file.resolveSibling("out");
		try (Segmenter s = Engines.segmenter(model, options)) {
			s.segmentFile(file, out, SegmentationSettings.defaults(), ProgressListener.NONE);
			for (int rep = 0; rep < 2; rep++) {
				FileResult f = s.segmentFile(file, out, SegmentationSettings.defaults(), ProgressListener.NONE);
				double run = f.result().stats().modelSeconds();
				long voxels = 1;
				for (long d : size) voxels *= d;
				System.out.printf(Locale.ROOT, "%s file %s -> %s: %.2f s, %.3g voxels/s, Session.run %.2f s, outside %.1f%%%n",
					s.spec().name(), file.getFileName(), f.labelsFile().getFileName(), f.seconds(), voxels / f.seconds(), run,
					100 * (1 - run / f.seconds()));
			}
		}
	}

	static Path random(Path dir, String name, UNetConfig c, long tile) {
		long[] t = new long[c.dimensions()], h = new long[c.dimensions()];
		double[] s = new double[c.dimensions()];
		java.util.Arrays.fill(t, tile);
		java.util.Arrays.fill(h, c.receptiveFieldRadius());
		java.util.Arrays.fill(s, 1);
		ModelBundle b = UNetExporter.writeRandom(dir.resolve(name), ModelSpec.forUNet(name, c, List.of("bg", "fg"),
			Normalization.percentile(), s, "pixel", t, h, null), 1);
		return b.directory();
	}

	static void run(Path model, EngineOptions options, long... size) {
		Volume<UnsignedShortType> v = input(size);
		try (Segmenter s = Engines.segmenter(model, options)) {
			s.segment(v, SegmentationSettings.defaults(), ProgressListener.NONE, "warm-up");
			for (int rep = 0; rep < Integer.getInteger("reps", 2); rep++) {
				SegmentationResult res = s.segment(v, SegmentationSettings.defaults(), ProgressListener.NONE, "bench");
				double flops = s.spec().architecture() == null ? 0 : s.spec().architecture().flopsPerVoxel();
				System.out.printf(Locale.ROOT, "%s %s: %d tiles of %s halo %s (overhead %.2fx), batch %d: %.2f s, %.3g voxels/s, " +
					"Session.run %.2f s, outside %.1f%%, useful %.1f GFLOP/s (%.1f kFLOP/voxel)%n", s.spec().name(),
					java.util.Arrays.toString(size), res.plan().tiles().size(), java.util.Arrays.toString(res.plan().tileSize()),
					java.util.Arrays.toString(res.plan().halo()), res.plan().computeOverhead(), res.batchSize(),
					res.seconds(), res.voxelsPerSecond(), res.stats().modelSeconds(),
					100 * res.outsideModelShare(), res.voxelsPerSecond() * flops / 1e9, flops / 1000);
			}
		}
	}
}
