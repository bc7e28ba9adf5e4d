package io.github.unetseg.bioimageio;

import java.util.List;

/**
 * The weights of a bioimage.io package, loaded by an engine: ONNX Runtime for {@code onnx}
 * ({@code onnx.OnnxModel}), TensorFlow Java for {@code tensorflow_saved_model_bundle}
 * ({@code tensorflow.SavedModelNetwork}). Tensors are float32 in C order, in the package's own axis order
 * (e.g. {@code [b, c, y, x]} or {@code [b, y, x, c]}); the engine neither reorders nor processes them.
 * Not for concurrent use; close it to release the engine's session.
 */
public interface PackageNetwork extends AutoCloseable {

	/**
	 * A tensor.
	 *
	 * @param values the values in C order
	 * @param shape the shape, in the tensor's axis order
	 */
	record Data(float[] values, long[] shape) {}

	/** @return the weight format that runs, e.g. {@code onnx} or {@code tensorflow_saved_model_bundle} */
	String format();

	/**
	 * Runs the network once.
	 *
	 * @param inputs one tensor per input of the description, in its order
	 * @return one tensor per output of the network, in the description's order
	 * @throws io.github.unetseg.SegmentationException if the engine refuses the inputs (e.g. a shape the
	 *     network does not take) or fails
	 */
	List<Data> run(List<Data> inputs);

	/** Releases the engine's session. */
	@Override
	void close();
}
