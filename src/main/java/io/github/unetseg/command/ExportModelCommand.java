package io.github.unetseg.command;

import java.io.File;
import java.util.Arrays;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.PackageExporter;
import io.github.unetseg.facade.PackageTests;

/**
 * {@code Plugins > Segmentation > U-Net > Export Model...}: a model as a bioimage.io package
 * ({@link PackageExporter}, the same as {@code unetseg export --format bioimageio}), then tested with the
 * package's own test tensors ({@link PackageTests}). Macro example: {@code run("Export Model...",
 * "model=brain-mri-2d modelfolder=[] sample=/data/slice.tif output=/data/brain.zip authors=[A. Author]
 * license=CC-BY-4.0 tags=mri");}
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Export Model...", headless = true)
public class ExportModelCommand extends DynamicCommand {

	@Parameter(label = "Model", initializer = "listModels", persist = false, description = "A model found in the models folders, or \"" + ModelChoices.OTHER +
		"\" to use the model folder below")
	private String model = ModelChoices.OTHER;

	@Parameter(label = "Model folder", style = "directory", required = false)
	private File modelFolder;

	@Parameter(label = "Sample image", style = "open", description = "An image the model segments, at its spacing; its centre becomes the " +
		"package's test input")
	private File sample;

	@Parameter(label = "Package (.zip, or a new folder)", style = "save")
	private File output;

	@Parameter(label = "Authors (separated by ;)")
	private String authors = "";

	@Parameter(label = "Licence (SPDX)", description = "Licence of the weights, e.g. CC-BY-4.0, MIT")
	private String license = "CC-BY-4.0";

	@Parameter(label = "Tags (separated by ,)", required = false)
	private String tags = "";

	@Parameter(type = ItemIO.OUTPUT, label = "Test passed")
	private boolean passed;

	@Parameter(required = false)
	private LogService log;

	/** Offers the catalog's models ({@link ModelChoices#offerModels}). */
	protected void listModels() {
		ModelChoices.offerModels(this, model);
	}

	@Override
	public void run() {
		try {
			List<String> a = Arrays.stream(authors.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
			List<String> t = tags == null ? List.of() : Arrays.stream(tags.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
			PackageExporter.export(ModelChoices.resolve(model, modelFolder), sample.toPath(), output.toPath(), new PackageExporter.Options(a,
				license, t));
			PackageTests.Outcome o = PackageTests.run(output.toPath(), 0);
			passed = o.passed();
			if (log != null) log.info(output + ": bioimage.io package written, test-model " + (passed ? "passed" : "FAILED") + " (" +
				o.outputs().get(0).maxDifference() + " largest difference)");
		}
		catch (SegmentationException e) {
			if (log != null) log.error(e.getMessage());
			throw e;
		}
	}
}
