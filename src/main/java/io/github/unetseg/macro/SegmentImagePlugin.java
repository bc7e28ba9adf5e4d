package io.github.unetseg.macro;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.service.EngineProcess;
import io.github.unetseg.service.ModelCache;
import io.github.unetseg.service.ModelCatalog;
import io.github.unetseg.service.SegmentationService;
import io.github.unetseg.service.SegmentationSettings;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

/**
 * ImageJ 1 menu entry {@code Plugins > Segmentation > U-Net > Segment Image (ImageJ 1)...} for plain
 * ImageJ 1.54 without Fiji's SciJava layer: a dialog (model from the models folders or a folder, tile
 * size, overlap, device, threshold, probabilities) that segments the current image with
 * {@link SegmentationService} and shows the label image with its calibration and a label lookup table.
 * Recordable, with one key per field: {@code run("Segment Image (ImageJ 1)...", "model=brain-mri-2d folder=
 * tile=auto overlap=0 device=auto threshold=0.5");} ({@code probabilities} adds the probability map).
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
		gd.addNumericField("Overlap (0-0.9)", 0, 2);
		gd.addChoice("Device", new String[] { "auto", "cpu", "gpu" }, "auto");
		gd.addNumericField("Threshold (binary models)", 0.5, 2);
		gd.addCheckbox("Probabilities (also show them)", false);
		gd.addHelp("https://github.com/unetseg/unetseg#readme");
		gd.showDialog();
		if (gd.wasCanceled()) return;
		String model = gd.getNextChoice(), folder = gd.getNextString(), tile = gd.getNextString();
		double overlap = gd.getNextNumber();
		String device = gd.getNextChoice();
		double threshold = gd.getNextNumber();
		boolean probabilities = gd.getNextBoolean();
		try {
			java.nio.file.Path dir = FOLDER.equals(model) ? java.nio.file.Path.of(folder) : ModelCatalog.resolve(model);
			ProgressListener p = (done, total, message) -> {
				IJ.showStatus("U-Net: " + message);
				IJ.showProgress((int) done, (int) Math.max(1, total));
			};
			if (!EngineProcess.inProcess()) { // another plugin's TensorFlow 1.15 owns org.tensorflow here
				List<String> options = new ArrayList<>(List.of("--model", dir.toAbsolutePath().toString(), "--overlap", "" + overlap,
					"--device", device, "--threshold", "" + threshold));
				if (!tile.trim().equalsIgnoreCase("auto")) options.addAll(List.of("--tile", "" + Long.parseLong(tile.trim())));
				EngineProcess.ImageOutcome o = EngineProcess.segmentImage(imp, options, probabilities, p);
				o.labels().setTitle(imp.getShortTitle() + "_labels");
				o.labels().show();
				if (o.probabilities() != null) {
					o.probabilities().setTitle(imp.getShortTitle() + "_probabilities");
					o.probabilities().show();
				}
				return;
			}
			SegmentationService s = ModelCache.get(dir, new EngineOptions(Device.parse(device), 0));
			long[] t = tile.trim().equalsIgnoreCase("auto") ? null : new long[] { Long.parseLong(tile.trim()) };
			SegmentationSettings settings = new SegmentationSettings(t, null, overlap, 0, threshold, probabilities,
				SegmentationSettings.defaults().border());
			Volume<?> v = ImagePlusAdapter.wrap(imp, imp.getTitle());
			SegmentationService.Result r = segment(s, v, settings, p, imp.getTitle());
			ImagePlus labels = show(r.labels(), imp.getShortTitle() + "_labels");
			ImagePlusAdapter.applyLabelLut(labels, s.spec().classNames().size());
			labels.show();
			if (r.probabilities() != null) ImagePlusAdapter.toImagePlus(r.probabilities(), imp.getShortTitle() + "_probabilities").show();
			IJ.showStatus(String.format(Locale.ROOT, "U-Net: %s in %.1f s on %s", imp.getTitle(), r.seconds(), r.device()));
		}
		catch (SegmentationException | IllegalArgumentException e) {
			IJ.error("U-Net Segment Image", e.getMessage());
		}
		catch (java.util.concurrent.CancellationException e) {
			IJ.showStatus("U-Net: cancelled");
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static SegmentationService.Result segment(SegmentationService s, Volume<?> v, SegmentationSettings settings,
		ProgressListener p, String title)
	{
		return s.segment((Volume) v, settings, p, title);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static ImagePlus show(Volume<?> v, String title) {
		return ImagePlusAdapter.toImagePlus((Volume) v, title);
	}
}
