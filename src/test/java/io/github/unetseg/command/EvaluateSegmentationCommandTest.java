package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import io.github.unetseg.io.TiffIO;

class EvaluateSegmentationCommandTest {

	@Test
	void givesAResultsTablePerClassInCalibratedUnits() throws Exception {
		try (Context context = new Context()) {
			CommandService cs = context.service(CommandService.class);
			CommandInfo info = cs.getCommand(EvaluateSegmentationCommand.class);
			assertEquals("[Plugins, Segmentation, U-Net, Evaluate Segmentation...]", info.getMenuPath().toString());
			ImagePlus a = TiffIO.open(Path.of("test-images/mri-t1-axial-z90-brainmask.tif"));
			ImagePlus b = TiffIO.open(Path.of("test-images/mri-t1-axial-z70-brainmask.tif"));
			Module m = cs.run(EvaluateSegmentationCommand.class, true, Map.of("prediction", a, "truth", b, "classes", "",
				"tolerance", 2.0, "classNames", "brain-mri-2d")).get();
			ResultsTable t = (ResultsTable) m.getOutput("results");
			assertEquals(1, t.size());
			assertEquals(1, (int) t.getValue("Class", 0));
			double dice = t.getValue("dice", 0);
			assertTrue(dice > 0.7 && dice < 1, "two axial brain slices 20 mm apart overlap partly: " + dice);
			assertTrue(t.getValue("hausdorff", 0) >= t.getValue("hd95", 0));
			assertEquals("mm", t.getStringValue("Unit", 0));
			// class names from the model's model.json; volumes (areas of one slice) in the mL column's factor
			assertEquals("brain", t.getStringValue("Class name", 0));
			assertEquals(t.getValue("volume_truth", 0) / 1000, t.getValue("volume_truth_ml", 0), 1e-9);
		}
	}
}
