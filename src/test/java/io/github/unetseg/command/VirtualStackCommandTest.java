package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.ImagePlus;
import ij.ImageStack;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.TiffIO;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.UNetExporter;
import net.imglib2.view.Views;

/**
 * Segment Image on a virtual stack (Fiji's File > Import > TIFF Virtual Stack): segmented from its file
 * without copying the planes, the labels and probabilities opened as virtual stacks, equal to segmenting the
 * same image in memory; an instance model's objects likewise.
 */
class VirtualStackCommandTest {

	@TempDir
	Path dir;

	static float[] pixels(ImagePlus imp) {
		ImageStack s = imp.getStack();
		int n = imp.getWidth() * imp.getHeight();
		float[] out = new float[n * s.getSize()];
		for (int i = 1; i <= s.getSize(); i++)
			System.arraycopy((float[]) s.getProcessor(i).convertToFloatProcessor().getPixels(), 0, out, (i - 1) * n, n);
		return out;
	}

	@Test
	void aVirtualStackIsSegmentedFromItsFileIntoVirtualStacks() throws Exception {
		Path tif = dir.resolve("crop.tif");
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		ImageFiles.write(new Volume<>(Views.zeroMin(Views.interval(SegmentImageCommandTest.castVolume(ch2).image(),
			new long[] { 40, 40, 50, 0 }, new long[] { 109, 119, 89, 0 })), ch2.calibration()), tif, 0);
		UNetConfig c = new UNetConfig(3, 1, 3, 2, 4, false, 0);
		Path model = UNetExporter.writeRandom(dir.resolve("m"), ModelSpec.forUNet("virtual", c, List.of("a", "b", "c"),
			Normalization.percentile(), new double[] { 1, 1, 1 }, "mm", new long[] { 64, 64, 64 }, new long[] { 23, 23, 23 }, null), 4)
			.directory();
		ImagePlus virtual = ij.plugin.FileInfoVirtualStack.openVirtual(tif.toString());
		assertTrue(virtual.getStack().isVirtual());
		assertEquals(tif, FileBackedImages.sourceFile(virtual));
		ImagePlus inMemory = TiffIO.open(tif);
		assertNull(FileBackedImages.sourceFile(inMemory), "an image in memory is segmented in memory");
		Map<String, Object> common = Map.of("model", "other folder", "modelFolder", model.toFile(), "tile", "64", "overlap", 0.25, "device",
			"cpu", "probabilities", true, "postprocess", "none");
		try (Context context = new Context()) {
			Map<String, Object> a = new java.util.HashMap<>(common), b = new java.util.HashMap<>(common);
			a.put("image", virtual);
			b.put("image", inMemory);
			Module fromFile = run(context, a), fromMemory = run(context, b);
			ImagePlus labels = (ImagePlus) fromFile.getOutput("labels"), probabilities = (ImagePlus) fromFile.getOutput("probabilityMap");
			assertTrue(labels.getStack().isVirtual() && probabilities.getStack().isVirtual(), "results open as virtual stacks");
			assertEquals("crop_labels", labels.getTitle());
			assertEquals(3, probabilities.getNChannels());
			assertEquals(40, labels.getNSlices());
			assertEquals(1.0, labels.getCalibration().pixelDepth, 1e-9);
			assertTrue(Files.isRegularFile(dir.resolve("crop_labels.nii")) && Files.isRegularFile(dir.resolve("crop_probabilities.nii")),
				"outputs written next to the file");
			ImagePlus memoryLabels = (ImagePlus) fromMemory.getOutput("labels");
			assertFalse(memoryLabels.getStack().isVirtual());
			assertArrayEquals(pixels(memoryLabels), pixels(labels));
			float[] p = pixels(probabilities), q = pixels((ImagePlus) fromMemory.getOutput("probabilityMap"));
			double max = 0;
			for (int i = 0; i < p.length; i++) max = Math.max(max, Math.abs(p[i] - q[i]));
			assertTrue(max <= 1e-6, "largest probability difference " + max);
			context.service(SegmenterService.class).release();
		}
	}

	@Test
	void anInstanceModelSegmentsAVirtualStackFromItsFile() throws Exception {
		Path tif = dir.resolve("nuclei.tif");
		ImageFiles.write(SegmentImageCommandTest.castVolume(ImageFiles.read(Path.of("test-images/nuclei/dsb2018-0287e7ee.png"))),
			tif, 0);
		ImagePlus virtual = ij.plugin.FileInfoVirtualStack.openVirtual(tif.toString());
		assertEquals(tif, FileBackedImages.sourceFile(virtual));
		// every input given: SciJava keeps a command's last values as the next run's defaults
		Map<String, Object> common = Map.of("model", "other folder", "modelFolder", Path.of("models/nuclei-fluo-2d").toFile(), "device", "cpu",
			"rois", "both", "tile", "auto", "halo", "model", "overlap", 0.0, "probabilities", false, "postprocess", "model", "border", "same");
		try (Context context = new Context()) {
			Map<String, Object> a = new java.util.HashMap<>(common), b = new java.util.HashMap<>(common);
			a.put("image", virtual);
			b.put("image", TiffIO.open(tif));
			b.put("clearRois", true);
			Module fromMemory = run(context, b), fromFile = run(context, a);
			int objects = (int) fromMemory.getOutput("objects");
			assertTrue(objects > 30, "objects " + objects);
			assertEquals(objects, (int) fromFile.getOutput("objects"), "the streamed objects are the in-memory ones");
			ImagePlus labels = (ImagePlus) fromFile.getOutput("labels");
			assertEquals("nuclei_labels", labels.getTitle());
			assertTrue(Files.isRegularFile(dir.resolve("nuclei_labels.btf")), "object ids written next to the file");
			assertArrayEquals(pixels((ImagePlus) fromMemory.getOutput("labels")), pixels(labels), "object ids, numbering included");
			context.service(SegmenterService.class).release();
		}
	}

	static Module run(Context context, Map<String, Object> inputs) throws Exception {
		return context.service(org.scijava.module.ModuleService.class).run(
			context.service(CommandService.class).getCommand(SegmentImageCommand.class), true, inputs).get();
	}
}
