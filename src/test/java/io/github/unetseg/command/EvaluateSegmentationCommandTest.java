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
			assertEquals(-1, t.getColumnIndex("Frame"), "a single image has no Frame column");

			// time series, as unetseg evaluate scores a series file: frame 1 the pair above, frame 2 the truth against itself
			ImagePlus pred = series(a, b), truth = series(b, b);
			ResultsTable f = (ResultsTable) cs.run(EvaluateSegmentationCommand.class, true, Map.of("prediction", pred, "truth", truth, "classes",
				"", "tolerance", 2.0, "classNames", "brain-mri-2d")).get().getOutput("results");
			assertEquals(2, f.size());
			assertEquals(1, (int) f.getValue("Frame", 0));
			assertEquals(2, (int) f.getValue("Frame", 1));
			assertEquals(dice, f.getValue("dice", 0), 1e-12);
			assertEquals(1.0, f.getValue("dice", 1), 1e-12);
			assertEquals(0.0, f.getValue("hd95", 1), 1e-12);
		}
	}

	private static ImagePlus series(ImagePlus first, ImagePlus second) {
		ImagePlus imp = io.github.unetseg.testutil.Images.hyperstack("series", 1, 1, first.getProcessor().duplicate(), second.getProcessor()
			.duplicate());
		imp.setCalibration(first.getCalibration());
		return imp;
	}
}
