package io.github.unetseg.testutil;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Jars built from compiled classes, as Maven's package phase would build them, for tests that start ImageJ or Fiji. */
public final class Jars {

	private Jars() {}

	/**
	 * @param classes a class folder (e.g. {@code target/classes}, with its resources such as plugins.config)
	 * @param jar the jar to write, every file of {@code classes} under its relative path
	 * @throws IOException if reading or writing fails
	 */
	public static void of(Path classes, Path jar) throws IOException {
		try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os); Stream<Path> s = Files.walk(classes)) {
			for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
				j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
				j.write(Files.readAllBytes(f));
				j.closeEntry();
			}
		}
	}
}
