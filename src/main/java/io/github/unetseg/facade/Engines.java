package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.bioimageio.Descriptions;
import io.github.unetseg.bioimageio.ModelDescription;
import io.github.unetseg.bioimageio.PackageSpec;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.bioimageio.PackageNetwork;
import io.github.unetseg.bioimageio.PackageTileModel;
import io.github.unetseg.onnx.OnnxModel;
import io.github.unetseg.tensorflow.SavedModelNetwork;
import io.github.unetseg.tensorflow.EngineOptions;

/**
 * The one factory of the facade: it decides, for every front end, whether the engine runs in this JVM
 * ({@link LocalSegmenter}, {@link LocalTrainer}) or in a child JVM ({@link ChildProcessSegmenter},
 * {@link ChildProcessTrainer}), and is the only caller of the TensorFlow coexistence check.
 *
 * <p>Fiji installations with the CSBDeep, StarDist or DeepImageJ update sites carry TensorFlow 1.15's
 * {@code org.tensorflow} classes ({@code libtensorflow} 1.15), whose names clash with TensorFlow Java
 * 1.1.0's; whichever loads first wins, so the other plugin breaks. When this JVM's
 * {@code org.tensorflow} is not TensorFlow Java 1.x, the engine runs in a child JVM whose class path holds
 * TensorFlow Java 1.1.0 ({@link ChildJvm#classPath()}), leaving the other plugins' TensorFlow untouched.
 * The system property {@code unetseg.engine=process} forces the child JVM (for tests and for isolating
 * native crashes); {@code unetseg.engine=local} forces this JVM.
 */
public final class Engines {

	private static Boolean tensorFlowJavaHere;

	private Engines() {}

	/**
	 * @return true if the engine runs in this JVM: {@code org.tensorflow} here is TensorFlow Java 1.x
	 *     (or the property {@code unetseg.engine} says {@code local}); false if another TensorFlow (e.g.
	 *     libtensorflow 1.15) shadows it, none is present, or {@code unetseg.engine=process}
	 */
	public static synchronized boolean inProcess() {
		String forced = System.getProperty("unetseg.engine", "");
		if (forced.equalsIgnoreCase("process")) return false;
		if (forced.equalsIgnoreCase("local")) return true;
		if (tensorFlowJavaHere == null) {
			try {
				Class<?> tf = Class.forName("org.tensorflow.TensorFlow", false, Engines.class.getClassLoader());
				boolean modern = false;
				for (var m : tf.getMethods()) modern |= m.getName().equals("registerCustomGradient");
				tensorFlowJavaHere = modern;
			}
			catch (ClassNotFoundException | LinkageError e) {
				tensorFlowJavaHere = false;
			}
		}
		return tensorFlowJavaHere;
	}

	/**
	 * Opens a model for segmentation, in this JVM or in a child JVM ({@link #inProcess()}); a bioimage.io
	 * package ({@link #isPackage}) runs its ONNX weights on ONNX Runtime through the same tiling.
	 *
	 * @param modelDir model folder (SavedModel + model.json)
	 * @param engine device, threads and precision
	 * @return the segmenter; the caller closes it
	 * @throws io.github.unetseg.SegmentationException if the model folder is missing, invalid or does not
	 *     load, or (child JVM) TensorFlow Java cannot be found
	 */
	public static Segmenter segmenter(Path modelDir, EngineOptions engine) {
		if (isPackage(modelDir)) return packageSegmenter(modelDir, engine);
		return inProcess() ? new LocalSegmenter(modelDir, engine) : new ChildProcessSegmenter(modelDir, engine);
	}

	/**
	 * @param path a model location
	 * @return whether it is a bioimage.io package rather than a unetseg model folder: a zip, a YAML
	 *     description, or a folder with {@code rdf.yaml}, {@code bioimageio.yaml} or {@code *.bioimageio.yaml}
	 *     and no {@code model.json}
	 */
	public static boolean isPackage(Path path) {
		String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
		if (Files.isRegularFile(path)) return name.endsWith(".zip") || name.endsWith(".yaml") || name.endsWith(".yml");
		if (!Files.isDirectory(path) || Files.exists(path.resolve(ModelBundle.MODEL_JSON)))
			return false;
		if (Files.exists(path.resolve("rdf.yaml")) || Files.exists(path.resolve("bioimageio.yaml"))) return true;
		try (var s = Files.list(path)) {
			return s.anyMatch(p -> p.getFileName().toString().endsWith(".bioimageio.yaml"));
		}
		catch (IOException e) {
			return false;
		}
	}

	/**
	 * A bioimage.io package through unetseg's tiling. A package exported by unetseg (a SavedModel with its
	 * {@code model.json} under {@code config.unetseg}) becomes the unetseg model it was, so the result equals
	 * the original bundle's; other packages run their weights ({@link #packageNetwork}) with the package's
	 * own processing ({@link PackageSpec}).
	 */
	private static Segmenter packageSegmenter(Path location, EngineOptions engine) {
		ModelDescription d = Descriptions.read(location);
		if (d.config().get("unetseg") instanceof java.util.Map<?, ?> && d.runnableWeights().orElse("").equals("tensorflow_saved_model_bundle"))
			return segmenter(Descriptions.savedModel(d), engine);
		ModelSpec spec = PackageSpec.of(d);
		PackageTileModel m = new PackageTileModel(d, packageNetwork(d, engine), spec.inputChannels(), spec.outputChannels());
		boolean fixed = d.inputs().get(0).axes().stream().filter(ModelDescription.Axis::spatial)
			.allMatch(a -> a.size() > 0);
		return new LocalSegmenter(spec, m, "CPU (" + (m.format().equals("onnx") ? "ONNX Runtime" : "TensorFlow") + ")", m, engine, fixed);
	}

	/**
	 * Loads a package's weights on their engine: {@code onnx} on ONNX Runtime (which does not clash with
	 * other plugins' TensorFlow), else {@code tensorflow_saved_model_bundle} on TensorFlow Java in this JVM.
	 *
	 * @param d the package
	 * @param engine threads (and device for TensorFlow)
	 * @return the loaded network; the caller closes it
	 * @throws io.github.unetseg.SegmentationException in one line when no weights run here, or a SavedModel
	 *     package meets another plugin's TensorFlow in this JVM ({@link #inProcess()} false)
	 */
	public static PackageNetwork packageNetwork(ModelDescription d, EngineOptions engine) {
		String format = Descriptions.runnableWeights(d);
		if (format.equals("onnx")) return new OnnxModel(Descriptions.onnxWeights(d), engine.threads());
		if (!inProcess())
			throw new io.github.unetseg.SegmentationException(d.name() + ": its tensorflow_saved_model_bundle weights need TensorFlow Java " +
				"1.1.0 in this JVM, where another TensorFlow is loaded (or unetseg.engine=process). Fix: run it with the command-line tool.");
		List<String> in = d.inputs().stream().map(ModelDescription.Tensor::id).toList(), out = d.outputs().stream()
			.map(ModelDescription.Tensor::id).toList();
		return new SavedModelNetwork(Descriptions.savedModel(d), in, out, engine);
	}

	/**
	 * @return the trainer for this JVM: {@link LocalTrainer} or {@link ChildProcessTrainer}
	 *     ({@link #inProcess()})
	 */
	public static Trainer trainer() {
		return inProcess() ? new LocalTrainer() : new ChildProcessTrainer();
	}
}
