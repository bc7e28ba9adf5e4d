package io.github.unetseg.command;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
import io.github.unetseg.facade.FileListener;
import io.github.unetseg.facade.FileResult;
import io.github.unetseg.facade.FileStatus;
import io.github.unetseg.facade.InputFiles;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.OutputFiles;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tiling.ProgressListener;

/**
 * {@code Plugins > Segmentation > U-Net > Segment Folder...}: segments every image of a folder
 * and writes {@code <name>_labels.tif} (or {@code .nii.gz}) into an output folder, skipping images whose
 * output exists, continuing after failures. Returns a {@link ResultsTable} with one row per image (status,
 * seconds, voxels per second, device). Maps its parameters onto {@link Options#segmentation} (the names of
 * {@code unetseg segment}'s options) and calls {@link Segmenter#segmentFiles}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Segment Folder...", headless = true)
public class SegmentFolderCommand extends DynamicCommand {

	@Parameter(label = "Input folder", style = "directory", description = "Folder of images: " + ImageFiles.READABLE)
	private File input;

	@Parameter(label = "Output folder", style = "directory", description = "Where <name>_labels.tif files are written")
	private File output;

	@Parameter(label = "Model", initializer = "listModels", persist = false,
		description = "A model found in the models folders, or \"" + ModelChoices.OTHER + "\" to use the model folder below")
	private String model = ModelChoices.OTHER;

	@Parameter(label = "Model folder or bioimage.io package", style = "both", required = false,
		description = "Folder with saved_model.pb and model.json, or a bioimage.io package (folder, bioimageio.yaml / rdf.yaml, or zip)")
	private File modelFolder;

	@Parameter(label = "Tile size", description = "\"auto\" (fewest computed pixels), or the tile edge in pixels")
	private String tile = "auto";

	@Parameter(label = "Halo", description = "\"model\" (model.json's, exact tiling), or the context cropped from each tile side in pixels")
	private String halo = "model";

	@Parameter(label = "Tile overlap", min = "0", max = "0.9", stepSize = "0.05",
		description = "Fraction of the tile core shared with neighbours and blended (0 = none)")
	private double overlap = 0;

	@Parameter(label = "Image border", choices = { "same", "mirror" },
		description = "same: the network's own zero padding at the image border; mirror: the image mirrored by the halo (slower)")
	private String border = "same";

	@Parameter(label = "Batch size (0 = automatic)", min = "0", description = "Tiles per batch; 0 chooses from free memory")
	private int batch = 0;

	@Parameter(label = "CPU threads (0 = all cores)", min = "0", description = "Threads TensorFlow uses on the CPU")
	private int threads = 0;

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" })
	private String device = "auto";

	@Parameter(label = "Precision", choices = { "float32", "mixed" },
		description = "float32, or mixed: bfloat16 convolutions on CPUs with AVX-512 and float16 on GPUs")
	private String precision = "float32";

	@Parameter(label = "Test-time augmentation (mirroring)", persist = false, description = "Average the probabilities of the tiles " +
		"mirrored along every axis (4x the network time in 2D, 8x in 3D; as nnU-Net); not for models trained without mirroring, " +
		"e.g. anatomical CT")
	private boolean tta = false;

	@Parameter(label = "Threshold (binary models)", min = "0", max = "1", stepSize = "0.05",
		description = "Foreground probability above which a pixel is labelled 1")
	private double threshold = 0.5;

	@Parameter(label = "Also write probabilities")
	private boolean probabilities = false;

	@Parameter(label = "RGB image, 1-channel model", choices = { "refuse", "luminance" },
		description = "refuse: stop with the choice; luminance: convert to 0.299 R + 0.587 G + 0.114 B (ImageJ's weighted 8-bit conversion)")
	private String rgb = "refuse";

	@Parameter(label = "Channels", description = "\"all\", or the channels given to the model, 1-based and comma-separated (e.g. 2)")
	private String channels = "all";

	@Parameter(label = "Orientation (3D)", description = "auto (from the NIfTI affine or DICOM tags), none, or the input's axis codes " +
		"(e.g. PLI) when its header is wrong; models that record an orientation get the input in it")
	private String orientation = "auto";

	@Parameter(label = "Post-processing", choices = { "model", "none", "largest", "holes", "largest,holes" },
		description = "Label clean-up: the model's default, none, the largest connected component per class, fill enclosed holes, or both")
	private String postprocess = "model";

	@Parameter(label = "Resample to the model's spacing", description = "Linear, and the labels back onto the input's grid")
	private boolean resample = true;

	@Parameter(label = "Probability threshold (instance models)",
		description = "\"model\" or 0-1: foreground where 1 - p(background) exceeds it")
	private String probThreshold = "model";

	@Parameter(label = "Seed threshold (instance models)", description = "\"model\" or 0-1: object seeds where p(interior) exceeds it")
	private String seedThreshold = "model";

	@Parameter(label = "Minimum object size (instance models)", description = "\"model\" or the smallest object kept, in pixels (voxels)")
	private String minSize = "model";

	@Parameter(label = "Object diameter (instance models, 0 = model's scale)", min = "0",
		description = "Typical object diameter in the images in pixels; each image is rescaled to the model's object size")
	private double diameter = 0;

	@Parameter(label = "Link objects across planes (IoU, 0 = off)", min = "0", max = "1", stepSize = "0.05",
		description = "A 2D instance model on a stack: objects of neighbouring planes with at least this IoU become one object")
	private double stitchThreshold = 0;

	@Parameter(label = "Output (instance models)", choices = { "label image", "both" },
		description = "Label images only, or also each image's objects as an ImageJ RoiSet (<name>_rois.zip)")
	private String rois = "label image";

	@Parameter(label = "Measure objects (instance models)",
		description = "Also write a table of each image's objects (<name>_objects.csv)")
	private boolean measure = false;

	@Parameter(label = "Segment without loading", choices = { "auto", "always", "never" },
		description = "Read files lazily and write their labels band by band: auto (files larger than an eighth of the memory), " +
			"always, or never (semantic models; instance models work in memory)")
	private String stream = "auto";

	@Parameter(label = "Recompute existing outputs")
	private boolean overwrite = false;

	@Parameter(type = ItemIO.OUTPUT, label = "U-Net batch")
	private ResultsTable results;

	@Parameter
	private SegmenterService segmenters;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	/** Offers the catalog's models ({@link ModelChoices#offerModels}). */
	protected void listModels() {
		ModelChoices.offerModels(this, model);
	}

	@Override
	public void run() {
		try {
			Options.Segmentation o = Options.segmentation(ModelChoices.options("model", model, "modelfolder", modelFolder, "tile", tile, "halo",
				halo, "overlap", overlap, "border", border, "batch", batch, "threads", threads, "device", device, "precision", precision, "tta", tta,
				"threshold", threshold, "probabilities", probabilities, "rgb", rgb, "channels", channels, "orientation", orientation, "resample", resample, "postprocess", postprocess, "probthreshold", probThreshold, "seedthreshold",
				seedThreshold, "minsize", minSize, "diameter", diameter, "stitchthreshold", stitchThreshold, "rois", rois, "measure", measure, "stream", stream, "overwrite", overwrite));
			Segmenter segmenter = segmenters.segmenter(o.model(), o.engine());
			List<Path> files = InputFiles.withoutOutputs(InputFiles.expand(List.of(input.getPath())), output.toPath());
			results = new ResultsTable();
			int total = files.size();
			segmenter.segmentFiles(files, output.toPath(), o.settings(), o.overwrite(), new FileListener() {
				@Override
				public ProgressListener progress(int index, Path f) {
					return new FijiProgress(status, SegmentFolderCommand.this, "U-Net " + (index + 1) + "/" + total + " " + f.getFileName() + ": ");
				}

				@Override
				public void file(int index, Path f, FileStatus st, FileResult r, SegmentationException error) {
					results.incrementCounter();
					results.addValue("Image", f.getFileName().toString());
					results.addValue("Status", st.name().toLowerCase(Locale.ROOT));
					if (st != FileStatus.FAILED) results.addValue("Labels", OutputFiles.labels(f, output.toPath()).toString());
					if (r != null) {
						results.addValue("Seconds", r.seconds());
						results.addValue("Voxels/s", r.result().voxelsPerSecond());
						results.addValue("Device", r.result().device());
						if (r.result().instances()) results.addValue("Objects", r.result().objectCount());
					}
					if (error != null) {
						results.addValue("Error", error.getMessage());
						if (log != null) log.error(error.getMessage());
					}
				}
			});
			if (!java.awt.GraphicsEnvironment.isHeadless()) results.show("U-Net batch");
		}
		catch (CancellationException e) {
			cancel("Segmentation cancelled; finished images are complete, the current one was not written.");
		}
		catch (SegmentationException | IllegalArgumentException e) {
			if (log != null) log.error(e.getMessage());
			cancel(e.getMessage());
		}
	}
}
