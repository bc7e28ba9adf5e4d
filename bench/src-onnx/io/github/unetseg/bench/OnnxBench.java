package io.github.unetseg.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * Times the ONNX export of the PyTorch twin (twin.onnx, written by pytorch_twin.py) with ONNX Runtime
 * for Java, the engine DeepImageJ and JDLL use, on the same batch and threads as TensorFlow, and checks
 * its agreement with TensorFlow's output. Kept apart from the project's dependencies: bench/run.sh
 * fetches com.microsoft.onnxruntime:onnxruntime from Maven Central for this class only.
 * Usage: OnnxBench EXPORT_DIR THREADS REPEATS
 */
public final class OnnxBench {

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int threads = Integer.parseInt(args[1]), reps = Integer.parseInt(args[2]);
		JsonObject meta = JsonParser.parseString(Files.readString(dir.resolve("weights.json"))).getAsJsonObject();
		JsonObject arch = meta.getAsJsonObject("architecture");
		int batch = meta.get("batch").getAsInt(), tile = meta.get("tile").getAsInt(), d = arch.get("dimensions").getAsInt();
		int c = arch.get("inputChannels").getAsInt(), classes = arch.get("classes").getAsInt(), k = classes == 1 ? 1 : classes;
		int vox = 1;
		for (int i = 0; i < d; i++) vox *= tile;
		float[] nhwc = read(dir.resolve("input.f32")), tfOut = read(dir.resolve("output_tf.f32"));
		float[] nchw = new float[nhwc.length];
		for (int b = 0; b < batch; b++)
			for (int v = 0; v < vox; v++)
				for (int ch = 0; ch < c; ch++) nchw[(b * c + ch) * vox + v] = nhwc[(b * vox + v) * c + ch];
		long[] shape = new long[d + 2];
		shape[0] = batch;
		shape[1] = c;
		for (int i = 0; i < d; i++) shape[2 + i] = tile;
		OrtEnvironment env = OrtEnvironment.getEnvironment();
		try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
			opts.setIntraOpNumThreads(threads);
			opts.setInterOpNumThreads(1);
			opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
			try (OrtSession s = env.createSession(dir.resolve("twin.onnx").toString(), opts);
				OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw), shape))
			{
				float[] out;
				try (OrtSession.Result r = s.run(Map.of("input", in))) {
					FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
					out = new float[fb.remaining()];
					fb.get(out);
				}
				double diff = 0;
				for (int b = 0; b < batch; b++)
					for (int v = 0; v < vox; v++)
						for (int ch = 0; ch < k; ch++)
							diff = Math.max(diff, Math.abs(out[(b * k + ch) * vox + v] - tfOut[(b * vox + v) * k + ch]));
				for (int i = 0; i < 2; i++) s.run(Map.of("input", in)).close();
				long t0 = System.nanoTime();
				for (int i = 0; i < reps; i++) s.run(Map.of("input", in)).close();
				double ms = (System.nanoTime() - t0) / 1e6 / reps;
				System.out.printf(Locale.ROOT, "ONNX Runtime %s (Java): max |p_onnx - p_tf| = %.2e; %.1f ms per batch (%d threads)%n",
					env.getVersion(), diff, ms, threads);
			}
		}
	}

	static float[] read(Path p) throws Exception {
		byte[] b = Files.readAllBytes(p);
		float[] f = new float[b.length / 4];
		ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
		return f;
	}
}
