package io.github.unetseg.command;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.ImagePlus;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.ImagePlusSegmentation;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ObjectOutputs;

/**
 * {@code Plugins > Segmentation > U-Net > Segment Image...}: segments an open image with a model folder
 * and returns the label image (8/16-bit, with the input's calibration and a label lookup table) and,
 * optionally, the 32-bit probability map.
 *
 * <p>Headless, cancelable, progress in the status bar. Like Labkit's {@code SegmentImageWithLabkitPlugin}
 * it only maps its parameters onto the facade's settings ({@link Options#segmentation}, the same names as
 * {@code unetseg segment}'s options) and calls a {@link Segmenter}. A recorded macro line reads, for
 * example: {@code run("Segment Image...", "image=blobs.tif model=brain-mri-2d tile=auto halo=model overlap=0
 * border=same batch=0 threads=0 device=auto precision=float32 threshold=0.5");} The loaded model is kept
 * by {@link SegmenterService} so macros over folders do not reload it per image.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Segment Image...", headless = true)
public class SegmentImageCommand extends DynamicCommand {

	@Parameter(label = "Image", description = "2D image or 3D stack to segment; channels must match the model")
	private ImagePlus image;

	@Parameter(label = "Model", initializer = "listModels", persist = false,
		description = "A model found in the models folders, or \"" + ModelChoices.OTHER + "\" to use the model folder below")
	private String model = ModelChoices.OTHER;

	@Parameter(label = "Model folder or bioimage.io package", style = "both", required = false,
		description = "Folder with saved_model.pb and model.json, or a bioimage.io package (folder, bioimageio.yaml / rdf.yaml, or zip); " +
			"used when Model is \"" + ModelChoices.OTHER + "\"")
	private java.io.File modelFolder;

	@Parameter(label = "Tile size", description = "\"auto\" (fewest computed pixels), or the tile edge in pixels")
	private String tile = "auto";

	@Parameter(label = "Halo", description = "\"model\" (model.json's, exact tiling), or the context cropped from each tile side in pixels")
	private String halo = "model";

	@Parameter(label = "Tile overlap", min = "0", max = "0.9", stepSize = "0.05",
		description = "Fraction of the tile core shared with neighbours and blended (0 = none)")
	private double overlap = 0;

	@Parameter(label = "Image border", choices = { "same", "mirror" },
		description = "same: the network's own zero padding at the image border (nothing computed outside the image); " +
			"mirror: the image mirrored by the halo (slower)")
	private String border = "same";

	@Parameter(label = "Batch size (0 = automatic)", min = "0", description = "Tiles per batch; 0 chooses from free memory")
	private int batch = 0;

	@Parameter(label = "CPU threads (0 = all cores)", min = "0", description = "Threads TensorFlow uses on the CPU")
	private int threads = 0;

	@Parameter(label = "Device", choices = { "auto", "cpu", "gpu" }, description = "Where TensorFlow runs the network")
	private String device = "auto";

	@Parameter(label = "Precision", choices = { "float32", "mixed" },
		description = "float32, or mixed: bfloat16 convolutions on CPUs with AVX512_BF16/AMX and float16 on GPUs (about 2x faster " +
			"there; probabilities within a few 1e-2)")
	private String precision = "float32";

	@Parameter(label = "Test-time augmentation (mirroring)", persist = false, description = "Average the probabilities of the tiles " +
		"mirrored along every axis (4x the network time in 2D, 8x in 3D; as nnU-Net); not for models trained without mirroring, " +
		"e.g. anatomical CT")
	private boolean tta = false;

	@Parameter(label = "Threshold (binary models)", min = "0", max = "1", stepSize = "0.05",
		description = "Foreground probability above which a pixel is labelled 1")
	private double threshold = 0.5;

	@Parameter(label = "Also output probabilities", description = "Return the 32-bit probability map as well")
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
		description = "Typical object diameter in this image in pixels; the image is rescaled to the model's object size")
	private double diameter = 0;

	@Parameter(label = "Link objects across planes (IoU, 0 = off)", min = "0", max = "1", stepSize = "0.05",
		description = "A 2D instance model on a stack: objects of neighbouring planes with at least this IoU become one object")
	private double stitchThreshold = 0;

	@Parameter(label = "Output (instance models)", choices = { "label image", "ROI Manager", "both" },
		description = "The objects as a label image, as ROIs in the ROI Manager (one per object; per plane in stacks), or both")
	private String rois = "label image";

	@Parameter(label = "Clear the ROI Manager first", description = "Remove the ROIs already there (default: add after them)")
	private boolean clearRois = false;

	@Parameter(label = "Measure objects (instance models)",
		description = "A table of the objects: area or volume, centroid, bounding box, intensity, equivalent diameter")
	private boolean measure = false;

	@Parameter(type = ItemIO.OUTPUT, label = "Labels", required = false)
	private ImagePlus labels;

	@Parameter(type = ItemIO.OUTPUT, label = "Probabilities", required = false)
	private ImagePlus probabilityMap;

	@Parameter(type = ItemIO.OUTPUT, label = "Objects", required = false)
	private int objects = -1;

	@Parameter
	private SegmenterService segmenters;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	@Override
	public void run() {
		try {
			Options.Segmentation o = Options.segmentation(ModelChoices.options("model", model, "modelfolder", modelFolder, "tile", tile, "halo",
				halo, "overlap", overlap, "border", border, "batch", batch, "threads", threads, "device", device, "precision", precision, "tta", tta,
				"threshold", threshold, "probabilities", probabilities, "rgb", rgb, "channels", channels, "orientation", orientation, "resample", resample, "postprocess", postprocess, "probthreshold", probThreshold, "seedthreshold",
				seedThreshold, "minsize", minSize, "diameter", diameter, "stitchthreshold", stitchThreshold, "rois", rois, "measure", measure));
			Segmenter segmenter = segmenters.segmenter(o.model(), o.engine());
			String title = image.getTitle();
			// a virtual stack of a file is segmented from that file and its result opened as a virtual stack
			Path file = FileBackedImages.fileToSegment(segmenter, o.settings(), image);
			if (file != null) {
				segmentFile(segmenter, o, file, title);
				return;
			}
			ImagePlusSegmentation.Outcome r = ImagePlusSegmentation.segment(segmenter, o.settings(), image, measure, new FijiProgress(status,
				this, "U-Net: "));
			if (log != null) r.warnings().forEach(log::warn);
			labels = r.labels();
			if (r.instances()) {
				objects = r.objects();
				if (o.settings().objects().rois()) {
					String where = ObjectOutputs.addRois(r.rois(), image, "ROI Manager".equals(rois) ? image : labels, clearRois);
					if (where.equals("overlay") && log != null)
						log.warn("No ROI Manager without a display (headless): the objects' ROIs are the overlay of " +
							("ROI Manager".equals(rois) ? image.getTitle() : labels.getTitle()) + ".");
				}
				if (r.table() != null) r.table().show("Objects of " + ImageFiles.baseName(title));
				if ("ROI Manager".equals(rois)) labels = null;
			}
			probabilityMap = r.probabilities();
			MacroOutputs.showHeadless(labels, probabilityMap);
			if (status != null) status.showStatus(String.format(java.util.Locale.ROOT, "U-Net: %s segmented in %.1f s on %s", title,
				r.seconds(), r.device()));
		}
		catch (CancellationException e) {
			cancel("Segmentation cancelled.");
		}
		catch (SegmentationException | IllegalArgumentException e) {
			if (log != null) log.error(e.getMessage());
			cancel(e.getMessage());
		}
	}

	/**
	 * Segments the file behind a virtual stack without loading it ({@code stream=always}): the outputs are
	 * written next to the file (or to the temporary folder) as Segment Folder writes them, and a streamed
	 * NIfTI result opens as a virtual stack.
	 */
	private void segmentFile(Segmenter segmenter, Options.Segmentation o, Path file, String title) {
		FileBackedImages.Result done = FileBackedImages.segment(segmenter, o.settings(), file, title, new FijiProgress(status, this, "U-Net: "));
		SegmentationResult r = done.file().result();
		if (log != null) {
			r.warnings().forEach(log::warn);
			log.info(done.message());
		}
		labels = done.labels();
		probabilityMap = done.probabilities();
		if (r.instances()) objects = r.objectCount();
		MacroOutputs.showHeadless(labels, probabilityMap);
		if (status != null) status.showStatus(String.format(java.util.Locale.ROOT, "U-Net: %s segmented from its file in %.1f s on %s", title,
			r.seconds(), r.device()));
	}

	/** Offers the catalog's models ({@link ModelChoices#offerModels}). */
	protected void listModels() {
		ModelChoices.offerModels(this, model);
	}

}
