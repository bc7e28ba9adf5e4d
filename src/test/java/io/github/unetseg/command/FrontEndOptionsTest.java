package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleItem;

import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Every option of {@code unetseg segment} and {@code unetseg train} is reachable from the Fiji commands
 * under the same name (without dashes, any case) or a documented alias, and the commands' model
 * lifecycle is the SciJava service's.
 */
class FrontEndOptionsTest {

	/** The option keys a command's parameters give, through the aliases. */
	static Set<String> keys(Context context, Class<? extends org.scijava.command.Command> command) {
		CommandInfo info = context.service(CommandService.class).getCommand(command);
		Set<String> keys = new TreeSet<>();
		for (ModuleItem<?> i : info.inputs()) {
			String k = i.getName().toLowerCase(Locale.ROOT);
			keys.add(Options.ALIASES.getOrDefault(k, k));
		}
		return keys;
	}

	static List<String> missing(List<Options.Option> options, Set<String> keys, String... notApplicable) {
		List<String> missing = new ArrayList<>();
		for (Options.Option o : options) if (!keys.contains(o.key()) && !List.of(notApplicable).contains(o.name())) missing.add(o.name());
		return missing;
	}

	@Test
	void fijiCommandsOfferEveryOptionOfTheCommandLine() {
		try (Context context = new Context()) {
			assertEquals(List.of(), missing(Options.SEGMENT, keys(context, SegmentFolderCommand.class)), "Segment Folder");
			// an open image has no outputs on disk to skip or overwrite, and is in memory
			assertEquals(List.of(), missing(Options.SEGMENT, keys(context, SegmentImageCommand.class), "overwrite", "stream"), "Segment Image");
			assertEquals(List.of(), missing(Options.TRAIN, keys(context, TrainModelCommand.class)), "Train Model");
		}
	}

	@Test
	void helpTextsNameEveryReadableFormat() {
		for (String format : List.of("TIFF", "OME-TIFF", "BigTIFF", "NIfTI", "NRRD", "MetaImage", "DICOM", "Bio-Formats"))
			assertTrue(ImageFiles.READABLE.contains(format), format);
	}

	@Test
	void theServiceKeepsOneModelOpenAndClosesItWithTheContext() {
		Context context = new Context();
		SegmenterService service = context.service(SegmenterService.class);
		EngineOptions cpu = new EngineOptions(Device.CPU, 0);
		Segmenter a = service.segmenter(Path.of("models/brain-mri-2d"), cpu);
		assertSame(a, service.segmenter(Path.of("models/../models/brain-mri-2d"), cpu), "the same model is not loaded twice");
		service.release();
		Segmenter b = service.segmenter(Path.of("models/brain-mri-2d"), cpu);
		assertNotSame(a, b);
		context.dispose();
		IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.segment(ImageFiles.read(Path.of(
			"test-images/mri-t1-axial-z90.tif")), SegmentationSettings.defaults(), ProgressListener.NONE, "z90"));
		assertTrue(e.getMessage().contains("closed"), e.getMessage());
	}
}
