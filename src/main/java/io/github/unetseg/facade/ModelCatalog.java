package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.model.ModelBundle;

/**
 * Finds model folders for the model choices of the Fiji commands. A model folder is any folder with
 * {@code saved_model.pb} and {@code model.json}. Searched, in order: the folder named by the system
 * property {@code unetseg.models}, by the environment variable {@code UNETSEG_MODELS}, {@code models/}
 * in the working directory, and {@code models/} in ImageJ's folder (the {@code ij.dir} property Fiji
 * sets).
 */
public final class ModelCatalog {

	private ModelCatalog() {}

	/** @return the folders searched for models, existing or not, in order */
	public static List<Path> roots() {
		List<Path> roots = new ArrayList<>();
		String prop = System.getProperty("unetseg.models"), env = System.getenv("UNETSEG_MODELS");
		if (prop != null && !prop.isBlank()) roots.add(Path.of(prop));
		if (env != null && !env.isBlank()) roots.add(Path.of(env));
		roots.add(Path.of("models"));
		String ij = System.getProperty("ij.dir");
		if (ij != null && !ij.isBlank()) roots.add(Path.of(ij, "models"));
		return roots;
	}

	/** @return model folders by name (folder name), first found wins, in search order then by name */
	public static Map<String, Path> models() {
		Map<String, Path> m = new LinkedHashMap<>();
		for (Path root : roots()) {
			if (!Files.isDirectory(root)) continue;
			try (Stream<Path> s = Files.list(root)) {
				s.filter(p -> Files.isRegularFile(p.resolve("saved_model.pb")) && Files.isRegularFile(p.resolve(ModelBundle.MODEL_JSON)))
					.sorted().forEach(p -> m.putIfAbsent(p.getFileName().toString(), p.toAbsolutePath().normalize()));
			}
			catch (IOException e) {
				// an unreadable models folder offers no choices; the user can still give a path
			}
		}
		return m;
	}

	/**
	 * Resolves a model given by name (from {@link #models()}) or by path.
	 *
	 * @param nameOrPath a catalog name or a folder path
	 * @return the model folder
	 * @throws SegmentationException if it is neither
	 */
	public static Path resolve(String nameOrPath) {
		if (nameOrPath == null || nameOrPath.isBlank())
			throw new SegmentationException("No model chosen. Fix: choose a model or give the path of a model folder.");
		Path known = models().get(nameOrPath);
		if (known != null) return known;
		Path p = Path.of(nameOrPath);
		if (Files.isDirectory(p) || Engines.isPackage(p)) return p;
		throw new SegmentationException("Model " + nameOrPath + " is neither a model in " + roots() + " nor a folder. Fix: give " +
			"the path of a model folder, or put the model into one of those folders.");
	}
}
