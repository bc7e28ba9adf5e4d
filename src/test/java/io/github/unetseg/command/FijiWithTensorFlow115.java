package io.github.unetseg.command;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

import ij.ImagePlus;
import io.github.unetseg.io.TiffIO;
import io.github.unetseg.facade.Engines;

/**
 * A JVM set up like Fiji with the CSBDeep update site: libtensorflow 1.15 first on the class path,
 * TensorFlow Java 1.1.0 behind it. Uses TensorFlow 1.15 (by reflection, its API differs from the one
 * unetseg compiles against), runs unetseg's Segment Image command, then uses TensorFlow 1.15 again.
 * Arguments: image, model folder, file to write the label pixels to (one float per line), and
 * optionally a folder whose {@code in/} Segment Folder segments into {@code out/}.
 */
public final class FijiWithTensorFlow115 {

	public static void main(String[] args) throws Exception {
		System.out.println("tensorflow 1.15 before: " + constant(3f));
		System.out.println("engine in process: " + Engines.inProcess());
		try (Context context = new Context()) {
			ImagePlus imp = TiffIO.open(Path.of(args[0]));
			// every parameter given: SciJava fills missing ones with values persisted by earlier runs (other tests)
			Module m = context.service(ModuleService.class).run(context.service(CommandService.class).getCommand(SegmentImageCommand.class),
				true, Map.of("image", imp, "model", ModelChoices.OTHER, "modelFolder", Path.of(args[1]).toFile(), "tile", "auto",
					"device", "cpu", "border", "same", "overlap", 0.0, "precision", "float32", "threshold", 0.5, "probabilities", false))
				.get();
			SegmentImageCommand cmd = (SegmentImageCommand) m;
			if (cmd.isCanceled()) throw new IllegalStateException("cancelled: " + cmd.getCancelReason());
			ImagePlus labels = (ImagePlus) m.getOutput("labels");
			float[] px = (float[]) labels.getProcessor().convertToFloatProcessor().getPixels();
			StringBuilder b = new StringBuilder();
			for (float v : px) b.append(v).append('\n');
			Files.writeString(Path.of(args[2]), b);
			System.out.println("labels " + labels.getTitle() + " " + labels.getWidth() + "x" + labels.getHeight() + " " +
				labels.getCalibration().getUnit());
			if (args.length > 3) { // Segment Folder over args[3]/in into args[3]/out
				Path in = Path.of(args[3], "in"), out = Path.of(args[3], "out");
				Module f = context.service(ModuleService.class).run(context.service(CommandService.class).getCommand(SegmentFolderCommand.class),
					true, Map.of("input", in.toFile(), "output", out.toFile(), "model", ModelChoices.OTHER, "modelFolder",
						Path.of(args[1]).toFile(), "tile", "auto", "border", "same", "device", "cpu", "precision", "float32", "probabilities", false,
						"overwrite", false)).get();
				SegmentFolderCommand folder = (SegmentFolderCommand) f;
				if (folder.isCanceled()) throw new IllegalStateException("folder cancelled: " + folder.getCancelReason());
				ij.measure.ResultsTable t = (ij.measure.ResultsTable) f.getOutput("results");
				StringBuilder st = new StringBuilder();
				for (int i = 0; i < t.size(); i++) st.append(i > 0 ? "," : "").append(t.getStringValue("Image", i)).append('=')
					.append(t.getStringValue("Status", i));
				System.out.println("folder " + st);
				System.out.println("macro " + io.github.unetseg.macro.UnetsegMacros.segment(in.toString(), args[1],
					Path.of(args[3], "macro-out").toString()));
				// Train Model over args[3]/train-images and train-labels into args[3]/trained
				Map<String, Object> tp = new java.util.HashMap<>(Map.of("images", Path.of(args[3], "train-images").toFile(), "labels",
					Path.of(args[3], "train-labels").toFile(), "output", Path.of(args[3], "trained").toFile(), "dimensions", "2D", "classes",
					"background,brain", "depth", 2, "filters", 4, "epochs", 2, "steps", 3, "batch", 2));
				tp.putAll(Map.of("patch", 64, "device", "cpu", "precision", "float32", "resume", false, "augment", true));
				Module tm = context.service(ModuleService.class).run(context.service(CommandService.class).getCommand(TrainModelCommand.class),
					true, tp).get();
				TrainModelCommand train = (TrainModelCommand) tm.getDelegateObject();
				if (train.isCanceled()) throw new IllegalStateException("training cancelled: " + train.getCancelReason());
				ij.measure.ResultsTable h = (ij.measure.ResultsTable) tm.getOutput("history");
				System.out.println("trained " + Path.of((String) tm.getOutput("model")).getFileName() + " epochs " + h.size() + " dice " +
					(h.getValue("mean validation Dice", 1) >= 0));
				System.out.println("macro-train " + io.github.unetseg.macro.UnetsegMacros.train(Path.of(args[3], "train-images").toString(),
					Path.of(args[3], "train-labels").toString(), Path.of(args[3], "macro-trained").toString(),
					"dims=2 classes=background,brain depth=2 filters=4 epochs=2 steps=3 batch=2 patch=64"));
			}
		}
		System.out.println("tensorflow 1.15 after: " + constant(4f));
	}

	/**
	 * Builds and runs a one-constant graph with TensorFlow 1.15's API (also the stand-in plugin of the
	 * simulated-Fiji test, {@code imagej2.TensorFlow115Probe}).
	 *
	 * @param value the constant
	 * @return {@code "<version> computed <value>"}
	 * @throws Exception if TensorFlow 1.15 is not on the class path or fails
	 */
	public static String constant(float value) throws Exception {
		Class<?> tensorClass = Class.forName("org.tensorflow.Tensor");
		Class<?> dataType = Class.forName("org.tensorflow.DataType");
		Object tensor = tensorClass.getMethod("create", Object.class).invoke(null, value);
		Object graph = Class.forName("org.tensorflow.Graph").getConstructor().newInstance();
		Object builder = graph.getClass().getMethod("opBuilder", String.class, String.class).invoke(graph, "Const", "c");
		Method setAttrType = builder.getClass().getMethod("setAttr", String.class, dataType);
		Method setAttrTensor = builder.getClass().getMethod("setAttr", String.class, tensorClass);
		setAttrType.invoke(builder, "dtype", dataType.getField("FLOAT").get(null));
		setAttrTensor.invoke(builder, "value", tensor);
		builder.getClass().getMethod("build").invoke(builder);
		Object session = Class.forName("org.tensorflow.Session").getConstructor(graph.getClass()).newInstance(graph);
		Object runner = session.getClass().getMethod("runner").invoke(session);
		runner.getClass().getMethod("fetch", String.class).invoke(runner, "c");
		Object out = ((java.util.List<?>) runner.getClass().getMethod("run").invoke(runner)).get(0);
		float v = (float) out.getClass().getMethod("floatValue").invoke(out);
		String version = (String) Class.forName("org.tensorflow.TensorFlow").getMethod("version").invoke(null);
		return version + " computed " + v;
	}
}
