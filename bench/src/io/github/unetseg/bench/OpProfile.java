package io.github.unetseg.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;

/**
 * Where Session.run spends its time: runs one batch of a model's SavedModel with a full trace and
 * sums the executed kernels' times per op type. Usage: OpProfile MODEL_DIR BATCH TILE... (spatial tile
 * in x, y[, z] order). Op times overlap where TensorFlow runs ops in parallel, so their sum may exceed
 * the wall time.
 */
public final class OpProfile {

	public static void main(String[] args) {
		ModelBundle bundle = ModelBundle.read(Path.of(args[0]));
		int batch = Integer.parseInt(args[1]);
		int n = args.length - 2;
		long[] shape = new long[n + 2];
		shape[0] = batch;
		long voxels = batch;
		for (int d = 0; d < n; d++) {
			shape[n - d] = Long.parseLong(args[2 + d]);
			voxels *= shape[n - d];
		}
		shape[n + 1] = bundle.spec().inputChannels();
		float[] data = new float[Math.toIntExact(voxels * shape[n + 1])];
		java.util.Random r = new java.util.Random(1);
		for (int i = 0; i < data.length; i++) data[i] = r.nextFloat();
		// -Dprecision=mixed profiles the mixed-precision graph, as unetseg segment --precision mixed runs it
		var config = io.github.unetseg.tensorflow.SessionConfigs.of(new EngineOptions(Device.CPU, 0, Precision.parse(System.getProperty("precision", "float32"))));
		try (SavedModelBundle m = SavedModelBundle.loader(bundle.directory().toString()).withTags("serve").withConfigProto(config).load();
			TFloat32 in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false)))
		{
			var sig = m.signatures().stream().filter(x -> x.key().equals(bundle.spec().signature())).findFirst().orElseThrow();
			String input = sig.getInputs().get(bundle.spec().inputName()).name, output = sig.getOutputs().get(bundle.spec().outputName()).name;
			for (int i = 0; i < 3; i++)
				try (Result res = m.session().runner().feed(input, in).fetch(output).run()) {
					// warm-up
				}
			long t0 = System.nanoTime();
			try (Result res = m.session().runner().feed(input, in).fetch(output).run()) {
				System.out.printf(Locale.ROOT, "untraced Session.run: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
			}
			RunOptions options = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
			org.tensorflow.Session.Runner runner = m.session().runner().feed(input, in).fetch(output).setOptions(options);
			try (Result res = runner.runAndFetchMetadata()) {
				RunMetadata meta = res.getMetadata().orElseThrow();
				Map<String, double[]> byType = new TreeMap<>();
				Map<String, String> typeOf = new HashMap<>();
				m.graph().operations().forEachRemaining(op -> typeOf.put(op.name(), op.type()));
				double total = 0;
				Map<String, Double> byNode = new HashMap<>();
				for (var dev : meta.getStepStats().getDevStatsList())
					for (NodeExecStats s : dev.getNodeStatsList()) {
						String label = s.getTimelineLabel();
						String type = typeOf.getOrDefault(s.getNodeName(), label.contains("= ") ? label.substring(label.indexOf("= ") + 2,
							label.indexOf('(', label.indexOf("= ")) > 0 ? label.indexOf('(', label.indexOf("= ")) : label.length()) : s.getNodeName());
						double ms = (s.getOpEndRelMicros() - s.getOpStartRelMicros()) / 1000.0;
						double[] v = byType.computeIfAbsent(type, k -> new double[2]);
						v[0] += ms;
						v[1]++;
						total += ms;
						byNode.merge(s.getNodeName() + " (" + type + ")", ms, Double::sum);
					}
				double t = total;
				System.out.printf(Locale.ROOT, "traced kernels: %.1f ms in all%n", total);
				byType.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).forEach(e -> System.out.printf(
					Locale.ROOT, "  %-28s %8.1f ms  %5.1f%%  (%d ops)%n", e.getKey(), e.getValue()[0], 100 * e.getValue()[0] / t,
					(int) e.getValue()[1]));
				System.out.println("slowest nodes:");
				byNode.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(12).forEach(e -> System.out
					.printf(Locale.ROOT, "  %-60s %8.1f ms%n", e.getKey(), e.getValue()));
			}
		}
	}

	private OpProfile() {}
}
