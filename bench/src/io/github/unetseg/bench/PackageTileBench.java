package io.github.unetseg.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.bioimageio.Descriptions;
import io.github.unetseg.bioimageio.ModelDescription;
import io.github.unetseg.bioimageio.PackageNetwork;
import io.github.unetseg.bioimageio.Processing;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.io.Npy;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;

/**
 * Milliseconds per run of a bioimage.io package's weights on its own preprocessed test input (for
 * unet2d_nuclei_broad one 512 x 512 tile), on the engine unetseg picks (ONNX Runtime for onnx weights):
 * 3 warm-up runs, then the median of REPEATS. The PyTorch side is bench/bioimageio_torch.py time.
 * Usage: PackageTileBench PACKAGE THREADS REPEATS
 */
public final class PackageTileBench {

	public static void main(String[] args) {
		ModelDescription d = Descriptions.read(Path.of(args[0]));
		int threads = Integer.parseInt(args[1]), repeats = Integer.parseInt(args[2]);
		ModelDescription.Tensor t = d.inputs().get(0);
		Npy.Array a = Npy.read(Descriptions.verify(d, t.testTensor(), "test_tensor"));
		float[] v = Processing.apply(t.steps(), a.floats(), a.shape(), t.axisIds());
		List<Double> ms = new ArrayList<>();
		try (PackageNetwork n = Engines.packageNetwork(d, new EngineOptions(Device.CPU, threads))) {
			for (int i = 0; i < 3 + repeats; i++) {
				long t0 = System.nanoTime();
				n.run(List.of(new PackageNetwork.Data(v, a.shape())));
				if (i >= 3) ms.add((System.nanoTime() - t0) / 1e6);
			}
			Collections.sort(ms);
			System.out.printf(Locale.ROOT, "unetseg %s %s tile, %d threads: median %.1f ms (min %.1f, max %.1f, %d runs)%n", n.format(),
				java.util.Arrays.toString(a.shape()), threads, ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1), repeats);
		}
	}
}
