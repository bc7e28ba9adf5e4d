package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.Descriptions;
import io.github.unetseg.bioimageio.ModelDescription;
import io.github.unetseg.bioimageio.PackageNetwork;
import io.github.unetseg.bioimageio.Processing;
import io.github.unetseg.io.Npy;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;

/**
 * {@code unetseg test-model}: runs a bioimage.io package's test inputs through its preprocessing, its
 * weights and its postprocessing, and compares the results with its test outputs by the
 * specification's rule (bioimageio.core's {@code test_model}): an element fails when
 * {@code |out - expected| > 1e-3 + 1e-3 |expected|}, and a tensor passes with at most 100 failing
 * elements per million.
 *
 * <p>Weights run here: {@code onnx} (ONNX Runtime), else {@code tensorflow_saved_model_bundle} (TensorFlow
 * Java). TorchScript, PyTorch state dicts and Keras files are refused with one line that says so.
 */
public final class PackageTests {

	/** Absolute and relative tolerance of an element, and failing elements allowed per million. */
	public static final double ABS = 1e-3, REL = 1e-3, PER_MILLION = 100;

	private PackageTests() {}

	/**
	 * One output's comparison.
	 *
	 * @param tensor the output's id
	 * @param elements values compared
	 * @param failing values outside the tolerance
	 * @param allowed failing values allowed ({@code floor(elements * 100 / 1e6)})
	 * @param maxDifference largest {@code |out - expected|}
	 */
	public record Comparison(String tensor, long elements, long failing, long allowed, double maxDifference) {

		/** @return whether the output passes */
		public boolean passed() {
			return failing <= allowed;
		}
	}

	/**
	 * @param weights the weight format that ran
	 * @param outputs one comparison per output
	 */
	public record Outcome(String weights, List<Comparison> outputs) {

		/** @return whether every output passes */
		public boolean passed() {
			return outputs.stream().allMatch(Comparison::passed);
		}
	}

	/**
	 * @param location a package folder, its description file or its zip
	 * @param threads CPU threads, 0 for all
	 * @return the comparisons
	 * @throws SegmentationException for a package that cannot be read, has no test tensors, or no
	 *     weights that run here (naming the formats it has)
	 */
	public static Outcome run(Path location, int threads) {
		ModelDescription d = Descriptions.read(location);
		Descriptions.runnableWeights(d);
		List<PackageNetwork.Data> inputs = new ArrayList<>();
		for (ModelDescription.Tensor t : d.inputs()) {
			Npy.Array a = Npy.read(testTensor(d, t, "inputs"));
			check(t, a.shape(), "inputs");
			float[] v = Processing.apply(t.steps(), a.floats(), a.shape(), t.axisIds());
			inputs.add(new PackageNetwork.Data(v, a.shape()));
		}
		List<PackageNetwork.Data> results;
		String format;
		try (PackageNetwork m = Engines.packageNetwork(d, new EngineOptions(Device.AUTO, threads))) {
			results = m.run(inputs);
			format = m.format();
		}
		if (results.size() != d.outputs().size())
			throw new SegmentationException(d.name() + ": the network gives " + results.size() + " output(s), the description lists " +
				d.outputs().size() + ". Fix: correct the description's outputs.");
		List<Comparison> out = new ArrayList<>();
		for (int i = 0; i < results.size(); i++) {
			ModelDescription.Tensor t = d.outputs().get(i);
			Npy.Array expected = Npy.read(testTensor(d, t, "outputs"));
			PackageNetwork.Data r = results.get(i);
			if (!Arrays.equals(r.shape(), expected.shape()))
				throw new SegmentationException(d.name() + ": output " + t.id() + " has shape " + Arrays.toString(r.shape()) + ", its test " +
					"tensor " + Arrays.toString(expected.shape()) + ". Fix: check the description's axes and the weights.");
			float[] v = Processing.apply(t.steps(), r.values(), r.shape(), t.axisIds());
			out.add(compare(t.id(), v, expected.values()));
		}
		return new Outcome(format, List.copyOf(out));
	}

	/**
	 * The specification's comparison of one tensor.
	 *
	 * @param tensor its id, for the report
	 * @param actual computed values
	 * @param expected the test tensor's values, same length
	 * @return the comparison
	 */
	public static Comparison compare(String tensor, float[] actual, double[] expected) {
		long failing = 0;
		double max = 0;
		for (int i = 0; i < actual.length; i++) {
			double diff = Math.abs(actual[i] - expected[i]);
			if (!(diff <= ABS + REL * Math.abs(expected[i]))) failing++;
			max = Math.max(max, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
		}
		return new Comparison(tensor, actual.length, failing, (long) Math.floor(actual.length * PER_MILLION / 1e6), max);
	}

	private static Path testTensor(ModelDescription d, ModelDescription.Tensor t, String kind) {
		if (t.testTensor() == null)
			throw new SegmentationException(d.name() + ": " + kind + " " + t.id() + " has no test tensor. Fix: add one to the description.");
		return Descriptions.verify(d, t.testTensor(), kind + "." + t.id() + ".test_tensor");
	}

	/** The test tensor's shape against the description's axes: rank, fixed sizes and {@code min + k step}. */
	private static void check(ModelDescription.Tensor t, long[] shape, String kind) {
		if (shape.length != t.axes().size())
			throw new SegmentationException(kind + " " + t.id() + ": its test tensor has " + shape.length + " axes, the description " +
				t.axisOrder() + ". Fix: correct the axes.");
		for (int i = 0; i < shape.length; i++) {
			ModelDescription.Axis a = t.axes().get(i);
			boolean fits = a.size() > 0 ? shape[i] == a.size() : a.step() > 0 ? shape[i] >= a.min() && (shape[i] - a.min()) % a.step() == 0
				: shape[i] >= a.min();
			if (!fits)
				throw new SegmentationException(kind + " " + t.id() + ": its test tensor is " + shape[i] + " along axis " + a.id() + ", the " +
					"description's size is " + (a.size() > 0 ? a.size() : a.min() + " + k x " + a.step()) + ". Fix: correct the axis size.");
		}
	}
}
