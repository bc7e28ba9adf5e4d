package io.github.unetseg.command;

import java.io.File;
import java.util.Locale;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.measure.ResultsTable;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.PackageTests;

/**
 * {@code Plugins > Segmentation > U-Net > Test Model...}: runs a bioimage.io package's test inputs and
 * compares the results with its test outputs by the specification's rule ({@link PackageTests}, the
 * same as {@code unetseg test-model}). Gives a table with one row per output and {@code passed}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Test Model...", headless = true)
public class TestModelCommand implements Command {

	@Parameter(label = "bioimage.io package (folder, rdf.yaml / bioimageio.yaml, or zip)", style = "both")
	private File model;

	@Parameter(label = "CPU threads (0 = all)", min = "0")
	private int threads = 0;

	@Parameter(type = ItemIO.OUTPUT, label = "Test results")
	private ResultsTable results;

	@Parameter(type = ItemIO.OUTPUT, label = "Passed")
	private boolean passed;

	@Parameter(required = false)
	private LogService log;

	@Override
	public void run() {
		try {
			PackageTests.Outcome o = PackageTests.run(model.toPath(), threads);
			results = new ResultsTable();
			for (PackageTests.Comparison c : o.outputs()) {
				results.incrementCounter();
				results.addValue("Output", c.tensor());
				results.addValue("Values", c.elements());
				results.addValue("Largest difference", c.maxDifference());
				results.addValue("Outside tolerance", c.failing());
				results.addValue("Allowed", c.allowed());
				results.addValue("Result", c.passed() ? "passed" : "failed");
			}
			passed = o.passed();
			String line = String.format(Locale.ROOT, "%s: %s (%s weights)", model, passed ? "passed" : "failed", o.weights());
			if (log != null) log.info(line);
			if (!java.awt.GraphicsEnvironment.isHeadless()) results.show("bioimage.io test of " + model.getName());
		}
		catch (SegmentationException e) {
			if (log != null) log.error(e.getMessage());
			throw e;
		}
	}
}
