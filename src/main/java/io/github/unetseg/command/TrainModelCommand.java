package io.github.unetseg.command;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.Arrays;
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
import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.service.EngineProcess;
import io.github.unetseg.service.TrainingService;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;

/**
 * {@code Plugins > Segmentation > U-Net > Train Model...}: trains (or fine-tunes, or resumes) a U-Net
 * from an images folder and a labels folder and writes a model folder. Progress (epoch, step, loss,
 * ETA) goes to the status bar; cancelling stops after the current step and keeps the best model so
 * far. The per-epoch history is returned as a {@link ResultsTable}. All work is done by
 * {@link TrainingService}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Train Model...", headless = true)
public class TrainModelCommand extends ContextCommand {

	@Parameter(label = "Images folder", style = "directory", description = "Training images (TIFF or NIfTI)")
	private File images;

	@Parameter(label = "Labels folder", style = "directory", description = "Label images with the same names; 0 = background")
	private File labels;

	@Parameter(label = "Output model folder", style = "directory", description = "Folder to create for the model")
	private File output;

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

	@Parameter(label = "Loss", choices = { "dice_ce", "ce", "weighted_ce", "dice", "focal" })
	private String loss = "dice_ce";

	@Parameter(label = "Augment")
	private boolean augment = true;

	@Parameter(label = "Random seed")
	private long seed = 42;

	@Parameter(label = "Fine-tune from model (optional)", style = "directory", required = false)
	private File initModel;

	@Parameter(label = "Resume an interrupted training in the output folder")
	private boolean resume = false;

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

	@Override
	public void run() {
		if (!EngineProcess.inProcess()) {
			runInEngineProcess();
			return;
		}
		try {
			int dims = "3D".equals(dimensions) ? 3 : 2;
			List<String> names = Arrays.stream(classes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
			UNetConfig arch = new UNetConfig(dims, channels, names.size() == 2 ? 1 : names.size(), depth, filters, false, 0);
			TrainingConfig d = TrainingConfig.defaults(dims);
			long[] p = d.patchSize();
			if (patch > 0) Arrays.fill(p, patch);
			TrainingConfig cfg = new TrainingConfig(epochs, steps, batch > 0 ? batch : d.batchSize(), p, learningRate, d.epsilon(),
				d.weightDecay(), d.schedule(), loss, null, d.foregroundFraction(), augment, d.validationFraction(), d.patience(), seed);
			TrainingService.Request r = new TrainingService.Request(images.toPath(), labels.toPath(), null, null, output.toPath(),
				output.getName(), arch, names, Normalization.percentile(), cfg, initModel == null ? null : initModel.toPath(), resume,
				new EngineOptions(Device.parse(device), 0, Precision.parse(precision)));
			TrainingService.Outcome o = TrainingService.train(r, new FijiProgress(status, this, "U-Net training: "), e -> {
				if (log != null) log.info(String.format(java.util.Locale.ROOT, "epoch %d: loss %.4f, validation Dice %.4f", e.epoch(),
					e.loss(), e.meanDice()));
			});
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

	/**
	 * The same training in a child JVM ({@link EngineProcess}), for Fiji installations whose
	 * {@code org.tensorflow} is another plugin's TensorFlow 1.15: {@code unetseg train} with these
	 * parameters; the history table is read from the model's {@code history.csv}.
	 */
	private void runInEngineProcess() {
		try {
			List<String> args = new java.util.ArrayList<>(List.of("train", "--images", images.getAbsolutePath(), "--labels",
				labels.getAbsolutePath(), "--output", output.getAbsolutePath(), "--dims", "3D".equals(dimensions) ? "3" : "2", "--classes",
				classes, "--channels", "" + channels, "--depth", "" + depth, "--filters", "" + filters, "--epochs", "" + epochs, "--steps",
				"" + steps, "--lr", "" + learningRate, "--loss", loss, "--seed", "" + seed, "--device", device, "--precision", precision));
			if (batch > 0) args.addAll(List.of("--batch", "" + batch));
			if (patch > 0) args.addAll(List.of("--patch", "" + patch));
			if (!augment) args.add("--no-augment");
			if (initModel != null) args.addAll(List.of("--init", initModel.getAbsolutePath()));
			if (resume) args.add("--resume");
			EngineProcess.run(args, new FijiProgress(status, this, "U-Net training (engine process): "));
			model = output.getAbsolutePath();
			showHistory(TrainingService.readHistory(output.toPath()));
		}
		catch (CancellationException e) {
			cancel("Training cancelled; the best model so far, if an epoch finished, is in " + output + ".");
		}
		catch (SegmentationException | IllegalArgumentException e) {
			if (log != null) log.error(e.getMessage());
			cancel(e.getMessage());
		}
	}

	/** The history as the output table (shown when there is a display). */
	private void showHistory(List<TrainingService.EpochRecord> records) {
		history = new ResultsTable();
		for (TrainingService.EpochRecord e : records) {
			history.incrementCounter();
			history.addValue("epoch", e.epoch());
			history.addValue("loss", e.loss());
			history.addValue("learning rate", e.learningRate());
			history.addValue("mean validation Dice", e.meanDice());
			history.addValue("patches/s", e.patchesPerSecond());
		}
		if (!GraphicsEnvironment.isHeadless()) history.show("U-Net training history");
	}
}
