package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.measure.ResultsTable;
import io.github.unetseg.model.ModelBundle;

/** Train Model... in a headless SciJava context on the real MRI slices, as a macro would call it. */
class TrainModelCommandTest {

	@TempDir
	Path dir;

	@Test
	void trainsAModelFolderFromTwoFolders() throws Exception {
		Path images = dir.resolve("images"), labels = dir.resolve("labels");
		Files.createDirectories(images);
		Files.createDirectories(labels);
		for (String z : new String[] { "z70", "z90" }) {
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + ".tif"), images.resolve(z + ".tif"));
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + "-brainmask.tif"), labels.resolve(z + ".tif"));
		}
		try (Context context = new Context()) {
			Map<String, Object> in = new HashMap<>();
			in.put("images", images.toFile());
			in.put("labels", labels.toFile());
			in.put("output", dir.resolve("model").toFile());
			in.put("dimensions", "2D");
			in.put("classes", "background,brain");
			in.put("depth", 2);
			in.put("filters", 4);
			in.put("epochs", 2);
			in.put("steps", 3);
			in.put("batch", 2);
			in.put("patch", 64);
			in.put("device", "cpu");
			Module m = context.service(CommandService.class).run(TrainModelCommand.class, true, in).get();
			TrainModelCommand cmd = (TrainModelCommand) m.getDelegateObject();
			assertFalse(cmd.isCanceled(), String.valueOf(cmd.getCancelReason()));
			assertEquals("[Plugins, Segmentation, U-Net, Train Model...]",
				context.service(CommandService.class).getCommand(TrainModelCommand.class).getMenuPath().toString());
			ModelBundle b = ModelBundle.read(Path.of((String) m.getOutput("model")));
			assertEquals("model", b.spec().name());
			assertEquals("mm", b.spec().spacingUnit());
			ResultsTable h = (ResultsTable) m.getOutput("history");
			assertEquals(2, h.size());
			assertTrue(h.getValue("mean validation Dice", 1) >= 0);
		}
	}
}
