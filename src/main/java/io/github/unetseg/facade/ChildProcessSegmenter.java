package io.github.unetseg.facade;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TiledInference;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The {@link Segmenter} that runs the engine in a child JVM ({@link ChildJvm}), for JVMs whose
 * {@code org.tensorflow} is another plugin's TensorFlow 1.15; chosen by {@link Engines#segmenter}. Each
 * call starts one child (about a second of start-up plus the model's load) with the settings records as
 * one JSON job. An image in memory travels as a temporary TIFF and its labels (and probabilities) come
 * back the same way; files are read and written by the child itself.
 *
 * <p>{@link FileResult#result()} of a folder run carries the child's figures, with
 * {@link SegmentationResult#labels()} and {@link SegmentationResult#probabilities()} {@code null}: read
 * {@link FileResult#labelsFile()} when the pixels are needed.
 */
final class ChildProcessSegmenter implements Segmenter {

	private final ModelBundle bundle;
	private final EngineOptions engine;
	private String device;

	/**
	 * @throws SegmentationException if model.json is missing or invalid, or TensorFlow Java for the child
	 *     cannot be found
	 */
	ChildProcessSegmenter(Path modelDir, EngineOptions engine) {
		this.bundle = ModelBundle.read(modelDir.toAbsolutePath());
		this.engine = engine;
		this.device = engine.device().name().toLowerCase(java.util.Locale.ROOT) + " (engine process)";
		ChildJvm.classPath(); // fails now, with the fix, rather than at the first image
	}

	@Override
	public ModelSpec spec() {
		return bundle.spec();
	}

	@Override
	public String device() {
		return device;
	}

	@Override
	public <T extends RealType<T>> SegmentationResult segment(Volume<T> volume, SegmentationSettings settings, ProgressListener progress,
		String source)
	{
		Path tmp = null;
		try {
			tmp = Files.createTempDirectory("unetseg-image");
			Path in = tmp.resolve("image.tif");
			ImageFiles.write(volume, in, 0);
			FileResult r = segmentFile(in, tmp.resolve("out"), settings, progress);
			Volume<?> labels = ImageFiles.read(r.labelsFile());
			Volume<FloatType> probabilities = r.probabilitiesFile() == null ? null : floats(ImageFiles.read(r.probabilitiesFile()));
			SegmentationResult f = r.result();
			List<String> warnings = f.warnings().stream().map(w -> w.replace(in.toString(), source)).toList();
			return new SegmentationResult(labels, probabilities, f.plan(), f.batchSize(), f.stats(), f.device(), warnings, f.seconds(),
				f.objectCount());
		}
		catch (java.io.IOException e) {
			throw new SegmentationException("Cannot pass the image to the unetseg engine process: " + e.getMessage() +
				". Fix: check that the temporary folder (java.io.tmpdir) is writable and has room.", e);
		}
		catch (SegmentationException e) {
			throw tmp == null ? e : new SegmentationException(e.getMessage().replace(tmp.resolve("image.tif").toString(), source), e);
		}
		finally {
			ChildJvm.deleteQuietly(tmp);
		}
	}

	@SuppressWarnings("unchecked")
	private static Volume<FloatType> floats(Volume<?> v) {
		if (!(v.image().getType() instanceof FloatType))
			throw new SegmentationException("The engine process wrote probabilities that are not 32-bit float.");
		return (Volume<FloatType>) v;
	}

	@Override
	public Map<FileStatus, Integer> segmentFiles(List<Path> inputs, Path outputDir, SegmentationSettings settings, boolean overwrite,
		FileListener listener)
	{
		Map<FileStatus, Integer> counts = new EnumMap<>(FileStatus.class);
		for (FileStatus s : FileStatus.values()) counts.put(s, 0);
		List<Path> absolute = new ArrayList<>();
		for (Path p : inputs) absolute.add(p.toAbsolutePath());
		EngineJob job = new EngineJob(new EngineJob.Segment(bundle.directory().toAbsolutePath(), engine, settings, absolute,
			outputDir.toAbsolutePath(), overwrite), null);
		PerFileProgress progress = new PerFileProgress(inputs, listener);
		ChildJvm.run(job, progress, line -> {
			if (!line.startsWith("file ")) return;
			EngineJob.FileEvent e = EngineJob.GSON.fromJson(line.substring(5), EngineJob.FileEvent.class);
			Path input = inputs.get(e.index());
			counts.merge(e.status(), 1, Integer::sum);
			if (e.status() == FileStatus.DONE) device = e.device() + " (engine process)";
			listener.file(e.index(), input, e.status(), e.status() == FileStatus.DONE ? fileResult(input, e) : null,
				e.status() == FileStatus.FAILED ? new SegmentationException(e.error()) : null);
		});
		return counts;
	}

	private FileResult fileResult(Path input, EngineJob.FileEvent e) {
		EngineJob.PlanSummary p = e.plan();
		TilePlan plan = TilePlan.create(p.imageSize(), p.tileSize(), p.halo(), p.overlap(), bundle.spec().alignment(), p.border());
		TiledInference.Stats stats = new TiledInference.Stats(plan.tiles().size(), e.batchSize(), e.modelSeconds(), e.inferenceSeconds());
		SegmentationResult r = new SegmentationResult(null, null, plan, e.batchSize(), stats, device, List.copyOf(e.warnings()),
			e.segmentSeconds(), e.objects());
		return new FileResult(input, e.labels(), e.probabilities(), r, e.size(), e.seconds());
	}

	/** The child's progress lines ({@code #<index> message}) routed to each file's own listener. */
	private static final class PerFileProgress implements ProgressListener {

		private final List<Path> inputs;
		private final FileListener listener;
		private int current = -1;
		private ProgressListener forCurrent = ProgressListener.NONE;

		PerFileProgress(List<Path> inputs, FileListener listener) {
			this.inputs = inputs;
			this.listener = listener;
		}

		@Override
		public synchronized void progress(long done, long total, String message) {
			String text = message;
			if (message.startsWith("#")) {
				int space = message.indexOf(' ');
				try {
					int index = Integer.parseInt(message.substring(1, space < 0 ? message.length() : space));
					text = space < 0 ? "" : message.substring(space + 1);
					if (index != current && index >= 0 && index < inputs.size()) {
						current = index;
						forCurrent = listener.progress(index, inputs.get(index));
					}
				}
				catch (NumberFormatException e) {
					// not an indexed message: pass it on whole
				}
			}
			forCurrent.progress(done, total, text);
		}

		@Override
		public synchronized boolean isCancelled() {
			if (current < 0 && !inputs.isEmpty()) {
				current = 0;
				forCurrent = listener.progress(0, inputs.get(0));
			}
			return forCurrent.isCancelled();
		}
	}

	/** Nothing is held between calls: every call starts and ends its own child. */
	@Override
	public void close() {}
}
