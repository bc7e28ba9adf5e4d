package io.github.unetseg.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;

/**
 * A model folder: a TensorFlow SavedModel ({@code saved_model.pb} and {@code variables/}) plus
 * {@code model.json} describing it ({@link ModelSpec}).
 *
 * <p>Reading checks the folder's files and every field of {@code model.json}; each problem ends in a
 * {@link SegmentationException} naming the file, the field and the fix. Whether the SavedModel's
 * signature matches the spec is checked when the graph is loaded ({@code TensorFlowModel}). Writing
 * {@code model.json} goes through a temporary file and an atomic move, so a crash never leaves a
 * half-written file.
 *
 * @param directory the model folder
 * @param spec the parsed {@code model.json}
 */
public record ModelBundle(Path directory, ModelSpec spec) {

	/** Name of the metadata file in a model folder. */
	public static final String MODEL_JSON = "model.json";

	private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

	/**
	 * Opens a model folder and validates it.
	 *
	 * @param directory folder holding {@code saved_model.pb}, {@code variables/} and {@code model.json}
	 * @return the bundle
	 * @throws SegmentationException if the folder, a file or a field is missing or invalid
	 */
	public static ModelBundle read(Path directory) {
		if (!Files.isDirectory(directory))
			throw new SegmentationException("Model folder " + directory + " does not exist or is not a folder. Fix: pass the folder " +
				"that holds saved_model.pb and model.json (see models/ for examples).");
		Path pb = directory.resolve("saved_model.pb");
		if (!Files.isRegularFile(pb))
			throw new SegmentationException("Model folder " + directory + " has no saved_model.pb, so it is not a TensorFlow " +
				"SavedModel. Fix: export the model with tf.saved_model.save (Python) or point to a folder made by unetseg.");
		if (!Files.isRegularFile(directory.resolve("variables").resolve("variables.index")))
			throw new SegmentationException("Model folder " + directory + " has no variables/variables.index: the SavedModel's " +
				"weights are missing. Fix: copy the whole model folder, including variables/.");
		Path json = directory.resolve(MODEL_JSON);
		if (!Files.isRegularFile(json))
			throw new SegmentationException("Model folder " + directory + " has no " + MODEL_JSON + ". Fix: add one describing " +
				"inputs, classes and normalisation (see README, 'model.json').");
		String text;
		try {
			text = Files.readString(json, StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + json + ": " + e.getMessage(), e);
		}
		return new ModelBundle(directory, parse(text, json.toString()));
	}

	/** @return path of {@code model.json} */
	public Path modelJson() {
		return directory.resolve(MODEL_JSON);
	}

	/**
	 * Parses {@code model.json} text.
	 *
	 * @param text the JSON
	 * @param source file name for error messages
	 * @return the spec
	 * @throws SegmentationException naming {@code source} and the bad field
	 */
	public static ModelSpec parse(String text, String source) {
		JsonObject o;
		try {
			JsonElement e = JsonParser.parseString(text);
			if (!e.isJsonObject()) throw new JsonParseException("the top level is not an object");
			o = e.getAsJsonObject();
		}
		catch (JsonParseException e) {
			throw new SegmentationException(source + " is not valid JSON (" + e.getMessage() + "). Fix: repair or regenerate it.", e);
		}
		Fields f = new Fields(o, source);
		int schema = f.integer("schemaVersion");
		if (schema != ModelSpec.SCHEMA_VERSION)
			throw f.error("schemaVersion", "is " + schema + " but this unetseg reads version " + ModelSpec.SCHEMA_VERSION,
				"update unetseg or re-export the model");
		int dims = f.integer("dimensions");
		String axes = f.string("axes", dims == 3 ? "bzyxc" : "byxc");
		if (!axes.equals(dims == 3 ? "bzyxc" : "byxc")) {
			if (axes.equals("byxc") || axes.equals("bzyxc"))
				throw f.error("dimensions", "is " + dims + " but axes \"" + axes + "\" is " + (axes.length() - 2) + "D",
					"make dimensions and axes agree with the network (2 with \"byxc\", 3 with \"bzyxc\")");
			throw f.error("axes", "is \"" + axes + "\"; only channels-last \"byxc\" (2D) and \"bzyxc\" (3D) are supported",
				"export the model with channels last");
		}
		JsonObject norm = f.object("normalization");
		Normalization normalization;
		Fields nf = new Fields(norm, source + " normalization");
		try {
			Normalization.Method m = Normalization.Method.valueOf(nf.string("method", null).toUpperCase(java.util.Locale.ROOT));
			normalization = new Normalization(m, nf.number("low", 0), nf.number("high", m == Normalization.Method.PERCENTILE ? 99.8 : 1),
				nf.number("mean", 0), nf.number("std", 1));
		}
		catch (IllegalArgumentException e) {
			throw f.error("normalization", e.getMessage(), "use method NONE, PERCENTILE (low/high percentiles), ZSCORE, FIXED or WINDOW (low/high), or CT (low/high/mean/std)");
		}
		UNetConfig arch = null;
		if (o.has("architecture") && !o.get("architecture").isJsonNull()) {
			Fields a = new Fields(f.object("architecture"), source + " architecture");
			try {
				arch = new UNetConfig(a.integer("dimensions"), a.integer("inputChannels"), a.integer("classes"), a.integer("depth"),
					a.integer("baseFilters"), a.bool("batchNorm", false), a.number("dropout", 0));
			}
			catch (IllegalArgumentException e) {
				throw f.error("architecture", e.getMessage(), "correct the architecture block or remove it for an external model");
			}
		}
		ModelSpec.Provenance prov = null;
		if (o.has("provenance") && o.get("provenance").isJsonObject()) {
			Fields p = new Fields(f.object("provenance"), source + " provenance");
			prov = new ModelSpec.Provenance(p.string("software", ""), p.string("created", ""), p.string("trainingData", ""),
				p.string("notes", ""));
		}
		ModelSpec.Instances instances = null;
		String task = f.string("task", "semantic");
		if (task.equals("instances")) {
			Fields i = new Fields(f.object("instances"), source + " instances");
			try {
				instances = new ModelSpec.Instances(i.number("probabilityThreshold", 0.5), i.number("seedThreshold", 0.5),
					(int) i.number("minSize", 0), i.number("objectDiameter", Double.NaN), i.string("target", "boundary"));
			}
			catch (IllegalArgumentException e) {
				throw f.error("instances", e.getMessage(), "correct the instances block");
			}
		}
		else if (!task.equals("semantic"))
			throw f.error("task", "is \"" + task + "\"", "write \"semantic\" or \"instances\"");
		ModelSpec.PostProcessing postprocessing = null;
		if (o.has("postprocessing") && !o.get("postprocessing").isJsonNull()) {
			Fields pp = new Fields(f.object("postprocessing"), source + " postprocessing");
			JsonElement only = f.object("postprocessing").get("largestComponentClasses");
			try {
				postprocessing = new ModelSpec.PostProcessing(pp.bool("largestComponent", false), pp.bool("fillHoles", false),
					only == null || only.isJsonNull() ? null : pp.strings("largestComponentClasses"));
			}
			catch (IllegalArgumentException e) {
				throw f.error("postprocessing", e.getMessage(), "correct the postprocessing block");
			}
		}
		try {
			return new ModelSpec(f.string("name", "unnamed"), f.string("description", ""), dims, f.integer("inputChannels"),
				f.strings("classNames"), f.string("output", null), f.bool("outputIsLogits", false),
				f.string("signature", "serving_default"), f.string("inputName", null), f.string("outputName", null), normalization,
				f.numbers("spacing"), f.string("spacingUnit", "pixel"), f.longs("tile"), f.longs("halo"), f.integer("alignment"), arch,
				prov, instances, o.has("orientation") && !o.get("orientation").isJsonNull() ? f.string("orientation", "") : null,
				postprocessing, o.has("trainedWithMirroring") && !o.get("trainedWithMirroring").isJsonNull()
					? f.bool("trainedWithMirroring", false) : null, o.has("mirroredLeftRight") && !o.get("mirroredLeftRight").isJsonNull()
					? LeftRightMirroring.parse(String.join(",", f.strings("mirroredLeftRight"))) : null);
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException(source + ": " + e.getMessage() + ". Fix: correct that field in model.json.", e);
		}
	}

	/**
	 * Serialises a spec to {@code model.json} text.
	 *
	 * @param spec the spec
	 * @return pretty-printed JSON
	 */
	public static String toJson(ModelSpec spec) {
		JsonObject o = new JsonObject();
		o.addProperty("schemaVersion", ModelSpec.SCHEMA_VERSION);
		o.addProperty("name", spec.name());
		o.addProperty("description", spec.description());
		o.addProperty("task", spec.task());
		o.addProperty("dimensions", spec.dimensions());
		o.addProperty("axes", spec.axes());
		o.addProperty("inputChannels", spec.inputChannels());
		JsonArray names = new JsonArray();
		spec.classNames().forEach(names::add);
		o.add("classNames", names);
		o.addProperty("output", spec.output());
		o.addProperty("outputIsLogits", spec.outputIsLogits());
		o.addProperty("signature", spec.signature());
		o.addProperty("inputName", spec.inputName());
		o.addProperty("outputName", spec.outputName());
		JsonObject n = new JsonObject();
		n.addProperty("method", spec.normalization().method().name());
		n.addProperty("low", spec.normalization().low());
		n.addProperty("high", spec.normalization().high());
		if (spec.normalization().method() == Normalization.Method.CT) {
			n.addProperty("mean", spec.normalization().mean());
			n.addProperty("std", spec.normalization().std());
		}
		o.add("normalization", n);
		o.add("spacing", GSON.toJsonTree(spec.spacing()));
		o.addProperty("spacingUnit", spec.spacingUnit());
		o.add("tile", GSON.toJsonTree(spec.tile()));
		o.add("halo", GSON.toJsonTree(spec.halo()));
		o.addProperty("alignment", spec.alignment());
		if (spec.architecture() != null) o.add("architecture", GSON.toJsonTree(spec.architecture()));
		if (spec.instances() != null) o.add("instances", GSON.toJsonTree(spec.instances()));
		if (spec.orientation() != null) o.addProperty("orientation", spec.orientation());
		if (spec.postprocessing() != null) o.add("postprocessing", GSON.toJsonTree(spec.postprocessing()));
		if (spec.mirrored() != null) o.addProperty("trainedWithMirroring", spec.mirrored());
		if (spec.leftRight() != null) o.add("mirroredLeftRight", GSON.toJsonTree(spec.leftRight().texts()));
		if (spec.provenance() != null) o.add("provenance", GSON.toJsonTree(spec.provenance()));
		return GSON.toJson(o) + "\n";
	}

	/**
	 * Writes {@code model.json} into a folder atomically (temporary file, then rename).
	 *
	 * @param directory existing model folder
	 * @param spec the spec to write
	 * @throws SegmentationException if the folder cannot be written
	 */
	public static void writeSpec(Path directory, ModelSpec spec) {
		AtomicFiles.writeString(directory.resolve(MODEL_JSON), toJson(spec));
	}

	/** Typed access to JSON fields with messages that name the file and the field. */
	private record Fields(JsonObject o, String source) {

		SegmentationException error(String field, String problem, String fix) {
			return new SegmentationException(source + ": field '" + field + "' " + problem + ". Fix: " + fix + ".");
		}

		private JsonElement get(String field) {
			JsonElement e = o.get(field);
			if (e == null || e.isJsonNull()) throw error(field, "is missing", "add it (see README, 'model.json')");
			return e;
		}

		int integer(String field) {
			JsonElement e = get(field);
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble()))
				throw error(field, "must be an integer, got " + e, "write a whole number");
			return e.getAsInt();
		}

		double number(String field, double fallback) {
			if (!o.has(field) || o.get(field).isJsonNull()) return fallback;
			JsonElement e = o.get(field);
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error(field, "must be a number, got " + e, "write a number");
			return e.getAsDouble();
		}

		boolean bool(String field, boolean fallback) {
			if (!o.has(field) || o.get(field).isJsonNull()) return fallback;
			JsonElement e = o.get(field);
			if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw error(field, "must be true or false, got " + e, "write true or false");
			return e.getAsBoolean();
		}

		String string(String field, String fallback) {
			if (fallback != null && (!o.has(field) || o.get(field).isJsonNull())) return fallback;
			JsonElement e = get(field);
			if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) throw error(field, "must be a string, got " + e, "quote it");
			return e.getAsString();
		}

		JsonObject object(String field) {
			JsonElement e = get(field);
			if (!e.isJsonObject()) throw error(field, "must be an object, got " + e, "write { ... }");
			return e.getAsJsonObject();
		}

		private JsonArray array(String field) {
			JsonElement e = get(field);
			if (!e.isJsonArray()) throw error(field, "must be an array, got " + e, "write [ ... ]");
			return e.getAsJsonArray();
		}

		List<String> strings(String field) {
			List<String> l = new ArrayList<>();
			for (JsonElement e : array(field)) {
				if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) throw error(field, "must hold strings, got " + e, "quote each name");
				l.add(e.getAsString());
			}
			return l;
		}

		double[] numbers(String field) {
			JsonArray a = array(field);
			double[] v = new double[a.size()];
			for (int i = 0; i < v.length; i++) {
				JsonElement e = a.get(i);
				if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error(field, "must hold numbers, got " + e, "write numbers");
				v[i] = e.getAsDouble();
			}
			return v;
		}

		long[] longs(String field) {
			double[] d = numbers(field);
			long[] v = new long[d.length];
			for (int i = 0; i < d.length; i++) {
				if (d[i] != Math.rint(d[i])) throw error(field, "must hold whole numbers, got " + d[i], "write whole pixel counts");
				v[i] = (long) d[i];
			}
			return v;
		}
	}
}
