package io.github.unetseg.bioimageio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.ModelDescription.Axis;
import io.github.unetseg.bioimageio.ModelDescription.FileRef;
import io.github.unetseg.bioimageio.ModelDescription.Step;
import io.github.unetseg.bioimageio.ModelDescription.Tensor;

/**
 * Reads bioimage.io model packages: a folder with {@code bioimageio.yaml}, {@code rdf.yaml} or one
 * {@code *.bioimageio.yaml}, such a file itself, or the package's zip (unpacked once into a cache
 * folder named by the zip's SHA-256). Descriptions of format 0.4.x (axes as letters, {@code shape} with
 * {@code min}/{@code step} or {@code reference_tensor}) and 0.5.x (axes as objects) are read into one
 * {@link ModelDescription}; every package file the description lists with a SHA-256 (test tensors,
 * weights) is checked against it, and a mismatch names the file and the field.
 *
 * <p>Specification: <a href="https://github.com/bioimage-io/spec-bioimage-io">spec-bioimage-io</a>
 * ({@code bioimageio/spec/model/v0_4.py}, {@code v0_5.py}). YAML 1.2 through snakeyaml-engine.
 */
public final class Descriptions {

	private Descriptions() {}

	/**
	 * @param location a package folder, its description file, or its zip
	 * @return the description
	 * @throws SegmentationException naming the file, the field and the fix for a missing or unreadable
	 *     description, a format version other than 0.4.x/0.5.x, a type other than {@code model}, a
	 *     missing package file or a SHA-256 mismatch
	 */
	public static ModelDescription read(Path location) {
		Path file = descriptionFile(Files.isRegularFile(location) && location.getFileName().toString().toLowerCase().endsWith(".zip")
			? unpack(location, null) : location);
		Map<String, Object> rdf;
		try {
			Object doc = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file, StandardCharsets.UTF_8));
			if (!(doc instanceof Map<?, ?>)) throw new SegmentationException(file + " is not a YAML mapping. Fix: give a bioimage.io model description.");
			rdf = map(doc);
		}
		catch (IOException | RuntimeException e) {
			if (e instanceof SegmentationException s) throw s;
			throw new SegmentationException("Cannot read " + file + ": " + e.getMessage() + ". Fix: give a valid bioimage.io description " +
				"(YAML).", e);
		}
		if (!"model".equals(String.valueOf(rdf.get("type"))))
			throw new SegmentationException(file + ": type is " + rdf.get("type") + ", not model. Fix: give a model package.");
		String version = String.valueOf(rdf.get("format_version"));
		boolean v05 = version.startsWith("0.5."), v04 = version.startsWith("0.4.");
		if (!v04 && !v05)
			throw new SegmentationException(file + ": format_version " + version + " is not read (0.4.x and 0.5.x are). Fix: convert the " +
				"description with bioimageio.spec's update_format.");
		Path root = file.toAbsolutePath().getParent();
		List<Tensor> inputs = new ArrayList<>(), outputs = new ArrayList<>();
		for (Object t : list(rdf, "inputs", file)) inputs.add(v05 ? tensor05(map(t), "preprocessing", file) : tensor04(map(t), "preprocessing", file,
			rdf, "test_inputs", inputs.size()));
		for (Object t : list(rdf, "outputs", file)) outputs.add(v05 ? tensor05(map(t), "postprocessing", file) : tensor04(map(t),
			"postprocessing", file, rdf, "test_outputs", outputs.size()));
		Map<String, FileRef> weights = new LinkedHashMap<>();
		Object w = rdf.get("weights");
		if (!(w instanceof Map<?, ?>) || ((Map<?, ?>) w).isEmpty())
			throw new SegmentationException(file + ": no weights. Fix: the description needs a weights entry.");
		for (Map.Entry<String, Object> e : map(w).entrySet()) {
			Map<String, Object> entry = map(e.getValue());
			weights.put(e.getKey(), new FileRef(String.valueOf(entry.get("source")), (String) entry.get("sha256")));
		}
		ModelDescription d = new ModelDescription(root, String.valueOf(rdf.get("name")), version, List.copyOf(inputs), List.copyOf(outputs),
			weights, rdf.get("config") instanceof Map<?, ?> c ? map(c) : Map.of());
		for (Tensor t : inputs) if (t.testTensor() != null) verify(d, t.testTensor(), "inputs." + t.id() + ".test_tensor");
		for (Tensor t : outputs) if (t.testTensor() != null) verify(d, t.testTensor(), "outputs." + t.id() + ".test_tensor");
		for (Map.Entry<String, FileRef> e : weights.entrySet())
			if (!e.getValue().remote()) verify(d, e.getValue(), "weights." + e.getKey() + ".source");
		return d;
	}

	/**
	 * A package file, checked against the SHA-256 its description gives.
	 *
	 * @param d the description
	 * @param ref the file
	 * @param field where the description names it, for messages (e.g. {@code weights.onnx.source})
	 * @return the file's path
	 * @throws SegmentationException if it is remote, missing, or its SHA-256 differs
	 */
	public static Path verify(ModelDescription d, FileRef ref, String field) {
		if (ref.remote())
			throw new SegmentationException(field + " of " + d.name() + " is a URL (" + ref.source() + "); nothing is downloaded here. " +
				"Fix: download it into the package folder and give its file name.");
		Path p = d.root().resolve(ref.source()).normalize();
		if (!Files.isRegularFile(p))
			throw new SegmentationException(field + " names " + p + ", which does not exist. Fix: restore the package's files, or " +
				"download the package again.");
		if (ref.sha256() != null) {
			String actual = sha256(p);
			if (!actual.equalsIgnoreCase(ref.sha256()))
				throw new SegmentationException(p + " has SHA-256 " + actual + ", but " + field + " expects " + ref.sha256() + ". Fix: the " +
					"file is damaged or was changed; download the package again (or correct the sha256 if you changed the file).");
		}
		return p;
	}

 /**
	 * The package's weights in a format unetseg runs ({@link ModelDescription#runnableWeights()}).
	 *
	 * @param d the description
	 * @return the format, e.g. {@code onnx}
	 * @throws SegmentationException in one line naming the formats the package has, when none of them runs here
	 */
	public static String runnableWeights(ModelDescription d) {
		return d.runnableWeights().orElseThrow(() -> new SegmentationException(d.name() + " has weights " + d.weights().keySet() +
			"; unetseg runs " + ModelDescription.RUNNABLE + " weights in the package (not TorchScript, PyTorch or Keras). Fix: ask its " +
			"authors for ONNX weights, or convert them with bioimageio.core."));
	}

	/**
	 * The package's ONNX weights.
	 *
	 * @param d the description
	 * @return the checked weights file
	 * @throws SegmentationException in one line naming the formats the package has, when it has no ONNX
	 *     weights in the package
	 */
	public static Path onnxWeights(ModelDescription d) {
		FileRef onnx = d.weights().get("onnx");
		if (onnx == null || onnx.remote()) throw new SegmentationException(d.name() + " has no onnx weights in the package (it has " +
			d.weights().keySet() + "). Fix: give a package with onnx weights.");
		return verify(d, onnx, "weights.onnx.source");
	}

	/**
	 * The package's {@code tensorflow_saved_model_bundle} (a zip of {@code saved_model.pb} and
	 * {@code variables/}), checked and unpacked once into {@code java.io.tmpdir/unetseg-bioimageio/<sha256>}.
	 * Where the description keeps a unetseg {@code model.json} under {@code config.unetseg}, it is written
	 * beside the SavedModel, so the folder is a unetseg model folder.
	 *
	 * @param d the description
	 * @return the folder holding {@code saved_model.pb}
	 * @throws SegmentationException if the package has no such weights, the file is damaged, or the zip
	 *     holds no {@code saved_model.pb}
	 */
	public static Path savedModel(ModelDescription d) {
		FileRef ref = d.weights().get("tensorflow_saved_model_bundle");
		if (ref == null || ref.remote()) throw new SegmentationException(d.name() + " has no tensorflow_saved_model_bundle weights in the " +
			"package (it has " + d.weights().keySet() + "). Fix: give a package with them.");
		Path zip = verify(d, ref, "weights.tensorflow_saved_model_bundle.source");
		Object unetseg = d.config().get("unetseg");
		String modelJson = unetseg instanceof Map<?, ?> m ? new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(m) : null;
		Path dir = unpack(zip, modelJson);
		if (Files.isRegularFile(dir.resolve("saved_model.pb"))) return dir;
		try (Stream<Path> s = Files.list(dir)) {
			return s.filter(p -> Files.isRegularFile(p.resolve("saved_model.pb"))).findFirst().orElseThrow(() -> new SegmentationException(
				zip + " (weights.tensorflow_saved_model_bundle.source) holds no saved_model.pb. Fix: zip the SavedModel folder's contents."));
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot list " + dir + ": " + e.getMessage() + ".", e);
		}
	}

	/**
	 * @param file a file
	 * @return its SHA-256, lower-case hex
	 * @throws SegmentationException if it cannot be read
	 */
	public static String sha256(Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			MessageDigest md = MessageDigest.getInstance("SHA-256");
			byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;) md.update(buf, 0, n);
			return HexFormat.of().formatHex(md.digest());
		}
		catch (IOException | NoSuchAlgorithmException e) {
			throw new SegmentationException("Cannot read " + file + ": " + e.getMessage() + ".", e);
		}
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static Path descriptionFile(Path location) {
		if (Files.isRegularFile(location)) return location;
		if (!Files.isDirectory(location))
			throw new SegmentationException(location + " does not exist. Fix: give a bioimage.io package folder, its rdf.yaml or " +
				"bioimageio.yaml, or its zip.");
		for (String n : new String[] { "bioimageio.yaml", "rdf.yaml" }) if (Files.isRegularFile(location.resolve(n))) return location.resolve(n);
		try (Stream<Path> s = Files.list(location)) {
			List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(".bioimageio.yaml")).sorted().toList();
			if (found.size() == 1) return found.get(0);
			throw new SegmentationException(location + (found.isEmpty() ? " has no bioimageio.yaml, rdf.yaml or *.bioimageio.yaml"
				: " has several descriptions " + found) + ". Fix: give the description file itself.");
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot list " + location + ": " + e.getMessage() + ".", e);
		}
	}

	/**
	 * Unpacks a zip once into {@code java.io.tmpdir/unetseg-bioimageio/<sha256>} and returns that folder,
	 * with {@code model.json} (when not {@code null}) written into it.
	 */
	private static Path unpack(Path zip, String modelJson) {
		Path dir = Path.of(System.getProperty("java.io.tmpdir"), "unetseg-bioimageio", sha256(zip).substring(0, 16) +
			(modelJson == null ? "" : "-" + sha256(modelJson).substring(0, 8)));
		if (Files.isRegularFile(dir.resolve(".complete"))) return dir;
		try {
			Path tmp = Files.createTempDirectory(Files.createDirectories(dir.getParent()), ".unpack");
			try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
				for (ZipEntry e; (e = in.getNextEntry()) != null;) {
					Path to = tmp.resolve(e.getName()).normalize();
					if (!to.startsWith(tmp)) throw new SegmentationException(zip + " holds an entry outside its folder (" + e.getName() + "). " +
						"Fix: use a package made by bioimage.io tools.");
					if (e.isDirectory()) Files.createDirectories(to);
					else {
						Files.createDirectories(to.getParent());
						Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
					}
				}
			}
			if (modelJson != null) Files.writeString(tmp.resolve(io.github.unetseg.model.ModelBundle.MODEL_JSON), modelJson);
			Files.writeString(tmp.resolve(".complete"), zip.toString());
			if (Files.exists(dir)) io.github.unetseg.AtomicFiles.deleteTree(dir);
			Files.move(tmp, dir);
			return dir;
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot unpack " + zip + ": " + e.getMessage() + ". Fix: check the zip and free disk space in " +
				dir.getParent() + ".", e);
		}
	}

	private static Tensor tensor05(Map<String, Object> t, String stepsKey, Path file) {
		String id = String.valueOf(t.getOrDefault("id", "input"));
		List<Axis> axes = new ArrayList<>();
		for (Object o : list(t, "axes", file)) {
			Map<String, Object> a = map(o);
			String type = String.valueOf(a.get("type"));
			String aid = a.containsKey("id") ? String.valueOf(a.get("id")) : switch (type) {
				case "batch" -> "b";
				case "channel" -> "c";
				case "time" -> "t";
				case "index" -> "i";
				default -> "x";
			};
			int size = 0, min = 0, step = 0;
			String reference = null;
			Object s = a.get("size");
			if (s instanceof Number n) size = n.intValue();
			else if (s instanceof Map<?, ?> m) {
				Map<String, Object> sm = map(m);
				if (sm.containsKey("min")) {
					min = ((Number) sm.get("min")).intValue();
					step = ((Number) sm.getOrDefault("step", 0)).intValue();
				}
				else reference = sm.get("tensor_id") + "/" + sm.get("axis_id");
			}
			else if (type.equals("channel") && a.get("channel_names") instanceof List<?> names) size = names.size();
			double scale = a.get("scale") instanceof Number n ? n.doubleValue() : 1;
			int halo = a.get("halo") instanceof Number n ? n.intValue() : 0;
			axes.add(new Axis(aid, type, size, min, step, reference, 1, halo, scale, a.get("unit") == null ? null : String.valueOf(a.get("unit"))));
		}
		FileRef test = t.get("test_tensor") instanceof Map<?, ?> m ? new FileRef(String.valueOf(map(m).get("source")),
			(String) map(m).get("sha256")) : null;
		return new Tensor(id, List.copyOf(axes), test, steps(t, stepsKey, "id"));
	}

	private static Tensor tensor04(Map<String, Object> t, String stepsKey, Path file, Map<String, Object> rdf, String testKey, int index) {
		String id = String.valueOf(t.get("name"));
		String letters = String.valueOf(t.get("axes"));
		Object shape = t.get("shape");
		List<?> halo = t.get("halo") instanceof List<?> h ? h : null;
		List<Axis> axes = new ArrayList<>();
		for (int i = 0; i < letters.length(); i++) {
			String a = String.valueOf(letters.charAt(i));
			String type = switch (a) {
				case "b" -> "batch";
				case "c" -> "channel";
				case "t" -> "time";
				case "i" -> "index";
				default -> "space";
			};
			int size = 0, min = 0, step = 0;
			String reference = null;
			double scale = 1;
			if (shape instanceof List<?> fixed) size = ((Number) fixed.get(i)).intValue();
			else if (shape instanceof Map<?, ?> m) {
				Map<String, Object> sm = map(m);
				if (sm.containsKey("min")) {
					min = ((Number) ((List<?>) sm.get("min")).get(i)).intValue();
					step = ((Number) ((List<?>) sm.get("step")).get(i)).intValue();
					if (step == 0) {
						size = min;
						min = 0;
					}
				}
				else {
					reference = sm.get("reference_tensor") + "/" + a;
					scale = ((Number) ((List<?>) sm.get("scale")).get(i)).doubleValue();
				}
			}
			else throw new SegmentationException(file + ": tensor " + id + " has no shape. Fix: 0.4 descriptions need shape.");
			int h = halo == null ? 0 : ((Number) halo.get(i)).intValue();
			axes.add(new Axis(a, type, size, min, step, reference, scale, h, 1, null));
		}
		FileRef test = rdf.get(testKey) instanceof List<?> l && l.size() > index ? new FileRef(String.valueOf(l.get(index)), null) : null;
		return new Tensor(id, List.copyOf(axes), test, steps(t, stepsKey, "name"));
	}

	private static List<Step> steps(Map<String, Object> t, String key, String nameKey) {
		List<Step> steps = new ArrayList<>();
		if (t.get(key) instanceof List<?> l)
			for (Object o : l) {
				Map<String, Object> s = map(o);
				steps.add(new Step(String.valueOf(s.get(nameKey)), s.get("kwargs") instanceof Map<?, ?> k ? map(k) : Map.of()));
			}
		return List.copyOf(steps);
	}

	private static List<?> list(Map<String, Object> m, String key, Path file) {
		if (!(m.get(key) instanceof List<?> l) || l.isEmpty())
			throw new SegmentationException(file + ": " + key + " is missing or empty. Fix: the description needs it.");
		return l;
	}

	private static Map<String, Object> map(Object o) {
		Map<String, Object> out = new LinkedHashMap<>();
		if (o instanceof Map<?, ?> m) for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), e.getValue());
		return out;
	}
}
