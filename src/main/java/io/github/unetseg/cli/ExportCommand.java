package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.ModelCatalog;
import io.github.unetseg.facade.PackageExporter;
import io.github.unetseg.facade.PackageTests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unetseg export --format bioimageio}: a model folder as a bioimage.io package ({@link PackageExporter}), then tested. */
@Command(name = "export", mixinStandardHelpOptions = true,
	description = "Export a model as a bioimage.io package (format 0.5.7, TensorFlow SavedModel weights), then run test-model on it.")
final class ExportCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--format", defaultValue = "bioimageio", description = "Package format: bioimageio.")
	String format;

	@Option(names = "--model", required = true, description = "Model folder or name under models/.")
	String model;

	@Option(names = "--output", required = true, description = "The package: a .zip file, or a new folder.")
	Path output;

	@Option(names = "--sample", required = true, description = "An image the model segments, at its spacing; its centre becomes the " +
		"test input.")
	Path sample;

	@Option(names = "--author", required = true, split = ";", description = "Author names, separated by ';'.")
	List<String> authors;

	@Option(names = "--license", defaultValue = "CC-BY-4.0", description = "SPDX licence of the weights (default: ${DEFAULT-VALUE}).")
	String license;

	@Option(names = "--tags", split = ",", defaultValue = "", description = "Extra tags, separated by ','.")
	List<String> tags;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		try {
			if (!format.equalsIgnoreCase("bioimageio"))
				throw new SegmentationException("--format " + format + " is not written. Fix: give --format bioimageio.");
			Map<String, Object> d = PackageExporter.export(ModelCatalog.resolve(model), sample, output,
				new PackageExporter.Options(List.copyOf(authors), license, tags.stream().filter(t -> !t.isBlank()).toList()));
			out.println("wrote " + output + " (bioimage.io " + d.get("format_version") + ", " + d.get("name") + ")");
			PackageTests.Outcome o = PackageTests.run(output, 0);
			for (PackageTests.Comparison c : o.outputs())
				out.printf(java.util.Locale.ROOT, "test-model: output %s largest difference %.3g, %d of %d outside the tolerance: %s%n", c.tensor(),
					c.maxDifference(), c.failing(), c.elements(), c.passed() ? "passed" : "FAILED");
			out.flush();
			return o.passed() ? 0 : 1;
		}
		catch (SegmentationException e) {
			spec.commandLine().getErr().println("error: " + e.getMessage());
			return 1;
		}
	}
}
