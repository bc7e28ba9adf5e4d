package io.github.unetseg.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;
import io.github.unetseg.tensorflow.TensorFlowModel;
import io.github.unetseg.tensorflow.TrainingSession;

/**
 * Exports what a twin implementation of a model needs to reproduce it: the weights of the SavedModel
 * (raw little-endian float32, TensorFlow layout, one file per variable, listed in weights.json with
 * the architecture), a seeded input batch, and TensorFlow's output for it; and times Session.run
 * alone on that batch. Usage: TwinExport MODEL_DIR OUT_DIR BATCH TILE REPEATS
 */
public final class TwinExport {

	public static void main(String[] args) throws Exception {
		Path model = Path.of(args[0]), out = Path.of(args[1]);
		int batch = Integer.parseInt(args[2]), tile = Integer.parseInt(args[3]), reps = Integer.parseInt(args[4]);
		Files.createDirectories(out);
		ModelBundle b = ModelBundle.read(model);
		Map<String, float[]> weights = TrainingSession.readWeights(model);
		JsonObject index = new JsonObject();
		index.add("architecture", new GsonBuilder().create().toJsonTree(b.spec().architecture()));
		JsonArray names = new JsonArray();
		for (Map.Entry<String, float[]> e : weights.entrySet()) {
			names.add(e.getKey());
			write(out.resolve(e.getKey() + ".f32"), e.getValue());
		}
		index.add("variables", names);
		int dims = b.spec().dimensions();
		long[] tileSize = dims == 2 ? new long[] { tile, tile } : new long[] { tile, tile, tile };
		long voxels = batch;
		for (long t : tileSize) voxels *= t;
		float[] input = new float[(int) voxels * b.spec().inputChannels()];
		Random r = new Random(7);
		for (int i = 0; i < input.length; i++) input[i] = (float) r.nextGaussian();
		index.addProperty("batch", batch);
		index.addProperty("tile", tile);
		write(out.resolve("input.f32"), input);
		try (TensorFlowModel m = TensorFlowModel.load(b, new EngineOptions(Device.CPU, 2))) {
			float[] o = m.predict(input, batch, tileSize);
			write(out.resolve("output_tf.f32"), o);
			for (int i = 0; i < 3; i++) m.predict(input, batch, tileSize);
			long t0 = System.nanoTime();
			for (int i = 0; i < reps; i++) m.predict(input, batch, tileSize);
			double ms = (System.nanoTime() - t0) / 1e6 / reps;
			double flops = b.spec().architecture().flopsPerVoxel() * voxels;
			index.addProperty("tensorflow_ms", ms);
			System.out.printf(Locale.ROOT, "TensorFlow Java Session.run: %s batch %d x %d^%d: %.1f ms per batch, %.1f GFLOP/s%n",
				b.spec().name(), batch, tile, dims, ms, flops / ms / 1e6);
			// the same batch with --precision mixed (bfloat16 convolutions where the CPU has them), against float32
			try (TensorFlowModel mixed = TensorFlowModel.load(b, new EngineOptions(Device.CPU, 2, Precision.MIXED))) {
				float[] om = mixed.predict(input, batch, tileSize);
				for (int i = 0; i < 3; i++) mixed.predict(input, batch, tileSize);
				long t1 = System.nanoTime();
				for (int i = 0; i < reps; i++) mixed.predict(input, batch, tileSize);
				double msMixed = (System.nanoTime() - t1) / 1e6 / reps;
				double maxDiff = 0;
				for (int i = 0; i < o.length; i++) maxDiff = Math.max(maxDiff, Math.abs(o[i] - om[i]));
				System.out.printf(Locale.ROOT, "TensorFlow Java Session.run, mixed precision: %.1f ms per batch (%.2fx float32), " +
					"max |p_mixed - p_float32| = %.2e%n", msMixed, ms / msMixed, maxDiff);
			}
		}
		Files.writeString(out.resolve("weights.json"), new GsonBuilder().setPrettyPrinting().create().toJson(index));
	}

	static void write(Path p, float[] v) throws Exception {
		ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
		bb.asFloatBuffer().put(v);
		Files.write(p, bb.array());
	}
}
