package io.github.unetseg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import io.github.unetseg.metrics.ClassMetrics;
import io.github.unetseg.metrics.SegmentationMetrics;

/**
 * Dice + Hausdorff + HD95 + ASSD of two 512 x 512 x 200 binary volumes of similar blobs (spacing
 * 0.8 x 0.8 x 2.0 mm). Writes both volumes as raw uint8 (x fastest) to the given folder so that
 * bench/metrics_reference.py computes the same with SciPy on identical data. Prints the best of three
 * runs. Usage: MetricsBench OUT_DIR
 */
public final class MetricsBench {

	static final int X = 512, Y = 512, Z = 200;
	static final double[] SPACING = { 0.8, 0.8, 2.0 };

	public static void main(String[] args) throws Exception {
		Path out = Path.of(args.length > 0 ? args[0] : "bench/out");
		Files.createDirectories(out);
		short[] a = new short[X * Y * Z], b = new short[X * Y * Z];
		Random r = new Random(2026);
		for (int k = 0; k < 60; k++) {
			double cx = 40 + r.nextDouble() * (X - 80), cy = 40 + r.nextDouble() * (Y - 80), cz = 15 + r.nextDouble() * (Z - 30);
			double rad = 8 + r.nextDouble() * 25;
			ball(a, cx, cy, cz, rad);
			ball(b, cx + r.nextGaussian() * 2, cy + r.nextGaussian() * 2, cz + r.nextGaussian(), rad * (0.9 + 0.2 * r.nextDouble()));
		}
		write(a, out.resolve("a.raw"));
		write(b, out.resolve("b.raw"));
		int[] dims = { X, Y, Z };
		double best = Double.POSITIVE_INFINITY;
		ClassMetrics m = null;
		for (int rep = 0; rep < 3; rep++) {
			long t0 = System.nanoTime();
			List<ClassMetrics> res = SegmentationMetrics.compute(a, b, dims, SPACING, new int[] { 1 }, 1.0);
			best = Math.min(best, (System.nanoTime() - t0) / 1e9);
			m = res.get(0);
		}
		System.out.printf(Locale.ROOT, "unetseg: dice %.6f hd %.6f hd95 %.6f assd %.6f  time %.3f s (best of 3, %d threads)%n", m.dice(),
			m.hausdorff(), m.hd95(), m.assd(), best, Runtime.getRuntime().availableProcessors());
	}

	static void ball(short[] v, double cx, double cy, double cz, double rad) {
		double rz = rad * SPACING[0] / SPACING[2];
		for (int z = (int) Math.max(0, cz - rz - 1); z <= Math.min(Z - 1, cz + rz + 1); z++)
			for (int y = (int) Math.max(0, cy - rad - 1); y <= Math.min(Y - 1, cy + rad + 1); y++)
				for (int x = (int) Math.max(0, cx - rad - 1); x <= Math.min(X - 1, cx + rad + 1); x++) {
					double dx = x - cx, dy = y - cy, dz = (z - cz) * SPACING[2] / SPACING[0];
					if (dx * dx + dy * dy + dz * dz <= rad * rad) v[(z * Y + y) * X + x] = 1;
				}
	}

	static void write(short[] v, Path p) throws Exception {
		byte[] bytes = new byte[v.length];
		for (int i = 0; i < v.length; i++) bytes[i] = (byte) v[i];
		Files.write(p, bytes);
	}
}
