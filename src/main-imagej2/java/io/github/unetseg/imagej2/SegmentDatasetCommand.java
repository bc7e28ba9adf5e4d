package io.github.unetseg.imagej2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import net.imagej.Dataset;
import net.imagej.DatasetService;
import net.imagej.axis.CalibratedAxis;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.command.FijiProgress;
import io.github.unetseg.command.SegmenterService;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.image.Volume;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Segments an ImageJ2 {@link Dataset} and returns the labels (and probabilities) as Datasets with the
 * input's calibrated axes: the entry for ImageJ2 scripts ({@code #@ Dataset}), PyImageJ and headless
 * ImageJ2 ({@code CommandService.run(SegmentDatasetCommand.class, true, "image", dataset, "model",
 * "brain-mri-2d", "options", "tile=256")}). It has no menu entry: Fiji's menu has Segment Image, which
 * takes the same image through the legacy layer.
 *
 * <p>The options are {@code unetseg segment}'s, written as in macros ({@link Options#parse}: space-separated
 * {@code key=value}, names without dashes), so every option of the CLI is here under its name. The
 * Dataset's axes may be in any order ({@link DatasetAdapter}); labels come back as {@code [X, Y(, Z)]}
 * (8/16-bit, the label lookup table on every plane), probabilities as {@code [X, Y(, Z), Channel]} 32-bit,
 * with the input's spacing and unit. A time series is segmented one time point at a time, as Segment Image
 * does, and its results get the input's Time axis last ({@code [X, Y(, Z)(, Channel), Time]}; object ids
 * start at 1 in each time point, {@code objects} counts them all). The model is kept open by {@link SegmenterService}.
 */
@Plugin(type = Command.class, headless = true, label = "Segment Dataset (unetseg)")
public class SegmentDatasetCommand extends ContextCommand {

	@Parameter(label = "Image", description = "2D image or 3D stack, any axis order, X and Y required; a time series one time point at a time")
	private Dataset image;

	@Parameter(label = "Model", description = "A model name from the models folders, a model folder, or a bioimage.io package")
	private String model;

	@Parameter(label = "Options", required = false, description = "unetseg segment's options as key=value separated by spaces, " +
		"e.g. \"tile=256 overlap=0.25 probabilities\"")
	private String options = "";

	@Parameter(type = ItemIO.OUTPUT, label = "Labels")
	private Dataset labels;

	@Parameter(type = ItemIO.OUTPUT, label = "Probabilities", required = false)
	private Dataset probabilities;

	@Parameter(type = ItemIO.OUTPUT, label = "Objects", required = false)
	private int objects = -1;

	@Parameter
	private SegmenterService segmenters;

	@Parameter
	private DatasetService datasets;

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	@Override
	public void run() {
		try {
			Map<String, String> given = new LinkedHashMap<>(Options.parse(options == null ? "" : options));
			given.put("model", model);
			Options.Segmentation o = Options.segmentation(given);
			Segmenter segmenter = segmenters.segmenter(o.model(), o.engine());
			String name = image.getName() == null ? "image" : image.getName();
			long frames = DatasetAdapter.timePoints(image);
			FijiProgress progress = new FijiProgress(status, this, "U-Net: ");
			List<Volume<?>> labelFrames = new ArrayList<>(), probabilityFrames = new ArrayList<>();
			int largestId = 0;
			double seconds = 0;
			String device = segmenter.device();
			for (long t = 0; t < frames; t++) {
				String source = frames == 1 ? name : name + " (time point " + (t + 1) + ")";
				SegmentationResult r = segmenter.segment(DatasetAdapter.toVolume(image, source, t), o.settings(), frames == 1 ? progress
					: ProgressListener.part(progress, t, frames, "time point"), source);
				if (log != null) r.warnings().forEach(log::warn);
				labelFrames.add(r.labels());
				if (r.probabilities() != null) probabilityFrames.add(r.probabilities());
				if (r.instances()) {
					objects = Math.max(0, objects) + r.objectCount();
					largestId = Math.max(largestId, r.objectCount());
				}
				seconds += r.seconds();
				device = r.device();
			}
			String base = io.github.unetseg.io.ImageFiles.baseName(name);
			CalibratedAxis time = DatasetAdapter.timeAxis(image);
			labels = DatasetAdapter.toDataset(datasets, labelFrames, time, base + "_labels", objects >= 0 ? largestId + 1
				: segmenter.spec().classNames().size());
			if (!probabilityFrames.isEmpty()) probabilities = DatasetAdapter.toDataset(datasets, probabilityFrames, time, base +
				"_probabilities", 0);
			if (status != null) status.showStatus(String.format(Locale.ROOT, "U-Net: %s segmented in %.1f s on %s", name, seconds, device));
		}
		catch (CancellationException e) {
			cancel("Segmentation cancelled.");
		}
		catch (SegmentationException | IllegalArgumentException e) {
			if (log != null) log.error(e.getMessage());
			cancel(e.getMessage());
		}
	}
}
