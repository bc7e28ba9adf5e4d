package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.tensorflow.TensorFlow;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.DeviceInfo;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.SessionConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg info}: the TensorFlow version and the devices it sees, and a model's
 * {@code model.json} when {@code --model} is given, after loading its SavedModel (so a damaged one fails here).
 */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show TensorFlow's devices and a model's model.json.")
final class InfoCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--model", description = "Model folder to describe.")
	Path model;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		out.println("TensorFlow " + TensorFlow.version() + " (TensorFlow Java 1.1.0)");
		for (DeviceInfo d : DeviceInfo.list(SessionConfigs.of(new EngineOptions(Device.AUTO, 0))))
			out.printf(Locale.ROOT, "device %-8s %s%s%n", d.type(), d.name(),
				"GPU".equals(d.type()) ? String.format(Locale.ROOT, " (%.1f GiB)", d.memoryBytes() / 1073741824.0) : "");
		if (model != null) {
			try {
				ModelBundle b = ModelBundle.read(model);
				out.println("model " + b.directory() + ":");
				out.print(ModelBundle.toJson(b.spec()));
				if (b.spec().architecture() != null)
					out.printf(Locale.ROOT, "receptive field radius %d px, %.1f kFLOP per voxel%n",
						b.spec().architecture().receptiveFieldRadius(), b.spec().architecture().flopsPerVoxel() / 1000);
				// load the SavedModel too, so that a damaged graph or a signature that contradicts model.json shows here
				try (io.github.unetseg.facade.Segmenter s = io.github.unetseg.facade.Engines.segmenter(model,
					new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU, 0))) {
					out.println("SavedModel loads and its signature fits model.json (" + s.device() + ")");
				}
			}
			catch (SegmentationException e) {
				spec.commandLine().getErr().println("error: " + e.getMessage());
				return 1;
			}
		}
		return 0;
	}
}
