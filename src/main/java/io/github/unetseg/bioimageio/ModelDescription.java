package io.github.unetseg.bioimageio;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bioimage.io model description (the package's {@code rdf.yaml} / {@code bioimageio.yaml}), format
 * 0.4.x or 0.5.x, reduced to what running and testing the model needs. Read by {@link Descriptions}.
 *
 * @param root the package folder; relative sources are resolved against it
 * @param name the model's name
 * @param formatVersion the description's {@code format_version}, e.g. {@code 0.5.4}
 * @param inputs input tensors in the order the weights take them
 * @param outputs output tensors in the order the weights give them
 * @param weights weight entries by format ({@code onnx}, {@code tensorflow_saved_model_bundle},
 *     {@code torchscript}, {@code pytorch_state_dict}, {@code keras_hdf5}, ...)
 * @param config the description's {@code config} mapping (empty where it has none); unetseg's exports keep
 *     their {@code model.json} under {@code config.unetseg}
 */
public record ModelDescription(Path root, String name, String formatVersion, List<Tensor> inputs, List<Tensor> outputs,
	Map<String, FileRef> weights, Map<String, Object> config)
{
	/** The weight formats unetseg runs, in the order it prefers them. */
	public static final List<String> RUNNABLE = List.of("onnx", "tensorflow_saved_model_bundle");

	/**
	 * @return the first format of {@link #RUNNABLE} whose weights are in the package (not only a URL), or
	 *     empty if none is
	 */
	public Optional<String> runnableWeights() {
		return RUNNABLE.stream().filter(f -> weights.containsKey(f) && !weights.get(f).remote()).findFirst();
	}

	/**
	 * A file of the package.
	 *
	 * @param source a path relative to the package folder, or a URL
	 * @param sha256 the expected SHA-256 in lower-case hex, or {@code null} where the description gives none
	 */
	public record FileRef(String source, String sha256) {

		/** @return whether the source is a URL (not in the package; nothing is downloaded here) */
		public boolean remote() {
			return source.matches("(?i)[a-z][a-z0-9+.-]*://.*");
		}
	}

	/**
	 * One axis of a tensor, in the tensor's axis order.
	 *
	 * @param id {@code b}, {@code c}, {@code x}, {@code y}, {@code z}, {@code t} or another name; batch and
	 *     channel axes are {@code b} and {@code c}
	 * @param type {@code batch}, {@code channel}, {@code space}, {@code time} or {@code index}
	 * @param size the fixed size, or 0 where {@code min}/{@code step} or a reference give it (or the batch
	 *     axis leaves it open)
	 * @param min smallest size of a parameterised axis (0 where not parameterised)
	 * @param step size increment of a parameterised axis ({@code min + k step}; 0 where not parameterised)
	 * @param reference for an output axis sized like an input axis: {@code tensor/axis}, else {@code null}
	 * @param scale the reference's scale (output size = input size x scale + 2 x offset), 1 without one
	 * @param halo pixels at each border of an output axis that the network cannot compute reliably
	 * @param physicalScale pixel size along the axis in {@code unit} (1 where not given)
	 * @param unit physical unit of {@code physicalScale}, or {@code null}
	 */
	public record Axis(String id, String type, int size, int min, int step, String reference, double scale, int halo,
		double physicalScale, String unit)
	{
		/** @return whether the axis holds space (x, y, z) */
		public boolean spatial() {
			return type.equals("space");
		}
	}

	/**
	 * A processing step of the specification (pre- or postprocessing).
	 *
	 * @param id the step's name, e.g. {@code zero_mean_unit_variance}, {@code scale_range}, {@code sigmoid}
	 * @param kwargs its arguments as read from YAML (numbers, strings, lists)
	 */
	public record Step(String id, Map<String, Object> kwargs) {}

	/**
	 * An input or output tensor.
	 *
	 * @param id the tensor's id (0.5) or name (0.4)
	 * @param axes axes in the tensor's order
	 * @param testTensor the package's test tensor ({@code .npy}), or {@code null}
	 * @param steps preprocessing (inputs) or postprocessing (outputs), in order
	 */
	public record Tensor(String id, List<Axis> axes, FileRef testTensor, List<Step> steps) {

		/** @return the axis ids in order, e.g. {@code [b, c, y, x]} */
		public List<String> axisIds() {
			return axes.stream().map(Axis::id).toList();
		}

		/** @return the axis ids joined, e.g. {@code bcyx} */
		public String axisOrder() {
			StringBuilder b = new StringBuilder();
			for (Axis a : axes) b.append(a.id().length() == 1 ? a.id() : "(" + a.id() + ")");
			return b.toString();
		}

		/** @return the axis of that id, if the tensor has one */
		public Optional<Axis> axis(String axisId) {
			return axes.stream().filter(a -> a.id().equals(axisId)).findFirst();
		}
	}
}
