package io.github.unetseg.onnx;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.PackageNetwork;

/**
 * A network in ONNX format run by ONNX Runtime Java (Microsoft, Maven Central), the engine for the
 * {@code onnx} weights of bioimage.io packages. CPU execution; {@code mvn -Pgpu} swaps in the
 * {@code onnxruntime_gpu} artifact (not run on the development machines, which have no GPU).
 *
 * <p>Tensors are float32 in C order with the model's own axis order (bioimage.io: e.g.
 * {@code [b, c, y, x]}). Every {@link OnnxTensor} and {@link OrtSession.Result} is closed after use.
 */
public final class OnnxModel implements PackageNetwork {

	private final OrtSession session;
	private final List<String> inputNames, outputNames;

	/**
	 * @param file the {@code .onnx} file
	 * @param threads intra-op threads, 0 for ONNX Runtime's default (all cores)
	 * @throws SegmentationException naming the file if ONNX Runtime cannot load it
	 */
	public OnnxModel(Path file, int threads) {
		try {
			OrtSession.SessionOptions o = new OrtSession.SessionOptions();
			if (threads > 0) o.setIntraOpNumThreads(threads);
			session = OrtEnvironment.getEnvironment().createSession(file.toString(), o);
			inputNames = new ArrayList<>(session.getInputNames());
			outputNames = new ArrayList<>(session.getOutputNames());
		}
		catch (OrtException e) {
			throw new SegmentationException("ONNX Runtime cannot load " + file + ": " + e.getMessage() + ". Fix: check that the file is a " +
				"complete ONNX model (its opset must be one ONNX Runtime 1.20 supports).", e);
		}
	}

	/** @return the network's input names, in its order */
	public List<String> inputNames() {
		return List.copyOf(inputNames);
	}

	@Override
	public String format() {
		return "onnx";
	}

	/**
	 * Runs the network once.
	 *
	 * @param inputs one tensor per input, in {@link #inputNames()} order
	 * @return one tensor per output, in the network's order
	 * @throws SegmentationException if ONNX Runtime refuses the inputs (e.g. a shape the network does not take)
	 */
	@Override
	public List<Data> run(List<Data> inputs) {
		if (inputs.size() != inputNames.size())
			throw new SegmentationException("the ONNX network takes " + inputNames.size() + " input(s) " + inputNames + ", got " + inputs.size() + ".");
		OrtEnvironment env = OrtEnvironment.getEnvironment();
		Map<String, OnnxTensor> feed = new LinkedHashMap<>();
		try {
			for (int i = 0; i < inputs.size(); i++)
				feed.put(inputNames.get(i), OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs.get(i).values()), inputs.get(i).shape()));
			try (OrtSession.Result r = session.run(feed)) {
				List<Data> out = new ArrayList<>();
				for (int i = 0; i < outputNames.size(); i++) {
					OnnxTensor t = (OnnxTensor) r.get(i);
					FloatBuffer b = t.getFloatBuffer();
					float[] v = new float[b.remaining()];
					b.get(v);
					out.add(new Data(v, t.getInfo().getShape()));
				}
				return out;
			}
		}
		catch (OrtException e) {
			String why = e.getMessage().replaceAll("\\s+", " ").trim().replaceAll("\\.+$", "");
			throw new SegmentationException("ONNX Runtime failed: " + why + ". Fix: give inputs of the shapes the network takes " +
				"(inputs " + inputNames + ").", e);
		}
		finally {
			feed.values().forEach(OnnxTensor::close);
		}
	}

	@Override
	public void close() {
		try {
			session.close();
		}
		catch (OrtException e) {
			// nothing left to release that the caller could act on
		}
	}
}
