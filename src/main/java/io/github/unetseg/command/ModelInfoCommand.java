package io.github.unetseg.command;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;

/**
 * {@code Plugins > Segmentation > U-Net > Model Info...}: shows what a model expects and what it was
 * trained on: a {@link ResultsTable} of its {@code model.json} fields (classes, channels, spacing, tile,
 * halo, normalisation, architecture, receptive field, provenance) and its training history plot
 * ({@code history.png}) when the folder has one.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Segmentation>U-Net>Model Info...", headless = true)
public class ModelInfoCommand extends DynamicCommand {

	@Parameter(label = "Model", initializer = "listModels", persist = false)
	private String model = ModelChoices.OTHER;

	@Parameter(label = "Model folder", style = "directory", required = false)
	private File modelFolder;

	@Parameter(type = ItemIO.OUTPUT, label = "Model info")
	private ResultsTable info;

	@Parameter(type = ItemIO.OUTPUT, label = "Training history", required = false)
	private ImagePlus history;

	/** Offers the catalog's models ({@link ModelChoices#offerModels}). */
	protected void listModels() {
		ModelChoices.offerModels(this, model);
	}

	@Override
	public void run() {
		try {
			ModelBundle b = ModelBundle.read(ModelChoices.resolve(model, modelFolder));
			ModelSpec s = b.spec();
			info = new ResultsTable();
			row("folder", b.directory().toString());
			row("name", s.name());
			row("description", s.description());
			row("dimensions", s.dimensions() + "D (" + s.axes() + ")");
			row("input channels", "" + s.inputChannels());
			row("classes", String.join(", ", s.classNames()) + " (" + s.output() + ")");
			row("trained spacing", Arrays.toString(s.spacing()) + " " + s.spacingUnit());
			row("normalization", s.normalization().toString());
			row("tile", Arrays.toString(s.tile()));
			row("halo", Arrays.toString(s.halo()));
			if (s.architecture() != null) {
				row("architecture", "U-Net depth " + s.architecture().depth() + ", " + s.architecture().baseFilters() + " base filters" +
					(s.architecture().batchNorm() ? ", batch norm" : ""));
				row("receptive field radius", s.architecture().receptiveFieldRadius() + " px");
			}
			if (s.provenance() != null) {
				row("created", s.provenance().created());
				row("software", s.provenance().software());
				row("training data", s.provenance().trainingData());
				row("notes", s.provenance().notes());
			}
			Path png = b.directory().resolve("history.png");
			if (Files.isRegularFile(png)) history = IJ.openImage(png.toString());
			MacroOutputs.showHeadless(history);
			if (!java.awt.GraphicsEnvironment.isHeadless()) {
				info.show("U-Net model " + s.name());
				if (history != null) history.show();
			}
		}
		catch (SegmentationException e) {
			cancel(e.getMessage());
		}
	}

	private void row(String field, String value) {
		info.incrementCounter();
		info.addValue("Field", field);
		info.addValue("Value", value);
	}
}
