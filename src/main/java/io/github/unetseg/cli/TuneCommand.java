package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.LabelClasses;
import io.github.unetseg.data.TrainingSet;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.PostProcessingTuning;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.ThresholdTuning;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg tune}: chooses what follows the network on annotated validation images and writes it
 * into the model's {@code model.json}: an instance model's probability and seed thresholds
 * ({@link ThresholdTuning}, as StarDist's {@code optimize_thresholds}), a semantic model's
 * post-processing per class ({@link PostProcessingTuning}, as nnU-Net's {@code determine_postprocessing}).
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
	description = { "Choose, on annotated validation images, an instance model's probability and seed thresholds (by AP at IoU 0.5) or a " +
		"semantic model's post-processing per class (largest connected component, hole filling: by Dice, as nnU-Net); writes model.json." })
final class TuneCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--model", required = true, description = "Model folder (its model.json is updated).")
	Path model;

	@Option(names = "--images", required = true, description = "Folder of images (validation images, not test images).")
	Path images;

	@Option(names = "--labels", required = true, description = "Folder of label images with the same names " +
		"(object ids for an instance model, class indices for a semantic one).")
	Path labels;

	@Option(names = "--label-classes", description = "Semantic models with partial labels: CSV of the classes annotated in each image " +
		"(columns image, classes; ';'-separated names); a class not annotated in an image is not scored there.")
	Path labelClasses;

	@Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = all cores.")
	int threads;

	@Option(names = "--dry-run", description = "Print the choice without writing model.json.")
	boolean dryRun;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.AUTO, threads))) {
			ConsoleProgress progress = new ConsoleProgress(System.err, "tune: ");
			if (s.spec().instances() != null) {
				if (labelClasses != null) throw new SegmentationException("--label-classes is for semantic models; " + model + " is an instance " +
					"model. Fix: leave --label-classes out.");
				ThresholdTuning.Result r = ThresholdTuning.tune(s, images, labels, progress);
				out.println(r);
				if (!dryRun) ThresholdTuning.apply(model, r);
			}
			else {
				PostProcessingTuning.Result r = PostProcessingTuning.tune(s, TrainingSet.fromFolders(images, labels, ImageFiles::baseName),
					labelClasses == null ? null : LabelClasses.read(labelClasses), progress);
				out.println(r);
				if (!dryRun) PostProcessingTuning.apply(model, r);
			}
			if (!dryRun) out.println("written to " + model.resolve("model.json"));
			return 0;
		}
		catch (SegmentationException e) {
			spec.commandLine().getErr().println("error: " + e.getMessage());
			return 1;
		}
	}
}
