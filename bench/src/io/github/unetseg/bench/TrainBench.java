package io.github.unetseg.bench;

import java.util.Locale;
import java.util.Random;

import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.TrainingSession;

/**
 * Training throughput of the optimiser step alone (forward, Dice + CE loss, gradients, AdamW update)
 * on random patches, for comparison with pytorch_twin.py's training step on the same patch count and
 * size. Usage: TrainBench DIMS DEPTH FILTERS BATCH PATCH STEPS [batchnorm]
 */
public final class TrainBench {

	public static void main(String[] args) {
		int dims = Integer.parseInt(args[0]), depth = Integer.parseInt(args[1]), filters = Integer.parseInt(args[2]);
		int batch = Integer.parseInt(args[3]), patch = Integer.parseInt(args[4]), steps = Integer.parseInt(args[5]);
		boolean bn = args.length > 6 && args[6].equals("batchnorm");
		UNetConfig arch = new UNetConfig(dims, 1, 1, depth, filters, bn, 0);
		long[] p = new long[dims];
		java.util.Arrays.fill(p, patch);
		TrainingConfig cfg = TrainingConfig.defaults(dims).withPatches(batch, p);
		int vox = 1;
		for (int i = 0; i < dims; i++) vox *= patch;
		float[] x = new float[batch * vox];
		short[] y = new short[batch * vox];
		Random r = new Random(1);
		for (int i = 0; i < x.length; i++) {
			x[i] = (float) r.nextGaussian();
			y[i] = (short) r.nextInt(2);
		}
		io.github.unetseg.tensorflow.Precision precision = io.github.unetseg.tensorflow.Precision.parse(System.getProperty("precision", "float32"));
		try (TrainingSession t = new TrainingSession(arch, cfg, new EngineOptions(Device.CPU, 2, precision), null)) {
			t.initialize(java.util.Map.of());
			System.out.println("first step loss " + t.step(x, y, batch, 1, 1e-3));
			long t0 = System.nanoTime();
			double last = 0;
			for (int s = 0; s < steps; s++) last = t.step(x, y, batch, s + 2, 1e-3);
			System.out.println("last step loss " + last + " (" + precision + ")");
			double sec = (System.nanoTime() - t0) / 1e9 / steps;
			System.out.printf(Locale.ROOT, "unetseg training (TensorFlow Java): %dD depth %d, %d filters, batch %d x %d^%d: %.1f ms per step, %.2f patches/s%n",
				dims, depth, filters, batch, patch, dims, sec * 1000, batch / sec);
		}
	}
}
