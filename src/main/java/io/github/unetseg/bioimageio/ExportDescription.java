package io.github.unetseg.bioimageio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.ModelSpec;

/**
 * The bioimage.io model description (format {@value #FORMAT_VERSION}) of a unetseg model, as the nested
 * maps and lists that are written as {@code bioimageio.yaml} (and validated as JSON against the
 * specification's schema, {@code $defs/bioimageio__spec__model__v0_5__ModelDescr}).
 *
 * <p>Tensors keep unetseg's channels-last layout: input {@code [batch, (z,) y, x, channel]} with space
 * axes sized {@code min + k step} ({@code step} = the network's alignment, {@code min} the smallest such
 * size whose output survives cropping the halo), {@code scale}/{@code unit} from the model's voxel
 * spacing; the output has the same axes, sized by reference to the input's, with the model's halo, one
 * channel per class (softmax) or one foreground channel (sigmoid). Preprocessing is model.json's
 * normalisation as the specification's steps, which bioimageio.core computes as numpy does
 * ({@code np.percentile}, population standard deviation), so the numbers agree with unetseg's own:
 * <ul>
 * <li>{@code PERCENTILE} -&gt; {@code scale_range} per channel over the space axes,</li>
 * <li>{@code ZSCORE} -&gt; {@code zero_mean_unit_variance} per channel over the space axes,</li>
 * <li>{@code FIXED} -&gt; {@code scale_linear}; {@code WINDOW} -&gt; {@code clip} then {@code scale_linear},</li>
 * <li>{@code CT} -&gt; {@code clip} to the training set's foreground percentiles, then
 * {@code fixed_zero_mean_unit_variance} with its mean and standard deviation (inputs in HU).</li>
 * </ul>
 * Resampling to the model's spacing and reorientation have no counterpart in the specification: the axes'
 * {@code scale} states the spacing inputs must have. Specification:
 * <a href="https://github.com/bioimage-io/spec-bioimage-io">spec-bioimage-io</a>, {@code model/v0_5.py}.
 */
public final class ExportDescription {

	/** The model description format written, the schema's latest for models. */
	public static final String FORMAT_VERSION = "0.5.7";

	/**
	 * What the package holds besides the model, all paths relative to the package folder.
	 *
	 * @param authors author names, at least one
	 * @param license SPDX licence identifier of the weights, e.g. {@code CC-BY-4.0}
	 * @param tags extra tags (unetseg adds its own)
	 * @param documentation the README file
	 * @param cover the cover image
	 * @param testInput the test input ({@code .npy}) and its SHA-256
	 * @param testOutput the test output ({@code .npy}) and its SHA-256
	 * @param weights the zipped SavedModel and its SHA-256
	 * @param tensorflowVersion the TensorFlow version that wrote the SavedModel, e.g. {@code 2.18.0}
	 * @param attachments further files (training history) and their SHA-256
	 * @param timestamp ISO 8601 creation time
	 */
	public record Contents(List<String> authors, String license, List<String> tags, String documentation, String cover,
		ModelDescription.FileRef testInput, ModelDescription.FileRef testOutput, ModelDescription.FileRef weights, String tensorflowVersion,
		List<ModelDescription.FileRef> attachments, String timestamp) {}

	private ExportDescription() {}

	/**
	 * @param spec the model
	 * @param modelJson its {@code model.json} as a map, kept under {@code config.unetseg}
	 * @param c the package's other contents
	 * @return the description, keys in the specification's order
	 * @throws SegmentationException if the model's name is shorter than 5 characters (the schema's minimum)
	 */
	public static Map<String, Object> of(ModelSpec spec, Map<String, Object> modelJson, Contents c) {
		if (spec.name().length() < 5)
			throw new SegmentationException("model name '" + spec.name() + "' is shorter than bioimage.io's 5 characters. Fix: rename the model " +
				"(field 'name' in model.json).");
		Map<String, Object> d = new LinkedHashMap<>();
		d.put("format_version", FORMAT_VERSION);
		d.put("type", "model");
		d.put("name", spec.name());
		d.put("description", spec.description().length() > 1024 ? spec.description().substring(0, 1024) : spec.description());
		d.put("authors", c.authors().stream().map(a -> Map.of("name", a)).toList());
		d.put("cite", cite(spec));
		d.put("license", c.license());
		List<String> tags = new ArrayList<>(List.of("unetseg", "unet", "segmentation", spec.dimensions() + "d", "tensorflow"));
		if (spec.instances() != null) tags.add("instance-segmentation");
		for (String n : spec.classNames().subList(1, spec.classNames().size())) tags.add(n.toLowerCase(Locale.ROOT));
		for (String t : c.tags()) if (!tags.contains(t)) tags.add(t);
		d.put("tags", tags);
		d.put("documentation", c.documentation());
		d.put("covers", List.of(c.cover()));
		if (!c.attachments().isEmpty()) d.put("attachments", c.attachments().stream().map(ExportDescription::file).toList());
		d.put("timestamp", c.timestamp());
		d.put("inputs", List.of(input(spec, c)));
		d.put("outputs", List.of(output(spec, c)));
		d.put("weights", Map.of("tensorflow_saved_model_bundle", weights(c)));
		d.put("config", Map.of("unetseg", modelJson));
		return d;
	}

	private static List<Map<String, Object>> cite(ModelSpec spec) {
		List<Map<String, Object>> out = new ArrayList<>();
		out.add(Map.of("text", "Ronneberger O, Fischer P, Brox T. U-Net: Convolutional Networks for Biomedical Image Segmentation. MICCAI 2015.",
			"doi", "10.1007/978-3-319-24574-4_28"));
		if (spec.dimensions() == 3)
			out.add(Map.of("text", "Cicek O, Abdulkadir A, Lienkamp SS, Brox T, Ronneberger O. 3D U-Net: Learning Dense Volumetric Segmentation " +
				"from Sparse Annotation. MICCAI 2016.", "doi", "10.1007/978-3-319-46723-8_49"));
		return out;
	}

	/** The space axis ids in tensor order: {@code y, x} or {@code z, y, x}. */
	private static List<String> spaceIds(ModelSpec spec) {
		return spec.dimensions() == 3 ? List.of("z", "y", "x") : List.of("y", "x");
	}

	/** Index into {@code [x, y, z]} arrays of a space axis id. */
	private static int xyz(String id) {
		return "xyz".indexOf(id);
	}

	/**
	 * The smallest input size {@code k * alignment} whose output keeps at least one {@code alignment}
	 * step after cropping {@code 2 * halo}.
	 *
	 * @param alignment the network's grid
	 * @param halo the halo along the axis, in pixels
	 * @return the size in pixels
	 */
	public static int minimumSize(int alignment, long halo) {
		long min = alignment;
		while (min - 2 * halo < alignment) min += alignment;
		return Math.toIntExact(min);
	}

	private static Map<String, Object> input(ModelSpec spec, Contents c) {
		List<Map<String, Object>> axes = new ArrayList<>();
		axes.add(Map.of("type", "batch"));
		for (String id : spaceIds(spec)) {
			Map<String, Object> a = space(spec, id);
			a.put("size", Map.of("min", minimumSize(spec.alignment(), spec.halo()[xyz(id)]), "step", spec.alignment()));
			axes.add(a);
		}
		List<String> channels = new ArrayList<>();
		for (int i = 0; i < spec.inputChannels(); i++) channels.add("channel" + i);
		axes.add(Map.of("type", "channel", "channel_names", channels));
		Map<String, Object> t = new LinkedHashMap<>();
		t.put("id", spec.inputName());
		t.put("description", "raw intensities" + (spec.normalization().method() == Normalization.Method.CT ? " in Hounsfield units" : "") +
			(spec.spacingUnit().equals("pixel") ? "" : ", at the voxel spacing given by the space axes' scale"));
		t.put("axes", axes);
		t.put("test_tensor", file(c.testInput()));
		t.put("data", Map.of("type", "float32"));
		t.put("preprocessing", preprocessing(spec));
		return t;
	}

	private static Map<String, Object> output(ModelSpec spec, Contents c) {
		List<Map<String, Object>> axes = new ArrayList<>();
		axes.add(Map.of("type", "batch"));
		for (String id : spaceIds(spec)) {
			Map<String, Object> a = space(spec, id);
			a.put("size", Map.of("tensor_id", spec.inputName(), "axis_id", id));
			long halo = spec.halo()[xyz(id)];
			if (halo > 0) a.put("halo", halo);
			axes.add(a);
		}
		List<String> names = spec.output().equals("sigmoid") ? List.of(spec.classNames().get(1)) : spec.classNames();
		axes.add(Map.of("type", "channel", "channel_names", names.stream().map(ExportDescription::identifier).toList()));
		Map<String, Object> t = new LinkedHashMap<>();
		t.put("id", spec.outputName());
		t.put("description", spec.output().equals("sigmoid") ? "probability of " + spec.classNames().get(1) : "probability of each class (softmax)");
		t.put("axes", axes);
		t.put("test_tensor", file(c.testOutput()));
		t.put("data", Map.of("type", "float32", "range", List.of(0.0, 1.0)));
		if (spec.outputIsLogits())
			t.put("postprocessing", List.of(spec.output().equals("sigmoid") ? Map.of("id", "sigmoid") : Map.of("id", "softmax", "kwargs",
				Map.of("axis", "channel"))));
		return t;
	}

	/** A channel name as the specification's identifier (letters, digits, underscores). */
	private static String identifier(String name) {
		String s = name.replaceAll("[^A-Za-z0-9_]", "_");
		return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "c_" + s : s;
	}

	private static Map<String, Object> space(ModelSpec spec, String id) {
		Map<String, Object> a = new LinkedHashMap<>();
		a.put("type", "space");
		a.put("id", id);
		String unit = unit(spec.spacingUnit());
		if (unit != null) {
			a.put("unit", unit);
			a.put("scale", spec.spacing()[xyz(id)]);
		}
		return a;
	}

	/** The specification's unit name of a unetseg spacing unit, {@code null} for pixels or an unknown unit. */
	static String unit(String spacingUnit) {
		return switch (spacingUnit.toLowerCase(Locale.ROOT)) {
			case "mm", "millimeter", "millimetre" -> "millimeter";
			case "µm", "um", "micron", "micrometer", "micrometre" -> "micrometer";
			case "nm", "nanometer" -> "nanometer";
			case "cm", "centimeter" -> "centimeter";
			case "m", "meter" -> "meter";
			default -> null;
		};
	}

	/** model.json's normalisation as specification steps (numbers in the image's own units). */
	static List<Map<String, Object>> preprocessing(ModelSpec spec) {
		Normalization n = spec.normalization();
		List<Map<String, Object>> steps = new ArrayList<>();
		steps.add(step("ensure_dtype", Map.of("dtype", "float32")));
		List<String> space = spaceIds(spec);
		switch (n.method()) {
			case NONE -> {}
			case PERCENTILE -> steps.add(step("scale_range", Map.of("axes", space, "min_percentile", n.low(), "max_percentile", n.high(),
				"eps", 1e-6)));
			case ZSCORE -> steps.add(step("zero_mean_unit_variance", Map.of("axes", space, "eps", 1e-6)));
			case FIXED -> steps.add(linear(n.low(), n.high()));
			case WINDOW -> {
				steps.add(step("clip", Map.of("min", n.low(), "max", n.high())));
				steps.add(linear(n.low(), n.high()));
			}
			case CT -> {
				steps.add(step("clip", Map.of("min", n.low(), "max", n.high())));
				steps.add(step("fixed_zero_mean_unit_variance", Map.of("mean", n.mean(), "std", n.std())));
			}
		}
		return steps;
	}

	/** {@code (v - low) / (high - low)} as {@code scale_linear}. */
	private static Map<String, Object> linear(double low, double high) {
		return step("scale_linear", Map.of("gain", 1 / (high - low), "offset", -low / (high - low)));
	}

	private static Map<String, Object> step(String id, Map<String, Object> kwargs) {
		Map<String, Object> s = new LinkedHashMap<>();
		s.put("id", id);
		s.put("kwargs", new LinkedHashMap<>(kwargs));
		return s;
	}

	private static Map<String, Object> weights(Contents c) {
		Map<String, Object> w = file(c.weights());
		w.put("tensorflow_version", c.tensorflowVersion());
		return w;
	}

	private static Map<String, Object> file(ModelDescription.FileRef f) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("source", f.source());
		m.put("sha256", f.sha256());
		return m;
	}
}
