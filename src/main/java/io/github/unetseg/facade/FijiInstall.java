package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;

/**
 * Assembles the folder to lay over {@code Fiji.app} (or to upload to an update site):
 * <ul>
 * <li>{@code jars/}: unetseg's jar and the dependencies Fiji lacks ({@link #FIJI_PROVIDES} are left out: Fiji
 * ships them with ImageJ2);</li>
 * <li>{@code lib/unetseg/}: the engine's jars ({@link #ENGINE}: TensorFlow Java 1.1.0, its native build,
 * JavaCPP, ndarray, protobuf-java 4), kept off Fiji's class path, where they would clash with another
 * plugin's TensorFlow 1.15 or protobuf 3; unetseg runs its engine in a child JVM with them
 * ({@code facade.ChildJvm}), or in Fiji's JVM when they are moved into {@code jars/};</li>
 * <li>{@code models/}: the models of the installation (each folder with a {@code model.json});</li>
 * <li>{@code macros/}: the example macros ({@code *.ijm}).</li>
 * </ul>
 * The native libraries stay inside their jars and unpack on first use into JavaCPP's cache
 * ({@code -Dorg.bytedeco.javacpp.cachedir}, default {@code ~/.javacpp/cache}) and, for ONNX Runtime, the
 * temporary folder ({@code java.io.tmpdir}). The folder is written under a temporary name and renamed into
 * place, so an interrupted run leaves no half folder.
 */
public final class FijiInstall {

	/** Artifact ids Fiji ships (ImageJ 1, ImgLib2, SciJava and their shared libraries), not copied. */
	public static final Set<String> FIJI_PROVIDES = Set.of("ij", "imglib2", "scijava-common", "parsington", "gson");

	/** Artifact ids of the engine, put into {@code lib/unetseg/}. */
	public static final Set<String> ENGINE = Set.of("tensorflow-core-api", "tensorflow-core-native", "javacpp", "ndarray", "protobuf-java");

	private FijiInstall() {}

	/**
	 * What was written.
	 *
	 * @param folder the install folder
	 * @param jars file names in {@code jars/}
	 * @param engine file names in {@code lib/unetseg/}
	 * @param models model folder names in {@code models/}
	 * @param macros file names in {@code macros/}
	 */
	public record Summary(Path folder, List<String> jars, List<String> engine, List<String> models, List<String> macros) {}

	/**
	 * @param unetsegJar unetseg's jar
	 * @param runtimeJars its run-time dependencies (any order; other files are ignored)
	 * @param models folder of model folders (may be {@code null})
	 * @param macros folder of {@code .ijm} macros (may be {@code null})
	 * @param output the folder to create; must not exist
	 * @return what was written, each list sorted
	 * @throws SegmentationException if {@code output} exists or cannot be written, or the jar is missing
	 */
	public static Summary assemble(Path unetsegJar, List<Path> runtimeJars, Path models, Path macros, Path output) {
		if (!Files.isRegularFile(unetsegJar))
			throw new SegmentationException("unetseg's jar " + unetsegJar + " does not exist. Fix: build it with mvn -B package -DskipTests.");
		if (Files.exists(output))
			throw new SegmentationException("--output " + output + " exists. Fix: give a new folder (it is laid over Fiji.app afterwards), " +
				"or delete the old one.");
		Path tmp = output.resolveSibling(output.getFileName() + ".tmp-" + ProcessHandle.current().pid());
		try {
			Files.createDirectories(tmp.resolve("jars"));
			Files.createDirectories(tmp.resolve("lib").resolve("unetseg"));
			List<String> jars = new ArrayList<>(), engine = new ArrayList<>(), modelNames = new ArrayList<>(), macroNames = new ArrayList<>();
			copy(unetsegJar, tmp.resolve("jars"), jars);
			for (Path j : runtimeJars) {
				String name = j.getFileName().toString();
				if (!name.endsWith(".jar") || !Files.isRegularFile(j)) continue;
				String id = artifactId(name);
				if (FIJI_PROVIDES.contains(id)) continue;
				if (ENGINE.contains(id)) copy(j, tmp.resolve("lib").resolve("unetseg"), engine);
				else copy(j, tmp.resolve("jars"), jars);
			}
			if (models != null && Files.isDirectory(models)) try (Stream<Path> s = Files.list(models)) {
				for (Path m : s.filter(p -> Files.isRegularFile(p.resolve("model.json"))).sorted().toList()) {
					copyTree(m, tmp.resolve("models").resolve(m.getFileName().toString()));
					modelNames.add(m.getFileName().toString());
				}
			}
			if (macros != null && Files.isDirectory(macros)) try (Stream<Path> s = Files.list(macros)) {
				for (Path m : s.filter(p -> p.toString().endsWith(".ijm")).sorted().toList()) {
					Files.createDirectories(tmp.resolve("macros"));
					copy(m, tmp.resolve("macros"), macroNames);
				}
			}
			Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
			jars.sort(null);
			engine.sort(null);
			return new Summary(output, jars, engine, modelNames, macroNames);
		}
		catch (IOException e) {
			try {
				AtomicFiles.deleteTree(tmp);
			}
			catch (IOException ignored) {
				// our own temporary folder
			}
			throw new SegmentationException("Cannot write the Fiji install folder " + output + ": " + e.getMessage() + ". Fix: check that " +
				"its parent folder is writable and has room.", e);
		}
	}

	/**
	 * @param jarName a Maven jar file name, {@code artifactId-version[-classifier].jar}
	 * @return the artifact id: the name up to the first {@code -} that is followed by a digit
	 */
	static String artifactId(String jarName) {
		String n = jarName.substring(0, jarName.length() - ".jar".length());
		for (int i = 0; i + 1 < n.length(); i++)
			if (n.charAt(i) == '-' && Character.isDigit(n.charAt(i + 1))) return n.substring(0, i).toLowerCase(Locale.ROOT);
		return n.toLowerCase(Locale.ROOT);
	}

	private static void copy(Path file, Path dir, List<String> names) throws IOException {
		Files.copy(file, dir.resolve(file.getFileName().toString()));
		names.add(file.getFileName().toString());
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> s = Files.walk(from)) {
			for (Path p : s.sorted().toList()) {
				Path t = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) Files.createDirectories(t);
				else Files.copy(p, t);
			}
		}
	}
}
