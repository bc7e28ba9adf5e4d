package io.github.unetseg.macro;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.ModelCatalog;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.tiling.ProgressListener;

/**
 * ImageJ 1 menu entry {@code Plugins > Segmentation > U-Net > Segment Image (ImageJ 1)...} for plain
 * ImageJ 1.54 without Fiji's SciJava layer: a dialog (model from the models folders or a folder, tile
 * size, halo, overlap, border, batch, threads, device, precision, threshold, probabilities: the options of
 * {@code unetseg segment}) that segments the current image with the facade's {@link Segmenter} and shows
 * the label image with its calibration and a label lookup table. Recordable, with one key per field,
 * named as the CLI's options: {@code run("Segment Image (ImageJ 1)...", "model=brain-mri-2d folder= tile=auto
 * halo=model overlap=0 border=same batch=0 threads=0 device=auto precision=float32 threshold=0.5");}
 * ({@code probabilities} adds the probability map).
 */
public class SegmentImagePlugin implements PlugIn {

	private static final String FOLDER = "other folder...";

	@Override
	public void run(String arg) {
		ImagePlus imp = IJ.getImage();
		if (imp == null) return;
		List<String> models = new ArrayList<>(ModelCatalog.models().keySet());
		models.add(FOLDER);
		GenericDialog gd = new GenericDialog("U-Net Segment Image");
		gd.addMessage("Image: " + imp.getTitle() + " (" + imp.getWidth() + " x " + imp.getHeight() +
			(imp.getNSlices() > 1 ? " x " + imp.getNSlices() : "") + ")");
		gd.addChoice("Model", models.toArray(new String[0]), models.get(0));
		gd.addDirectoryField("Folder (for other folder...)", "");
		gd.addStringField("Tile (pixels or auto)", "auto", 8);
		gd.addStringField("Halo (pixels or model)", "model", 8);
		gd.addNumericField("Overlap (0-0.9)", 0, 2);
		gd.addChoice("Border", new String[] { "same", "mirror" }, "same");
		gd.addNumericField("Batch (0 = automatic)", 0, 0);
		gd.addNumericField("Threads (0 = all cores)", 0, 0);
		gd.addChoice("Device", new String[] { "auto", "cpu", "gpu" }, "auto");
		gd.addChoice("Precision", new String[] { "float32", "mixed" }, "float32");
		gd.addCheckbox("Test-time augmentation (mirroring)", false);
		gd.addNumericField("Threshold (binary models)", 0.5, 2);
		gd.addCheckbox("Probabilities (also show them)", false);
		gd.addChoice("RGB image, 1-channel model", new String[] { "refuse", "luminance" }, "refuse");
		gd.addStringField("Channels (1-based, or all)", "all", 8);
		gd.addMessage("Instance models:");
		gd.addStringField("Probability threshold (0-1 or model)", "model", 8);
		gd.addStringField("Seed threshold (0-1 or model)", "model", 8);
		gd.addStringField("Minimum object size (pixels or model)", "model", 8);
		gd.addNumericField("Object diameter (pixels, 0 = model's scale)", 0, 1);
		gd.addNumericField("Link objects across planes (IoU, 0 = off)", 0, 2);
		gd.addStringField("Orientation (3D: auto, none or codes e.g. PLI)", "auto", 8);
		gd.addCheckbox("Resample to the model's spacing", true);
		gd.addChoice("Post-processing", new String[] { "model", "none", "largest", "holes", "largest,holes" }, "model");
		gd.addChoice("Output", new String[] { "label image", "ROI Manager", "both" }, "label image");
		gd.addCheckbox("Clear the ROI Manager first", false);
		gd.addCheckbox("Measure objects", false);
		gd.addHelp("https://github.com/unetseg/unetseg#readme");
		gd.showDialog();
		if (gd.wasCanceled()) return;
		Map<String, String> given = new LinkedHashMap<>();
		given.put("model", gd.getNextChoice());
		given.put("folder", gd.getNextString());
		given.put("tile", gd.getNextString());
		given.put("halo", gd.getNextString());
		given.put("overlap", "" + gd.getNextNumber());
		given.put("border", gd.getNextChoice());
		given.put("batch", "" + (int) gd.getNextNumber());
		given.put("threads", "" + (int) gd.getNextNumber());
		given.put("device", gd.getNextChoice());
		given.put("precision", gd.getNextChoice());
		given.put("tta", "" + gd.getNextBoolean());
		given.put("threshold", "" + gd.getNextNumber());
		given.put("probabilities", "" + gd.getNextBoolean());
		given.put("rgb", gd.getNextChoice());
		given.put("channels", gd.getNextString());
		given.put("probthreshold", gd.getNextString());
		given.put("seedthreshold", gd.getNextString());
		given.put("minsize", gd.getNextString());
		given.put("diameter", "" + gd.getNextNumber());
		given.put("stitchthreshold", "" + gd.getNextNumber());
		given.put("orientation", gd.getNextString());
		given.put("resample", "" + gd.getNextBoolean());
		given.put("postprocess", gd.getNextChoice());
		String output = gd.getNextChoice();
		given.put("rois", output);
		boolean clear = gd.getNextBoolean();
		boolean measure = gd.getNextBoolean();
		given.put("measure", "" + measure);
		try {
			Options.Segmentation o = Options.segmentation(given);
			ProgressListener p = (done, total, message) -> {
				IJ.showStatus("U-Net: " + message);
				IJ.showProgress((int) done, (int) Math.max(1, total));
			};
			Segmenter s = UnetsegMacros.models().get(o.model(), o.engine());
			java.nio.file.Path file = io.github.unetseg.command.FileBackedImages.fileToSegment(s, o.settings(), imp);
			if (file != null) { // a virtual stack of a file: segmented from the file, the results opened as virtual stacks
				io.github.unetseg.command.FileBackedImages.Result done = io.github.unetseg.command.FileBackedImages.segment(s, o.settings(), file,
					imp.getTitle(), p);
				done.file().result().warnings().forEach(w -> IJ.log("U-Net: " + w));
				IJ.log(done.message());
				if (done.file().result().instances())
					IJ.log(String.format(Locale.ROOT, "U-Net: %s: %d objects", imp.getTitle(), done.file().result().objectCount()));
				done.labels().show();
				if (done.probabilities() != null) done.probabilities().show();
				IJ.showStatus(String.format(Locale.ROOT, "U-Net: %s from its file in %.1f s on %s", imp.getTitle(), done.file().result().seconds(),
					done.file().result().device()));
				return;
			}
			io.github.unetseg.facade.ImagePlusSegmentation.Outcome r = io.github.unetseg.facade.ImagePlusSegmentation.segment(s,
				o.settings(), imp, measure, p);
			r.warnings().forEach(w -> IJ.log("U-Net: " + w));
			if (!r.instances() || !output.equals("ROI Manager")) r.labels().show();
			if (r.instances()) {
				if (o.settings().objects().rois())
					io.github.unetseg.io.ObjectOutputs.addRois(r.rois(), imp, output.equals("ROI Manager") ? imp : r.labels(), clear);
				if (r.table() != null) r.table().show("Objects of " + imp.getShortTitle());
				IJ.log(String.format(Locale.ROOT, "U-Net: %s: %d objects", imp.getTitle(), r.objects()));
			}
			if (r.probabilities() != null) r.probabilities().show();
			IJ.showStatus(String.format(Locale.ROOT, "U-Net: %s in %.1f s on %s", imp.getTitle(), r.seconds(), r.device()));
		}
		catch (SegmentationException | IllegalArgumentException e) {
			IJ.error("U-Net Segment Image", e.getMessage());
		}
		catch (java.util.concurrent.CancellationException e) {
			IJ.showStatus("U-Net: cancelled");
		}
	}
}
