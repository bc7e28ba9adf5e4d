package io.github.unetseg.cli;

import java.io.File;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.FijiInstall;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg install-fiji --output DIR}: writes the folder to lay over {@code Fiji.app}
 * ({@link FijiInstall}) from this installation: its jar, the jars of its manifest class path
 * ({@code target/lib/}), {@code models/} and {@code macros/} beside it.
 */
@Command(name = "install-fiji", mixinStandardHelpOptions = true,
	description = "Write the folder to copy into Fiji.app: jars/, lib/unetseg/ (TensorFlow Java), models/, macros/.")
final class InstallFijiCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--output", required = true, description = "New folder to write (then: cp -r DIR/. /path/to/Fiji.app/).")
	Path output;

	@Option(names = "--models", description = "Folder of model folders to include (default: models/ of this installation).")
	Path models;

	@Override
	public Integer call() throws Exception {
		PrintWriter out = spec.commandLine().getOut();
		try {
			Path jar;
			try {
				jar = Path.of(InstallFijiCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
			}
			catch (URISyntaxException e) {
				throw new SegmentationException("Cannot find unetseg's own jar: " + e.getMessage(), e);
			}
			if (!Files.isRegularFile(jar))
				throw new SegmentationException("unetseg runs from " + jar + ", not from its jar. Fix: build it with mvn -B package -DskipTests " +
					"and run bin/unetseg install-fiji.");
			List<Path> deps = new ArrayList<>();
			try (JarFile j = new JarFile(jar.toFile())) {
				String cp = j.getManifest() == null ? null : j.getManifest().getMainAttributes().getValue("Class-Path");
				if (cp != null) for (String e : cp.trim().split("\\s+")) deps.add(jar.resolveSibling(e.replace('/', File.separatorChar)));
			}
			Path home = jar.getParent().getParent();
			FijiInstall.Summary s = FijiInstall.assemble(jar, deps, models != null ? models : home.resolve("models"), home.resolve("macros"),
				output);
			out.println("jars/ " + String.join(" ", s.jars()));
			out.println("lib/unetseg/ " + String.join(" ", s.engine()));
			out.println("models/ " + String.join(" ", s.models()));
			out.println("macros/ " + String.join(" ", s.macros()));
			out.println("Fiji install folder: " + s.folder() + ". Copy it over Fiji.app: cp -r " + s.folder() + "/. /path/to/Fiji.app/");
			return 0;
		}
		catch (SegmentationException e) {
			spec.commandLine().getErr().println("error: " + e.getMessage());
			return 1;
		}
	}
}
