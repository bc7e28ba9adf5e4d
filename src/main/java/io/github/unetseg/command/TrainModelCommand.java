package io.github.unetseg.command;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.measure.ResultsTable;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.EpochRecord;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.TrainingOutcome;
import io.github.unetseg.facade.TrainingRequest;
import io.github.unetseg.io.ImageFiles;

/**
 * {@code Plugins > Segmentation > U-Net > Train Model...}: trains (or fine-tunes, or resumes) a U-Net
 * from an images folder and a labels folder and writes a model folder. Progress (epoch, step, loss,
 * ETA) goes to the status bar; cancelling stops after the current step and keeps the best model so
 * far. The per-epoch history is returned as a {@link ResultsTable}. Maps its parameters onto
 * {@link Options#training} (the names of {@code unetseg train}'s options; {@code learningRate},
 * {@code dimensions}, {@code initModel} and {@code augment} are accepted aliases there) and calls the
 * {@link io.github.unetseg.facade.Trainer} of {@link Engines#trainer()}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Train Model...", headless = true)
public class TrainModelCommand extends ContextCommand {

	@Parameter(label = "Images folder", style = "directory", description = "Training images: " + ImageFiles.READABLE)
	private File images;

	@Parameter(label = "Labels folder", style = "directory", description = "Label images with the same names; 0 = background")
	private File labels;

	@Parameter(label = "Output model folder", style = "directory", description = "Folder to create for the model")
	private File output;

	@Parameter(label = "Validation images folder (optional)", style = "directory", required = false,
		description = "Without it, a share of the training pairs (Validation share) is held out")
	private File validationImages;

	@Parameter(label = "Validation labels folder (optional)", style = "directory", required = false)
	private File validationLabels;

	@Parameter(label = "Model name (optional)", required = false, description = "Default: the output folder's name")
	private String name;

	@Parameter(label = "Task", choices = { "semantic", "instances" },
		description = "semantic: labels are class indices; instances: labels are object ids (0 = background, 1..N), the model learns " +
			"background, interior and boundary and separates touching objects (class names are then ignored)")
	private String task = "semantic";

	@Parameter(label = "Instance target", choices = { "boundary", "distance" }, description = "What an instance model learns: boundary " +
		"(background, interior, boundary) or distance (levels of the distance to the object's border, normalised per object)")
	private String instanceTarget = "boundary";

	@Parameter(label = "Dimensions", choices = { "2D", "3D" })
	private String dimensions = "2D";

	@Parameter(label = "Class names", description = "Comma-separated, background first; two names = binary model")
	private String classes = "background,foreground";

	@Parameter(label = "Input channels", min = "1")
	private int channels = 1;

	@Parameter(label = "Depth (downsamplings)", min = "1", max = "6")
	private int depth = 3;

	@Parameter(label = "Base filters", min = "1")
	private int filters = 16;

	@Parameter(label = "Batch normalisation")
	private boolean batchNorm = false;

	@Parameter(label = "Dropout (bottleneck)", min = "0", max = "0.9", stepSize = "0.05")
	private double dropout = 0;

	@Parameter(label = "Normalisation", choices = { "percentile", "zscore", "fixed", "window", "ct", "none" },
		description = "ct: nnU-Net's CT scheme (clip to the training foreground's 0.5-99.5 percentiles, then its mean and std; images in HU); " +
			"window: the range below clipped to 0..1 (e.g. -160,240 HU)")
	private String normalization = "percentile";

	@Parameter(label = "Normalisation range (optional)", required = false,
		description = "low,high: percentiles for percentile (default 1,99.8), the window for fixed and window")
	private String normRange;

	@Parameter(label = "Intensity window (optional)", required = false,
		description = "low,high, e.g. -160,240 for CT soft tissue in HU: clipped and mapped to 0..1 (overrides Normalisation)")
	private String window;

	@Parameter(label = "Epochs", min = "1")
	private int epochs = 50;

	@Parameter(label = "Steps per epoch", min = "1")
	private int steps = 50;

	@Parameter(label = "Batch size (0 = default)", min = "0")
	private int batch = 0;

	@Parameter(label = "Patch size (0 = default)", min = "0", description = "Edge length; a multiple of 2^depth")
	private int patch = 0;

	@Parameter(label = "Learning rate", min = "0")
	private double learningRate = 1e-3;

	@Parameter(label = "Adam epsilon", min = "0")
	private double epsilon = 1e-7;

	@Parameter(label = "Weight decay (AdamW)", min = "0")
	private double weightDecay = 1e-4;

	@Parameter(label = "Learning-rate schedule", choices = { "poly", "cosine", "constant" })
	private String schedule = "poly";

	@Parameter(label = "Class weights (optional, weighted_ce)", required = false,
		description = "One weight per class, comma-separated; default: inverse class frequency")
	private String classWeights;

	@Parameter(label = "Foreground-centred share of patches", min = "0", max = "1", stepSize = "0.05")
	private double foreground = 0.333;

	@Parameter(label = "Validation share (without a validation folder)", min = "0", max = "0.9", stepSize = "0.05")
	private double validation = 0.2;

	@Parameter(label = "Patience (epochs, 0 = never stop early)", min = "0")
	private int patience = 15;

	@Parameter(label = "Loss", choices = { "dice_ce", "ce", "weighted_ce", "dice", "focal", "dice_focal", "lovasz", "dice_ce_boundary",
		"dice_ce_hd" })
	private String loss = "dice_ce";

	@Parameter(label = "Boundary weight (dice_ce_boundary, dice_ce_hd; auto = balanced, schedule = Kervadec's)", required = false)
	private String boundaryWeight = "auto";

	@Parameter(label = "Augment")
	private boolean augment = true;

	@Parameter(label = "Mirror in augmentation", description = "Flips and 90-degree turns; off for anatomy with a left and a right side")
	private boolean mirror = true;

	@Parameter(label = "Left-right pairs (e.g. RightParotid:LeftParotid, optional)", required = false,
		description = "With Mirror off: flip the patient's left-right axis and swap these paired classes (the command line's --mirror " +
			"left-right --paired-classes)")
	private String pairedClasses = "";

	@Parameter(label = "Classes annotated per image (CSV, optional)", required = false,
		description = "Partially labelled data: columns image, classes (names separated by ';'); a class not listed is unknown there")
	private File labelClasses;

	@Parameter(label = "Voxel spacing to train at", description = "median (of the images), none, or x,y[,z] in the images' unit")
	private String spacing = "median";

	@Parameter(label = "Wall-time budget (hours, 0 = none)", min = "0", description = "Stops after the last epoch that fits; continue with Resume")
	private double maxHours = 0;

	@Parameter(label = "Random seed")
	private long seed = 42;

	@Parameter(label = "Fine-tune from model (optional)", style = "directory", required = false)
	private File initModel;

	@Parameter(label = "Resume an interrupted training in the output folder")
	private boolean resume = false;

	@Parameter(label = "CPU threads (0 = all cores)", min = "0")
	private int threads = 0;

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" })
	private String device = "auto";

	@Parameter(label = "Precision", choices = { "float32", "mixed" },
		description = "mixed: bfloat16 on AVX-512 CPUs, float16 on GPUs; faster for 2D U-Nets on such CPUs, slower for 3D with batch " +
			"norm (measure first)")
	private String precision = "float32";

	@Parameter(type = ItemIO.OUTPUT, label = "Model folder")
	private String model;

	@Parameter(type = ItemIO.OUTPUT, label = "Training history")
	private ResultsTable history;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	/** @return the command line's {@code --paired-classes}: the pairs, or {@code null} where the field is empty */
	private String pairs() {
		return pairedClasses == null || pairedClasses.isBlank() ? null : pairedClasses;
	}

	/** The command line's {@code --mirror}: left-right where pairs are given (refused together with Mirror). */
	private Object leftRight() {
		if (pairs() == null) return mirror;
		if (mirror) throw new SegmentationException("Left-right pairs flip only the patient's left-right axis. Fix: turn " +
			"Mirror in augmentation off, or leave the pairs empty.");
		return "left-right";
	}

	@Override
	public void run() {
		try {
			TrainingRequest request = Options.training(ModelChoices.options("images", images, "labels", labels, "validation-images",
				validationImages, "validation-labels", validationLabels, "output", output, "name", name, "task", task, "instance-target", instanceTarget, "dims", dimensions, "classes", classes,
				"channels", channels, "depth", depth, "filters", filters, "batch-norm", batchNorm, "dropout", dropout, "normalization",
				normalization, "norm-range", normRange, "window", window, "epochs", epochs, "steps", steps, "batch", batch, "patch", patch, "lr", learningRate,
				"epsilon", epsilon, "weight-decay", weightDecay, "schedule", schedule, "loss", loss, "boundary-weight", boundaryWeight,
				"class-weights", classWeights,
				"foreground", foreground, "no-augment", !augment, "mirror", leftRight(), "paired-classes", pairs(), "label-classes", labelClasses, "spacing", spacing,
				"max-hours", maxHours, "validation", validation, "patience", patience, "seed", seed, "init",
				initModel, "resume", resume, "threads", threads, "device", device, "precision", precision));
			TrainingOutcome o = Engines.trainer().train(request, new FijiProgress(status, this, "U-Net training: "), e -> {
				if (log != null) log.info(String.format(java.util.Locale.ROOT, "epoch %d: loss %.4f, validation Dice %.4f", e.epoch(),
					e.loss(), e.meanDice()));
			});
			if (log != null) o.warnings().forEach(log::warn);
			model = o.model().directory().toString();
			showHistory(o.history());
			if (o.cancelled()) cancel("Training cancelled; the best model so far is in " + model + ".");
		}
		catch (CancellationException e) {
			cancel(e.getMessage());
		}
		catch (SegmentationException | IllegalArgumentException e) {
			if (log != null) log.error(e.getMessage());
			cancel(e.getMessage());
		}
	}

	/** The history as the output table (shown when there is a display). */
	private void showHistory(List<EpochRecord> records) {
		history = new ResultsTable();
		for (EpochRecord e : records) {
			history.incrementCounter();
			history.addValue("epoch", e.epoch());
			history.addValue("loss", e.loss());
			history.addValue("learning rate", e.learningRate());
			history.addValue("mean validation Dice", e.meanDice());
			if (!Double.isNaN(e.validationAp())) history.addValue("validation AP@0.5", e.validationAp());
			history.addValue("patches/s", e.patchesPerSecond());
		}
		if (!GraphicsEnvironment.isHeadless()) history.show("U-Net training history");
	}
}
