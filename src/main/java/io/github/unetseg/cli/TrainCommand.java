package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.service.TrainingService;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg train}: trains or fine-tunes a U-Net from {@code images/} and {@code labels/} folders
 * and writes a model folder with the best model by validation Dice, its history and a checkpoint.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
	description = "Train a U-Net on image/label folders (labels = class indices, 0 = background).")
final class TrainCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--images", required = true, description = "Folder of training images (TIFF or NIfTI).")
	Path images;

	@Option(names = "--labels", required = true, description = "Folder of label images with the same file names.")
	Path labels;

	@Option(names = "--validation-images", description = "Folder of validation images (default: hold out --validation of the pairs).")
	Path validationImages;

	@Option(names = "--validation-labels", description = "Folder of validation labels.")
	Path validationLabels;

	@Option(names = "--output", required = true, description = "Model folder to write.")
	Path output;

	@Option(names = "--name", description = "Model name (default: the output folder's name).")
	String name;

	@Option(names = "--dims", defaultValue = "2", description = "2 or 3 (default: ${DEFAULT-VALUE}).")
	int dims;

	@Option(names = "--classes", split = ",", defaultValue = "background,foreground",
		description = "Class names, background first; two names make a binary (sigmoid) model (default: ${DEFAULT-VALUE}).")
	List<String> classes;

	@Option(names = "--channels", defaultValue = "1", description = "Input channels (default: ${DEFAULT-VALUE}).")
	int channels;

	@Option(names = "--depth", defaultValue = "3", description = "Number of 2x downsamplings (default: ${DEFAULT-VALUE}).")
	int depth;

	@Option(names = "--filters", defaultValue = "16", description = "Filters of the first level (default: ${DEFAULT-VALUE}).")
	int filters;

	@Option(names = "--batch-norm", description = "Batch normalisation after each convolution.")
	boolean batchNorm;

	@Option(names = "--dropout", defaultValue = "0", description = "Dropout at the bottleneck (default: ${DEFAULT-VALUE}).")
	double dropout;

	@Option(names = "--normalization", defaultValue = "percentile", description = "percentile, zscore, fixed or none.")
	String normalization;

	@Option(names = "--norm-range", split = ",", description = "Percentiles (percentile, default 1,99.8) or window (fixed).")
	double[] normRange;

	@Option(names = "--epochs", defaultValue = "50") int epochs;
	@Option(names = "--steps", defaultValue = "50", description = "Steps per epoch (default: ${DEFAULT-VALUE}).") int steps;
	@Option(names = "--batch", description = "Patches per step (default: 8 in 2D, 2 in 3D).") Integer batch;
	@Option(names = "--patch", split = ",", description = "Patch size, one value or x,y[,z] (default: 128 in 2D, 64 in 3D).") long[] patch;
	@Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).") double lr;
	@Option(names = "--epsilon", defaultValue = "1e-7") double epsilon;
	@Option(names = "--weight-decay", defaultValue = "1e-4", description = "Decoupled weight decay (AdamW).") double weightDecay;
	@Option(names = "--schedule", defaultValue = "poly", description = "constant, poly or cosine.") String schedule;
	@Option(names = "--loss", defaultValue = "dice_ce", description = "dice_ce, ce, weighted_ce, dice or focal.") String loss;
	@Option(names = "--class-weights", split = ",", description = "Weights per class for weighted_ce (default: inverse frequency).") double[] classWeights;
	@Option(names = "--foreground", defaultValue = "0.333", description = "Share of foreground-centred patches.") double foreground;
	@Option(names = "--no-augment", description = "Switch augmentation off.") boolean noAugment;
	@Option(names = "--validation", defaultValue = "0.2", description = "Share held out when there is no validation folder.") double validation;
	@Option(names = "--patience", defaultValue = "15", description = "Epochs without improvement before stopping; 0 = never.") int patience;
	@Option(names = "--seed", defaultValue = "42") long seed;
	@Option(names = "--init", description = "Model folder to fine-tune from (weights with matching names and sizes).") Path init;
	@Option(names = "--resume", description = "Continue the training in --output from its last checkpoint.") boolean resume;
	@Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = all cores.") int threads;
	@Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu.") String device;
	@Option(names = "--precision", defaultValue = "float32", description = "float32, or mixed (bfloat16 on AVX-512 CPUs, float16 on " +
		"GPUs; measured here: 2D 1.6x faster, 3D with batch norm 0.75x, so measure first).") String precision;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		PrintWriter err = spec.commandLine().getErr();
		TrainingService.Request request;
		try {
			int nClasses = classes.size();
			UNetConfig arch = new UNetConfig(dims, channels, nClasses == 2 ? 1 : nClasses, depth, filters, batchNorm, dropout);
			TrainingConfig d = TrainingConfig.defaults(dims);
			long[] p = patch == null ? d.patchSize() : patch.length == 1 ? filled(dims, patch[0]) : patch;
			TrainingConfig cfg = new TrainingConfig(epochs, steps, batch == null ? d.batchSize() : batch, p, lr, epsilon, weightDecay,
				schedule, loss, classWeights, foreground, !noAugment, validation, patience, seed);
			Normalization.Method m = Normalization.Method.valueOf(normalization.toUpperCase(Locale.ROOT));
			double lo = normRange != null ? normRange[0] : m == Normalization.Method.PERCENTILE ? 1 : 0;
			double hi = normRange != null && normRange.length > 1 ? normRange[1] : m == Normalization.Method.PERCENTILE ? 99.8 : 1;
			request = new TrainingService.Request(images, labels, validationImages, validationLabels, output,
				name != null ? name : output.getFileName().toString(), arch, classes, new Normalization(m, lo, hi), cfg, init, resume,
				new EngineOptions(Device.parse(device), threads, Precision.parse(precision)));
		}
		catch (IllegalArgumentException e) {
			err.println("error: " + e.getMessage());
			return 2;
		}
		try {
			TrainingService.Outcome o = TrainingService.train(request, new ConsoleProgress(System.err, "train: "), e -> out.printf(
				Locale.ROOT, "epoch %3d  loss %.4f  lr %.2e  validation Dice %s (mean %.4f)  %.1f s  %.1f patches/s%n", e.epoch(),
				e.loss(), e.learningRate(), fmt(e.validationDice()), e.meanDice(), e.seconds(), e.patchesPerSecond()));
			out.printf(Locale.ROOT, "best epoch %d, mean validation Dice %.4f%s; model written to %s%n", o.bestEpoch(), o.bestDice(),
				o.stoppedEarly() ? " (stopped early)" : o.cancelled() ? " (cancelled)" : "", o.model().directory());
			out.flush();
			return 0;
		}
		catch (SegmentationException | CancellationException e) {
			err.println("error: " + e.getMessage());
			return 1;
		}
	}

	private static long[] filled(int n, long v) {
		long[] a = new long[n];
		Arrays.fill(a, v);
		return a;
	}

	private static String fmt(double[] v) {
		StringBuilder b = new StringBuilder("[");
		for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
		return b.append("]").toString();
	}
}
