package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.InstanceTargets;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.LeftRightMirroring;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;
import io.github.unetseg.tiling.TilePlan.Border;

/**
 * The one mapping from option names to the facade's settings records, shared by every front end: the
 * CLI passes the options the user gave, a macro passes its {@code "key=value"} string, a Fiji command its
 * parameters. The CLI's long option names are canonical; a macro key or Fiji parameter is the same name
 * without dashes, in any case ({@code --weight-decay} is {@code weightdecay}); the names front ends used
 * before are accepted as aliases ({@link #ALIASES}). Options not given take the defaults listed in
 * {@link #SEGMENT} and {@link #TRAIN}, which are also the CLI's.
 */
public final class Options {

	private Options() {}

	/**
	 * An option: its canonical name (the CLI's long name without the dashes), its default as text and
	 * what it means.
	 *
	 * @param name canonical name, e.g. {@code "weight-decay"}
	 * @param defaultValue the default as the CLI shows it; {@code "false"} marks a switch (a flag on the
	 *     command line, a checkbox in Fiji, a key without value in a macro); {@code null} when there is
	 *     none
	 * @param required whether a front end must ask for it
	 * @param description one line for help texts
	 */
	public record Option(String name, String defaultValue, boolean required, String description) {

		Option(String name, String defaultValue, String description) {
			this(name, defaultValue, false, description);
		}

		/** @return whether this option is a switch (on or off) */
		public boolean isSwitch() {
			return "false".equals(defaultValue);
		}

		/** @return the macro key / Fiji parameter name: {@link #name()} without dashes, lower case */
		public String key() {
			return key(name);
		}

		static String key(String name) {
			return name.replace("-", "").toLowerCase(Locale.ROOT);
		}
	}

	/** The options of segmentation, in help order. */
	public static final List<Option> SEGMENT = List.of(
		new Option("model", null, true, "Model folder (SavedModel + model.json), a bioimage.io package (folder, rdf.yaml / " +
			"bioimageio.yaml, or zip; its onnx weights run on ONNX Runtime), or the name of a model in the models folders."),
		new Option("tile", "auto", "Tile size in pixels, one value or x,y[,z], or auto (fewest computed pixels in the memory budget)."),
		new Option("halo", "model", "Context cropped from each tile side in pixels, one value or x,y[,z], or model (model.json's halo: exact tiling)."),
		new Option("overlap", "0", "Fraction of the tile core shared with neighbours and blended with a Gaussian window, 0-0.9."),
		new Option("border", "same", "What the network sees beyond the image border: same (its own zero padding) or mirror."),
		new Option("batch", "0", "Tiles per batch; 0 = from free memory."),
		new Option("threads", "0", "CPU threads for TensorFlow; 0 = all cores."),
		new Option("device", "auto", "auto, cpu or gpu."),
		new Option("precision", "float32", "float32, or mixed: bfloat16 convolutions on CPUs with AVX512_BF16/AMX, float16 on GPUs."),
		new Option("threshold", "0.5", "Probability threshold of binary models."),
		new Option("tta", "false", "Test-time augmentation: average the probabilities of the tiles mirrored along every axis (4 network " +
			"runs in 2D, 8 in 3D; as nnU-Net); refused for models trained without mirroring (model.json trainedWithMirroring); models " +
			"trained with --mirror left-right are mirrored along that axis alone, paired classes swapped back."),
		new Option("probabilities", "false", "Also output the 32-bit probability map."),
		new Option("rgb", "refuse", "An RGB image given to a 1-channel model: refuse (and say so) or luminance (0.299 R + 0.587 G + " +
			"0.114 B, as ImageJ's weighted 8-bit conversion)."),
		new Option("orientation", "auto", "3D models that record an anatomical orientation: auto (reorient the input from its NIfTI " +
			"affine or DICOM tags), none (take the array as it is), or the input's axis codes, e.g. PLI, for files whose header is wrong."),
		new Option("postprocess", "model", "Label clean-up of semantic models: model (what model.json declares), none, largest (the " +
			"largest connected component per class), largest=CLASS:CLASS (of those classes only), holes (fill enclosed holes), or a largest " +
			"choice and holes, comma-separated (largest,holes)."),
		new Option("resample", "true", "Resample an input whose voxel spacing differs from the model's (linear) and the labels back."),
		new Option("channels", "all", "The image channels given to the model, 1-based, comma-separated in the model's order (e.g. 2 for " +
			"the nuclear stain of a two-channel image), or all."),
		new Option("prob-threshold", "model", "Instance models: foreground where 1 - p(background) exceeds it, 0-1, or model."),
		new Option("seed-threshold", "model", "Instance models: object seeds where p(interior) exceeds it, 0-1, or model."),
		new Option("min-size", "model", "Instance models: smallest object kept, in pixels (voxels) of the input, or model."),
		new Option("diameter", "0", "Instance models: typical object diameter in the input, in pixels; the image is rescaled to the " +
			"model's object size (model.json objectDiameter). 0 = no rescaling."),
		new Option("stitch-threshold", "0", "A 2D instance model on a stack: link objects of neighbouring planes whose IoU reaches it " +
			"(0-1; 0 = each plane's objects stay apart), as Cellpose's stitch_threshold."),
		new Option("rois", "false", "Instance models: also write each image's objects as an ImageJ RoiSet (<name>_rois.zip); in Fiji " +
			"\"label image\", \"ROI Manager\" or \"both\"."),
		new Option("measure", "false", "Instance models: also write a table of the objects (<name>_objects.csv): area or volume, " +
			"centroid, bounding box, intensity per channel, equivalent diameter."),
		new Option("stream", "auto", "Segment files without loading them: auto (files read by regions - TIFF, OME-TIFF, BigTIFF, .nii, raw " +
			"NRRD/MetaImage, Bio-Formats - over an eighth of the heap), always (every file; others fail with the fix), never."),
		new Option("overwrite", "false", "Recompute files whose outputs already exist (default: skip them)."));

	/** The options of training, in help order. */
	public static final List<Option> TRAIN = List.of(
		new Option("images", null, true, "Folder of training images."),
		new Option("labels", null, true, "Folder of label images with the same file names (class indices, 0 = background)."),
		new Option("validation-images", null, "Folder of validation images (default: hold out --validation of the pairs)."),
		new Option("validation-labels", null, "Folder of validation labels."),
		new Option("output", null, true, "Model folder to write."),
		new Option("name", null, "Model name (default: the output folder's name)."),
		new Option("task", "semantic", "semantic (labels are class indices) or instances (labels are object ids 0..N; the model " +
			"learns background, interior and boundary and separates touching objects)."),
		new Option("instance-target", "boundary", "Instance models learn boundary (background, interior, boundary) or distance (levels)."),
		new Option("dims", "2", "2 or 3."),
		new Option("classes", "background,foreground", "Class names, background first; two names make a binary (sigmoid) model."),
		new Option("channels", "1", "Input channels."),
		new Option("depth", "3", "Number of 2x downsamplings."),
		new Option("filters", "16", "Filters of the first level."),
		new Option("batch-norm", "false", "Batch normalisation after each convolution."),
		new Option("dropout", "0", "Dropout at the bottleneck."),
		new Option("normalization", "percentile", "percentile, zscore, fixed, window, ct (nnU-Net's CT scheme: clip to the foreground " +
			"0.5-99.5 percentiles of the training set, then its mean and std; images in Hounsfield units) or none."),
		new Option("norm-range", null, "Percentiles (percentile, default 1,99.8) or window (fixed, window)."),
		new Option("window", null, "A fixed intensity window low,high (e.g. -160,240 HU), clipped and mapped to 0..1; the same as " +
			"--normalization window --norm-range low,high."),
		new Option("epochs", "50", "Epochs."),
		new Option("steps", "50", "Steps per epoch."),
		new Option("batch", null, "Patches per step (default: 8 in 2D, 2 in 3D)."),
		new Option("patch", null, "Patch size, one value or x,y[,z] (default: 128 in 2D, 64 in 3D)."),
		new Option("lr", "1e-3", "Adam learning rate."),
		new Option("epsilon", "1e-7", "Adam epsilon."),
		new Option("weight-decay", "1e-4", "Decoupled weight decay (AdamW)."),
		new Option("schedule", "poly", "constant, poly or cosine."),
		new Option("loss", "dice_ce", "dice_ce, ce, weighted_ce, dice, focal, dice_focal (Dice + focal, AnatomyNet), " +
			"lovasz (Lovasz-softmax, Berman et al. 2018), dice_ce_boundary (+ boundary loss, Kervadec et al. 2019) or " +
			"dice_ce_hd (+ distance-transform Hausdorff loss, Karimi and Salcudean 2020); the last three need 3 or more classes."),
		new Option("boundary-weight", "auto", "Weight of the boundary term of dice_ce_boundary and dice_ce_hd, >= 0, auto " +
			"(scaled each step to the size of the Dice + CE term) or schedule (Kervadec's: 0.01, +0.01 per epoch, taken from the " +
			"Dice + CE term's weight down to 0.1)."),
		new Option("class-weights", null, "Weights per class for weighted_ce (default: inverse frequency)."),
		new Option("foreground", "0.333", "Share of foreground-centred patches."),
		new Option("no-augment", "false", "Switch augmentation off."),
		new Option("validation", "0.2", "Share held out when there is no validation folder."),
		new Option("label-classes", null, "CSV of the classes annotated in each image (columns image, classes with names separated " +
			"by ';'; OpenKBP's index.csv as it is) for partially labelled data: a class not listed is unknown there, not background."),
		new Option("spacing", "median", "Voxel spacing to train at: median (of the training images, as nnU-Net), none (each image " +
			"as it is) or x,y[,z] in the images' unit."),
		new Option("mirror", "true", "Let augmentation flip axes and turn by 90 degrees (true); false for anatomy with a left and a " +
			"right side; left-right flips only the patient's left-right axis (3D images with an orientation), swapping --paired-classes."),
		new Option("paired-classes", null, "With --mirror left-right: classes swapped by the flip, A:B comma-separated (e.g. " +
			"RightParotid:LeftParotid)."),
		new Option("max-hours", "0", "Wall-time budget in hours: no epoch starts that would end, with the tuning after training, after it; continue " +
			"with --resume. 0 = none."),
		new Option("patience", "15", "Epochs without improvement before stopping; 0 = never."),
		new Option("seed", "42", "Seed of weights, sampling, augmentation and dropout."),
		new Option("init", null, "Model folder to fine-tune from (weights with matching names and sizes)."),
		new Option("resume", "false", "Continue the training in --output from its last checkpoint."),
		new Option("threads", "0", "CPU threads; 0 = all cores."),
		new Option("device", "auto", "auto, cpu or gpu."),
		new Option("precision", "float32", "float32, or mixed (bfloat16 on AVX-512 CPUs, float16 on GPUs; measure first)."));

	/**
	 * Names accepted besides the canonical ones (the keys of Fiji parameters and macros before the
	 * names were unified), mapped to the canonical key. {@code augment} is the negation of
	 * {@code no-augment}; {@code dimensions} takes {@code 2D}/{@code 3D} as well as 2/3.
	 */
	public static final Map<String, String> ALIASES = Map.of("modelfolder", "model", "learningrate", "lr", "initmodel", "init",
		"dimensions", "dims", "augment", "noaugment", "folder", "model");

	/**
	 * Everything a segmentation needs besides its inputs.
	 *
	 * @param model the model folder
	 * @param engine device, threads and precision
	 * @param settings tiling and output settings
	 * @param overwrite recompute files whose outputs exist
	 */
	public record Segmentation(Path model, EngineOptions engine, SegmentationSettings settings, boolean overwrite) {}

	/**
	 * Parses an ImageJ-style option string: space-separated {@code key=value} pairs, a value with
	 * spaces in square brackets ({@code images=[/my data/images]}), a key alone meaning {@code true}
	 * (ImageJ's checkboxes).
	 *
	 * @param text e.g. {@code "tile=256 overlap=0.25 border=mirror probabilities"}; {@code null} or blank
	 *     for none
	 * @return the pairs with keys in lower case, in order
	 * @throws SegmentationException if a bracket is not closed
	 */
	public static Map<String, String> parse(String text) {
		Map<String, String> out = new LinkedHashMap<>();
		if (text == null) return out;
		int i = 0, n = text.length();
		while (i < n) {
			while (i < n && Character.isWhitespace(text.charAt(i))) i++;
			if (i >= n) break;
			int start = i;
			while (i < n && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '=') i++;
			String key = text.substring(start, i).toLowerCase(Locale.ROOT);
			String value = "true";
			if (i < n && text.charAt(i) == '=') {
				i++;
				if (i < n && text.charAt(i) == '[') {
					int close = text.indexOf(']', i);
					if (close < 0) throw new SegmentationException("Option " + key + " opens '[' without ']' in \"" + text +
						"\". Fix: close the bracket.");
					value = text.substring(i + 1, close);
					i = close + 1;
				}
				else {
					int s = i;
					while (i < n && !Character.isWhitespace(text.charAt(i))) i++;
					value = text.substring(s, i);
				}
			}
			out.put(key, value);
		}
		return out;
	}

	/**
	 * Builds a segmentation's settings from options (canonical names, keys or aliases). The model is not
	 * loaded here: a folder that does not exist is reported when it is opened.
	 *
	 * @param given the options given; the rest take their defaults
	 * @return the records
	 * @throws SegmentationException naming the option whose value is wrong or unknown, with the fix
	 */
	public static Segmentation segmentation(Map<String, String> given) {
		OptionValues v = new OptionValues(given, SEGMENT, "segmentation");
		String model = v.text("model");
		if (model == null) throw new SegmentationException("No model given. Fix: give model=<model folder or name> (CLI: --model).");
		SegmentationSettings settings;
		try {
			SegmentationSettings.Objects objects = new SegmentationSettings.Objects(v.numberOrModel("prob-threshold"),
				v.numberOrModel("seed-threshold"), (int) (Double.isNaN(v.numberOrModel("min-size")) ? -1 : v.integer("min-size")),
				v.number("diameter"), rois(v.text("rois")), v.bool("measure"), v.number("stitch-threshold"));
			settings = new SegmentationSettings(v.sizes("tile"), v.sizes("halo"), v.number("overlap"), v.integer("batch"),
				v.number("threshold"), v.bool("probabilities"), Border.parse(v.text("border")), rgb(v.text("rgb")), objects,
				v.text("channels").equalsIgnoreCase("all") ? null : Arrays.stream(v.numbers("channels")).mapToInt(d -> {
					if (d != Math.rint(d)) throw new IllegalArgumentException("channels must be whole numbers (1-based), got " + v.text("channels"));
					return (int) d;
				}).toArray(), new SegmentationSettings.Geometry(v.text("orientation"), v.bool("resample")), v.text("postprocess"),
				SegmentationSettings.Stream.parse(v.text("stream")), v.bool("tta"));
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException("Invalid segmentation option: " + e.getMessage() + ". Fix: see the option's help.", e);
		}
		Path known = ModelCatalog.models().get(model); // a name from the models folders, else a folder path
		return new Segmentation(known != null ? known : Path.of(model), engine(v), settings, v.bool("overwrite"));
	}

	/**
	 * Builds a training request from options (canonical names, keys or aliases).
	 *
	 * @param given the options given; the rest take their defaults
	 * @return the request
	 * @throws SegmentationException naming the option whose value is wrong, missing or unknown, with the fix
	 */
	public static TrainingRequest training(Map<String, String> given) {
		OptionValues v = new OptionValues(given, TRAIN, "training");
		for (String required : List.of("images", "labels", "output"))
			if (v.text(required) == null) throw new SegmentationException("No " + required + " folder given. Fix: give " + required +
				"=<folder> (CLI: --" + required + ").");
		try {
			String dimsText = v.text("dims").toUpperCase(Locale.ROOT).replace("D", "");
			int dims = Integer.parseInt(dimsText);
			boolean instances = switch (v.text("task").toLowerCase(Locale.ROOT)) {
				case "instances" -> true;
				case "semantic" -> false;
				default -> throw new IllegalArgumentException("task must be semantic or instances, got '" + v.text("task") + "'");
			};
			List<String> classes = Arrays.stream(v.text("classes").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
			if (instances) classes = InstanceTargets.classNames(v.text("instance-target"));
			UNetConfig arch = new UNetConfig(dims, v.integer("channels"), classes.size() == 2 ? 1 : classes.size(), v.integer("depth"),
				v.integer("filters"), v.bool("batch-norm"), v.number("dropout"));
			TrainingConfig d = TrainingConfig.defaults(dims);
			long[] patch = v.sizes("patch");
			if (patch == null) patch = d.patchSize();
			else if (patch.length == 1) {
				long p = patch[0];
				patch = new long[dims];
				Arrays.fill(patch, p);
			}
			int batch = v.text("batch") == null ? 0 : v.integer("batch"); // 0 (Fiji's "default") or absent: the default
			TrainingConfig cfg = new TrainingConfig(v.integer("epochs"), v.integer("steps"), batch > 0 ? batch : d.batchSize(), patch,
				v.number("lr"), v.number("epsilon"), v.number("weight-decay"), v.text("schedule"), v.text("loss"), v.numbers("class-weights"),
				v.number("foreground"), !v.bool("no-augment"), v.number("validation"), v.integer("patience"), v.integer("seed"),
				"auto".equalsIgnoreCase(v.text("boundary-weight")) ? Double.NaN : "schedule".equalsIgnoreCase(v.text("boundary-weight"))
					? TrainingConfig.BOUNDARY_SCHEDULE : v.number("boundary-weight"));
			double[] window = v.numbers("window");
			Normalization.Method m = window != null ? Normalization.Method.WINDOW
				: Normalization.Method.valueOf(v.text("normalization").toUpperCase(Locale.ROOT));
			double[] range = window != null ? window : v.numbers("norm-range");
			if (range != null && range.length != 2) throw new IllegalArgumentException((window != null ? "--window" : "--norm-range") +
				" needs two values low,high, got " + range.length);
			if (m == Normalization.Method.WINDOW && range == null)
				throw new IllegalArgumentException("normalization window needs --window low,high (e.g. -160,240 for soft tissue in HU)");
			double lo = range != null ? range[0] : m == Normalization.Method.PERCENTILE ? 1 : 0;
			double hi = range != null ? range[1] : m == Normalization.Method.PERCENTILE ? 99.8 : 1;
			Normalization normalization = m == Normalization.Method.CT ? Normalization.ctFromTrainingSet() : new Normalization(m, lo, hi);
			String spacingText = v.text("spacing").trim().toLowerCase(Locale.ROOT);
			double[] spacing = switch (spacingText) {
				case "median" -> null;
				case "none" -> new double[0];
				default -> v.numbers("spacing");
			};
			boolean leftRight = "left-right".equalsIgnoreCase(String.valueOf(v.text("mirror")).trim());
			if (!leftRight && v.text("paired-classes") != null)
				throw new IllegalArgumentException("paired-classes is for --mirror left-right, got --mirror " + v.text("mirror"));
			double maxHours = v.number("max-hours");
			if (!(maxHours >= 0)) throw new IllegalArgumentException("max-hours must be >= 0, got " + maxHours);
			Path output = Path.of(v.text("output"));
			return new TrainingRequest(Path.of(v.text("images")), Path.of(v.text("labels")), v.path("validation-images"),
				v.path("validation-labels"), output, v.text("name") != null ? v.text("name") : output.getFileName().toString(), arch,
				classes, normalization, cfg, v.path("init"), v.bool("resume"), engine(v), instances, v.path("label-classes"), spacing,
				!leftRight && v.bool("mirror"), maxHours, leftRight ? LeftRightMirroring.parse(v.text("paired-classes")) : null);
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException("Invalid training option: " + e.getMessage() + ". Fix: see the option's help.", e);
		}
	}

	/** {@code rois}: true/false, or Fiji's output choice ("label image", "ROI Manager", "both"). */
	private static boolean rois(String choice) {
		return switch (choice.toLowerCase(Locale.ROOT)) {
			case "true", "yes", "1", "roi manager", "both" -> true;
			case "false", "no", "0", "label image" -> false;
			default -> throw new IllegalArgumentException("rois must be true or false (Fiji: label image, ROI Manager or both), got '" +
				choice + "'");
		};
	}

	private static boolean rgb(String choice) {
		return switch (choice.toLowerCase(Locale.ROOT)) {
			case "luminance" -> true;
			case "refuse" -> false;
			default -> throw new IllegalArgumentException("rgb must be refuse or luminance, got '" + choice + "'");
		};
	}

	private static EngineOptions engine(OptionValues v) {
		try {
			return new EngineOptions(Device.parse(v.text("device")), v.integer("threads"), Precision.parse(v.text("precision")));
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException("Invalid engine option: " + e.getMessage() + ". Fix: device auto|cpu|gpu, precision " +
				"float32|mixed, threads >= 0.", e);
		}
	}
}
