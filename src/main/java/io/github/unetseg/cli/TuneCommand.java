package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.ThresholdTuning;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg tune}: chooses an instance model's probability and seed thresholds on annotated images
 * ({@link ThresholdTuning}, as StarDist's {@code optimize_thresholds}) and writes them into its
 * {@code model.json}.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
	description = "Choose an instance model's probability and seed thresholds by AP at IoU 0.5 on annotated images; writes model.json.")
final class TuneCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--model", required = true, description = "Instance model folder (its model.json is updated).")
	Path model;

	@Option(names = "--images", required = true, description = "Folder of images (validation images, not test images).")
	Path images;

	@Option(names = "--labels", required = true, description = "Folder of instance label images with the same names.")
	Path labels;

	@Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = all cores.")
	int threads;

	@Option(names = "--dry-run", description = "Print the choice without writing model.json.")
	boolean dryRun;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.AUTO, threads))) {
			ThresholdTuning.Result r = ThresholdTuning.tune(s, images, labels, new ConsoleProgress(System.err, "tune: "));
			out.println(r);
			if (!dryRun) {
				ThresholdTuning.apply(model, r);
				out.println("written to " + model.resolve("model.json"));
			}
			return 0;
		}
		catch (SegmentationException e) {
			spec.commandLine().getErr().println("error: " + e.getMessage());
			return 1;
		}
	}
}
