package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.PackageTests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unetseg test-model}: a bioimage.io package's test inputs against its test outputs ({@link PackageTests}). */
@Command(name = "test-model", mixinStandardHelpOptions = true,
	description = "Run a bioimage.io package's test inputs and compare with its test outputs (exit 0 passed, 1 failed).")
final class TestModelCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--model", required = true, description = "bioimage.io package: folder, rdf.yaml/bioimageio.yaml, or zip.")
	Path model;

	@Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = all cores.")
	int threads;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		try {
			PackageTests.Outcome o = PackageTests.run(model, threads);
			for (PackageTests.Comparison c : o.outputs())
				out.printf(Locale.ROOT, "output %s: %d values, largest difference %.3g, %d outside |d| <= %.0e + %.0e |expected| " +
					"(at most %d allowed): %s%n", c.tensor(), c.elements(), c.maxDifference(), c.failing(), PackageTests.ABS, PackageTests.REL,
					c.allowed(), c.passed() ? "passed" : "FAILED");
			out.println((o.passed() ? "passed" : "failed") + " (" + o.weights() + " weights)");
			out.flush();
			return o.passed() ? 0 : 1;
		}
		catch (SegmentationException e) {
			spec.commandLine().getErr().println("error: " + e.getMessage());
			return 1;
		}
	}
}
