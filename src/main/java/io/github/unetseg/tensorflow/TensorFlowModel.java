package io.github.unetseg.tensorflow;

import java.util.List;
import java.util.Map;

import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tiling.TileModel;

/**
 * A loaded SavedModel that predicts batches of tiles: the TensorFlow side of {@link TileModel}.
 *
 * <p>Loading checks that the signature named in {@code model.json} exists, that its input is a float
 * tensor of rank {@code dimensions + 2} with the declared channel count, and that its output has the
 * declared number of channels; each mismatch is a {@link SegmentationException} naming the folder and
 * the field. Works for bundles written by this project and for SavedModels exported from Python
 * TensorFlow/Keras with one image input and one score output, given a {@code model.json} that
 * describes them.
 *
 * <p>Owns the TensorFlow session: close it (try-with-resources). Every {@code Tensor} and
 * {@code Result} of a prediction is closed before {@link #predict} returns. Not for concurrent use.
 */
public final class TensorFlowModel implements TileModel, AutoCloseable {

	private final SavedModelBundle bundle;
	private final ModelSpec spec;
	private final String inputTensor;
	private final String outputTensor;
	private final String device;

	private TensorFlowModel(SavedModelBundle bundle, ModelSpec spec, String inputTensor, String outputTensor, String device) {
		this.bundle = bundle;
		this.spec = spec;
		this.inputTensor = inputTensor;
		this.outputTensor = outputTensor;
		this.device = device;
	}

	/**
	 * Loads and validates a model folder.
	 *
	 * @param model the bundle ({@link ModelBundle#read})
	 * @param options device and threads
	 * @return the loaded model; the caller closes it
	 * @throws SegmentationException if the SavedModel cannot be loaded, does not match
	 *     {@code model.json}, or a GPU was required and none is visible
	 */
	public static TensorFlowModel load(ModelBundle model, EngineOptions options) {
		ModelSpec spec = model.spec();
		List<DeviceInfo> devices = DeviceInfo.list(SessionConfigs.of(options));
		DeviceInfo gpu = devices.stream().filter(d -> "GPU".equals(d.type())).findFirst().orElse(null);
		if (options.device() == Device.GPU && gpu == null)
			throw new SegmentationException("--device gpu was requested but TensorFlow sees no GPU. Fix: build with the GPU " +
				"profile (mvn -Pgpu package) on a machine with CUDA, or use --device cpu/auto.");
		String deviceName = gpu != null ? gpu.shortName() : "CPU";
		SavedModelBundle b;
		try {
			b = SavedModelBundle.loader(model.directory().toString()).withTags(SavedModelBundle.DEFAULT_TAG)
				.withConfigProto(SessionConfigs.of(options)).load();
		}
		catch (TensorFlowException | IllegalArgumentException e) {
			throw new SegmentationException("Cannot load the TensorFlow SavedModel in " + model.directory() + ": " + e.getMessage() +
				". Fix: re-export the model (saved_model.pb and variables/ must come from the same export).", e);
		}
		try {
			Signature sig = b.signatures().stream().filter(s -> s.key().equals(spec.signature())).findFirst().orElseThrow(
				() -> new SegmentationException(model.modelJson() + ": field 'signature' is \"" + spec.signature() +
					"\" but the SavedModel has " + b.signatures().stream().map(Signature::key).toList() + ". Fix: set 'signature' to one of them."));
			Signature.TensorDescription in = describe(model, sig.getInputs(), spec.inputName(), "inputName");
			Signature.TensorDescription out = describe(model, sig.getOutputs(), spec.outputName(), "outputName");
			check(model, in, spec.dimensions() + 2, spec.inputChannels(), "input", "inputChannels");
			check(model, out, spec.dimensions() + 2, spec.outputChannels(), "output", "classNames/output");
			return new TensorFlowModel(b, spec, in.name, out.name, deviceName);
		}
		catch (RuntimeException e) {
			b.close();
			throw e;
		}
	}

	private static Signature.TensorDescription describe(ModelBundle model, Map<String, Signature.TensorDescription> map,
		String key, String field)
	{
		Signature.TensorDescription d = map.get(key);
		if (d == null)
			throw new SegmentationException(model.modelJson() + ": field '" + field + "' is \"" + key + "\" but the signature has " +
				map.keySet() + ". Fix: set '" + field + "' to one of them.");
		return d;
	}

	private static void check(ModelBundle model, Signature.TensorDescription d, int rank, int channels, String what, String field) {
		if (d.dataType != DataType.DT_FLOAT)
			throw new SegmentationException("The SavedModel in " + model.directory() + " has a " + d.dataType + " " + what +
				"; unetseg feeds and reads float32. Fix: export the model with float32 input and output.");
		Shape s = d.shape;
		if (s.isUnknown()) return;
		if (s.numDimensions() != rank)
			throw new SegmentationException("The SavedModel's " + what + " has shape " + s + " (rank " + s.numDimensions() + ") but " +
				model.modelJson() + " says dimensions " + (rank - 2) + " (rank " + rank + ", channels last). Fix: correct 'dimensions'.");
		long c = s.get(rank - 1);
		if (c != Shape.UNKNOWN_SIZE && c != channels)
			throw new SegmentationException("The SavedModel's " + what + " has " + c + " channels (shape " + s + ") but " +
				model.modelJson() + " implies " + channels + " (field '" + field + "'). Fix: correct model.json.");
	}

	/** @return the spec this model was loaded with */
	public ModelSpec spec() {
		return spec;
	}

	/** @return the device TensorFlow places the network on: a GPU if one is visible, else {@code "CPU"} */
	public String device() {
		return device;
	}

	@Override
	public int inputChannels() {
		return spec.inputChannels();
	}

	@Override
	public int outputChannels() {
		return spec.outputChannels();
	}

	@Override
	public float[] predict(float[] input, int batch, long[] tileSize) {
		float[] out = SessionTileModel.run(bundle.session(), inputTensor, outputTensor, input, batch, tileSize, spec.inputChannels(),
			spec.outputChannels());
		if (spec.outputIsLogits()) activate(out);
		return out;
	}


	private void activate(float[] v) {
		int c = spec.outputChannels();
		if (c == 1) {
			for (int i = 0; i < v.length; i++) v[i] = (float) (1 / (1 + Math.exp(-v[i])));
			return;
		}
		for (int i = 0; i < v.length; i += c) {
			float max = Float.NEGATIVE_INFINITY;
			for (int k = 0; k < c; k++) max = Math.max(max, v[i + k]);
			double sum = 0;
			for (int k = 0; k < c; k++) sum += v[i + k] = (float) Math.exp(v[i + k] - max);
			for (int k = 0; k < c; k++) v[i + k] /= sum;
		}
	}

	/** Closes the TensorFlow session and graph. */
	@Override
	public void close() {
		bundle.close();
	}
}
