package io.github.unetseg.tensorflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.PackageNetwork;

/**
 * A bioimage.io package's {@code tensorflow_saved_model_bundle} weights on TensorFlow Java: a SavedModel
 * (TensorFlow 1.x or 2.x, tag {@code serve}) run through its {@code serving_default} signature (or its only
 * one). The description's tensors are matched to the signature's keys by id ({@code input}, {@code output},
 * ...), or, where the ids are not keys, by position in the signature's key order (which is sorted, as
 * TensorFlow stores it). Float32 tensors in the package's axis order. Every {@link Tensor} and
 * {@link Result} is closed before {@link #run} returns.
 */
public final class SavedModelNetwork implements PackageNetwork {

	private final SavedModelBundle bundle;
	private final List<String> inputs, outputs;

	/**
	 * @param dir the unpacked SavedModel folder ({@code saved_model.pb}, {@code variables/})
	 * @param inputIds the description's input ids, in its order
	 * @param outputIds the description's output ids, in its order
	 * @param options threads (device as {@link SessionConfigs#of} places it)
	 * @throws SegmentationException naming the folder if TensorFlow cannot load it, or the signature does not
	 *     have the description's number of inputs and outputs
	 */
	public SavedModelNetwork(Path dir, List<String> inputIds, List<String> outputIds, EngineOptions options) {
		try {
			bundle = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG).withConfigProto(SessionConfigs.of(options)).load();
		}
		catch (TensorFlowException | IllegalArgumentException e) {
			throw new SegmentationException("TensorFlow cannot load the SavedModel in " + dir + ": " + e.getMessage() + ". Fix: the package's " +
				"tensorflow_saved_model_bundle must hold saved_model.pb and variables/ of one export.", e);
		}
		try {
			List<Signature> sigs = bundle.signatures();
			Signature sig = sigs.stream().filter(s -> s.key().equals(Signature.DEFAULT_KEY)).findFirst()
				.orElse(sigs.size() == 1 ? sigs.get(0) : null);
			if (sig == null)
				throw new SegmentationException("the SavedModel in " + dir + " has signatures " + sigs.stream().map(Signature::key).toList() +
					" and none is " + Signature.DEFAULT_KEY + ". Fix: export it with a serving_default signature.");
			inputs = names(dir, sig.getInputs(), inputIds, "input");
			outputs = names(dir, sig.getOutputs(), outputIds, "output");
		}
		catch (RuntimeException e) {
			bundle.close();
			throw e;
		}
	}

	/** Graph tensor names of the signature entries matching the ids (by key, else by sorted position). */
	private static List<String> names(Path dir, Map<String, Signature.TensorDescription> entries, List<String> ids, String kind) {
		if (entries.size() != ids.size())
			throw new SegmentationException("the SavedModel in " + dir + " has " + entries.size() + " " + kind + "(s) " + entries.keySet() +
				", the description " + ids.size() + " " + ids + ". Fix: correct the description's " + kind + "s.");
		List<String> keys = entries.keySet().stream().sorted().toList();
		List<String> out = new ArrayList<>();
		boolean byId = entries.keySet().containsAll(ids);
		for (int i = 0; i < ids.size(); i++) out.add(entries.get(byId ? ids.get(i) : keys.get(i)).name);
		return List.copyOf(out);
	}

	@Override
	public String format() {
		return "tensorflow_saved_model_bundle";
	}

	@Override
	public List<Data> run(List<Data> in) {
		if (in.size() != inputs.size())
			throw new SegmentationException("the SavedModel takes " + inputs.size() + " input(s), got " + in.size() + ".");
		List<TFloat32> fed = new ArrayList<>();
		try {
			Session.Runner runner = bundle.session().runner();
			for (int i = 0; i < in.size(); i++) {
				TFloat32 t = TFloat32.tensorOf(Shape.of(in.get(i).shape()), DataBuffers.of(in.get(i).values(), true, false));
				fed.add(t);
				runner.feed(inputs.get(i), t);
			}
			outputs.forEach(runner::fetch);
			try (Result r = runner.run()) {
				List<Data> out = new ArrayList<>();
				for (int i = 0; i < outputs.size(); i++) {
					if (!(r.get(i) instanceof TFloat32 t))
						throw new SegmentationException("the SavedModel's output " + i + " is " + r.get(i).dataType() + ", not float32. Fix: " +
							"export the model with a float32 output.");
					float[] v = new float[Math.toIntExact(t.shape().size())];
					t.copyTo(DataBuffers.of(v, false, false));
					out.add(new Data(v, t.shape().asArray()));
				}
				return out;
			}
		}
		catch (TensorFlowException e) {
			throw new SegmentationException("TensorFlow failed: " + e.getMessage().lines().findFirst().orElse("") + ". Fix: give inputs of " +
				"the shapes the network takes.", e);
		}
		finally {
			fed.forEach(Tensor::close);
		}
	}

	@Override
	public void close() {
		bundle.close();
	}
}
