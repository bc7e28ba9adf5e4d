package io.github.unetseg.command;

import java.io.File;
import java.util.List;
import java.util.concurrent.CancellationException;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.measure.ResultsTable;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.service.EngineProcess;
import io.github.unetseg.service.InputFiles;
import io.github.unetseg.service.ModelCache;
import io.github.unetseg.service.SegmentationService;
import io.github.unetseg.service.SegmentationSettings;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;
import io.github.unetseg.tiling.TilePlan;

/**
 * {@code Plugins > Segmentation > U-Net > Segment Folder...}: segments every TIFF/NIfTI image of a folder
 * and writes {@code <name>_labels.tif} (or {@code .nii.gz}) into an output folder, skipping images whose
 * output exists, continuing after failures. Returns a {@link ResultsTable} with one row per image (status,
 * seconds, voxels per second, device). All work is done by {@link SegmentationService#segmentBatch}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Segment Folder...", headless = true)
public class SegmentFolderCommand extends DynamicCommand {

	@Parameter(label = "Input folder", style = "directory", description = "Folder of TIFF or NIfTI images")
	private File input;

	@Parameter(label = "Output folder", style = "directory", description = "Where <name>_labels.tif files are written")
	private File output;

	@Parameter(label = "Model", initializer = "listModels", persist = false,
		description = "A model found in the models folders, or \"" + ModelChoices.OTHER + "\" to use the model folder below")
	private String model = ModelChoices.OTHER;

	@Parameter(label = "Model folder", style = "directory", required = false)
	private File modelFolder;

	@Parameter(label = "Tile size", description = "\"auto\" (fewest computed pixels), or the tile edge in pixels")
	private String tile = "auto";

	@Parameter(label = "Image border", choices = { "same", "mirror" },
		description = "same: the network's own zero padding at the image border; mirror: the image mirrored by the halo (slower)")
	private String border = "same";

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" })
	private String device = "auto";

	@Parameter(label = "Precision", choices = { "float32", "mixed" },
		description = "float32, or mixed: bfloat16 convolutions on CPUs with AVX-512 and float16 on GPUs")
	private String precision = "float32";

	@Parameter(label = "Also write probabilities")
	private boolean probabilities = false;

	@Parameter(label = "Recompute existing outputs")
	private boolean overwrite = false;

	@Parameter(type = ItemIO.OUTPUT, label = "U-Net batch")
	private ResultsTable results;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	/** Offers the models of the models folders as choices. */
	protected void listModels() {
		ModelChoices.offer(getInfo(), "model");
		// a chosen catalog model needs no folder: keep SciJava from asking for one (headless it would cancel)
		if (!ModelChoices.OTHER.equals(model)) resolveInput("modelFolder");
	}

	@Override
	public void run() {
		try {
			if (EngineProcess.inProcess()) runHere();
			else runInEngineProcess();
		}
		catch (CancellationException e) {
			cancel("Segmentation cancelled; finished images are complete, the current one was not written.");
		}
		catch (SegmentationException | IllegalArgumentException e) {
			if (log != null) log.error(e.getMessage());
			cancel(e.getMessage());
		}
	}

	/** The batch in this JVM through {@link SegmentationService#segmentBatch}, one table row per file. */
	private void runHere() {
		SegmentationService service = ModelCache.get(ModelChoices.resolve(model, modelFolder),
			new EngineOptions(Device.parse(device), 0, Precision.parse(precision)));
		SegmentationSettings settings = SegmentationSettings.defaults().withTile(ModelChoices.tile(tile)).withProbabilities(probabilities)
			.withBorder(TilePlan.Border.parse(border));
		List<java.nio.file.Path> files = InputFiles.expand(List.of(input.getPath()));
		results = new ResultsTable();
		int total = files.size();
		service.segmentBatch(files, output.toPath(), settings, overwrite, new SegmentationService.BatchListener() {
			@Override
			public io.github.unetseg.tiling.ProgressListener progress(int index, java.nio.file.Path f) {
				return new FijiProgress(status, SegmentFolderCommand.this, "U-Net " + (index + 1) + "/" + total + " " + f.getFileName() + ": ");
			}

			@Override
			public void file(int index, java.nio.file.Path f, SegmentationService.Status st, SegmentationService.FileResult r,
				SegmentationException error)
			{
				results.incrementCounter();
				results.addValue("Image", f.getFileName().toString());
				results.addValue("Status", st.name().toLowerCase(java.util.Locale.ROOT));
				if (r != null) {
					results.addValue("Labels", r.labelsFile().toString());
					results.addValue("Seconds", r.seconds());
					results.addValue("Voxels/s", r.result().voxelsPerSecond());
					results.addValue("Device", r.result().device());
				}
				if (error != null) {
					results.addValue("Error", error.getMessage());
					if (log != null) log.error(error.getMessage());
				}
			}
		});
		if (!java.awt.GraphicsEnvironment.isHeadless()) results.show("U-Net batch");
	}

	/**
	 * The same batch in a child JVM ({@link EngineProcess}), for Fiji installations whose
	 * {@code org.tensorflow} is another plugin's TensorFlow 1.15: {@code unetseg segment} over the folder.
	 * The table then has one row per input with the status read off the output folder (done: written by
	 * this run; skipped: outputs existed before; failed: no outputs), without timings.
	 */
	private void runInEngineProcess() {
		java.nio.file.Path modelDir = ModelChoices.resolve(model, modelFolder).toAbsolutePath();
		List<java.nio.file.Path> files = InputFiles.expand(List.of(input.getPath()));
		java.nio.file.Path out = output.toPath();
		List<String> options = new java.util.ArrayList<>(List.of("--model", modelDir.toString(), "--border", border, "--device", device,
			"--precision", precision));
		long[] t = ModelChoices.tile(tile);
		if (t != null) options.addAll(List.of("--tile", "" + t[0]));
		EngineProcess.BatchOutcome outcome = EngineProcess.segmentFiles(files, options, out, probabilities, overwrite,
			new FijiProgress(status, this, "U-Net (engine process): "));
		if (outcome.error() != null && log != null) log.error(outcome.error());
		results = new ResultsTable();
		for (int i = 0; i < files.size(); i++) {
			SegmentationService.Status st = outcome.statuses().get(i);
			results.incrementCounter();
			results.addValue("Image", files.get(i).getFileName().toString());
			results.addValue("Status", st.name().toLowerCase(java.util.Locale.ROOT));
			if (st != SegmentationService.Status.FAILED) results.addValue("Labels", SegmentationService.labelsPath(files.get(i), out).toString());
			else if (outcome.error() != null) results.addValue("Error", outcome.error());
		}
		if (!java.awt.GraphicsEnvironment.isHeadless()) results.show("U-Net batch");
	}
}
