package io.github.unetseg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.TensorFlowModel;
import io.github.unetseg.tensorflow.UNetExporter;

/**
 * Resident memory over many predicted batches: predicts N batches (default 2000) of 8 tiles of
 * 64 x 64 with a 2D U-Net (depth 3, 16 filters) and prints the process's RSS (VmRSS) every 200
 * batches. A leak of one tensor per batch (1 MB here) would show as ~2 GB of growth.
 */
public final class RssBench {

	public static void main(String[] args) throws Exception {
		int batches = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
		Path dir = Files.createTempDirectory("rssbench");
		UNetConfig c = new UNetConfig(2, 1, 1, 3, 16, false, 0);
		var bundle = UNetExporter.writeRandom(dir.resolve("m"), ModelSpec.forUNet("rss", c, List.of("bg", "fg"),
			Normalization.percentile(), new double[] { 1, 1 }, "pixel", new long[] { 64, 64 }, new long[] { 0, 0 }, null), 1);
		float[] input = new float[8 * 64 * 64];
		Random r = new Random(1);
		for (int i = 0; i < input.length; i++) input[i] = (float) r.nextGaussian();
		try (TensorFlowModel m = TensorFlowModel.load(bundle, new EngineOptions(Device.CPU, 2))) {
			for (int i = 0; i < 50; i++) m.predict(input, 8, new long[] { 64, 64 });
			long start = rssKiB();
			long t0 = System.nanoTime();
			System.out.printf(Locale.ROOT, "batch %5d  RSS %7.1f MiB (after 50 warm-up batches)%n", 0, start / 1024.0);
			long max = start;
			long half = 0;
			for (int b = 1; b <= batches; b++) {
				m.predict(input, 8, new long[] { 64, 64 });
				if (b == batches / 2) half = rssKiB();
				if (b % 200 == 0) {
					long rss = rssKiB();
					max = Math.max(max, rss);
					Runtime rt = Runtime.getRuntime();
					System.out.printf(Locale.ROOT, "batch %5d  RSS %7.1f MiB  (Java heap committed %6.1f MiB, used %6.1f MiB)%n", b,
						rss / 1024.0, rt.totalMemory() / 1048576.0, (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
				}
			}
			double s = (System.nanoTime() - t0) / 1e9;
			long end = rssKiB();
			System.out.printf(Locale.ROOT, "%d batches in %.1f s (%.1f ms/batch); RSS start %.1f MiB, end %.1f MiB, max %.1f MiB, " +
				"growth %.1f MiB; RSS growth over the second half %.1f MiB%n", batches, s, 1000 * s / batches, start / 1024.0,
				end / 1024.0, max / 1024.0, (end - start) / 1024.0, (end - half) / 1024.0);
		}
	}

	static long rssKiB() throws Exception {
		for (String line : Files.readAllLines(Path.of("/proc/self/status")))
			if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
		return -1;
	}
}
