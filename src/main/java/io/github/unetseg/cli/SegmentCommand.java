package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.Evaluator;
import io.github.unetseg.facade.InstanceEvaluator;
import io.github.unetseg.facade.FileListener;
import io.github.unetseg.facade.FileResult;
import io.github.unetseg.facade.FileStatus;
import io.github.unetseg.facade.Frames;
import io.github.unetseg.facade.InputFiles;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.OutputFiles;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.tiling.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg segment}: segments files with a model folder and writes label images (and
 * optionally probability maps) into an output folder. Inputs may be files, folders or glob patterns;
 * {@code --shard i/n} takes every n-th file for job arrays; files whose outputs exist are skipped so a
 * killed job can be rerun. One failing file does not stop the others; the exit code is then 1.
 */
@Command(name = "segment", mixinStandardHelpOptions = true,
	description = { "Segment 2D/3D images with a U-Net model folder. Writes <name>_labels (and <name>_probabilities) in the input's format.",
		"Reads " + ImageFiles.READABLE + "." })
final class SegmentCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	// the settings options (--model, --tile, --halo, ...) come from Options.SEGMENT, see Main

	@Option(names = "--output", required = true, description = "Output folder (created if missing).")
	Path output;

	@Option(names = "--truth", description = "Ground-truth label file (one input) or folder (matched by name): " +
		"prints Dice and HD95 per class.")
	Path truth;

	@Option(names = "--tolerance", defaultValue = "1", description = "Surface Dice tolerance with --truth, physical units.")
	double tolerance;

	@Option(names = "--shard", description = "Process shard i of n (0-based), e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT.")
	String shard;

	@Parameters(arity = "1..*", paramLabel = "INPUT", description = "Image files, folders of images, or quoted " +
		"glob patterns such as 'data/*.tif'; @list.txt reads arguments from a file.")
	List<String> files;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		PrintWriter err = spec.commandLine().getErr();
		Options.Segmentation o;
		List<Path> inputs, refused;
		try {
			o = Options.segmentation(GivenOptions.of(spec.commandLine().getParseResult(), "output", "truth", "tolerance", "shard"));
			if (truth != null && !Files.exists(truth))
				throw new SegmentationException("--truth " + truth + " does not exist. Fix: give the ground-truth file or folder.");
			List<Path> all = InputFiles.withoutOutputs(InputFiles.expand(files), output);
			inputs = InputFiles.shard(all, shard);
			// an input whose output name an earlier input of another shard has: refused here, as the folder run refuses it within one
			Map<Path, Path> clashes = OutputFiles.collisions(all, output);
			List<Path> mine = inputs;
			refused = mine.stream().filter(f -> clashes.containsKey(f) && !mine.contains(clashes.get(f))).toList();
			for (Path f : refused) err.println("error: " + OutputFiles.collision(f, clashes.get(f), output).getMessage());
			inputs = mine.stream().filter(f -> !refused.contains(f)).toList();
		}
		catch (IllegalArgumentException | SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 2;
		}
		if (inputs.isEmpty()) {
			out.println(refused.isEmpty() ? "no input files in this shard" : "done: 0 segmented, 0 skipped, " + refused.size() + " failed");
			return refused.isEmpty() ? 0 : 1;
		}
		List<Path> failed = new ArrayList<>(refused);
		int total = inputs.size();
		try (Segmenter segmenter = Engines.segmenter(o.model(), o.engine())) {
			out.printf(Locale.ROOT, "model %s (%dD, %d classes) on %s; %d file(s)%s%n", segmenter.spec().name(),
				segmenter.spec().dimensions(), segmenter.spec().classNames().size(), segmenter.device(), total,
				shard == null ? "" : " in shard " + shard);
			var counts = segmenter.segmentFiles(inputs, output, o.settings(), o.overwrite(), new FileListener() {
				@Override
				public ProgressListener progress(int index, Path input) {
					return new ConsoleProgress(System.err, prefix(index, total, input));
				}

				@Override
				public void file(int index, Path f, FileStatus status, FileResult r, SegmentationException error) {
					String prefix = prefix(index, total, f);
					switch (status) {
						case SKIPPED -> out.println(prefix + "outputs exist, skipped (use --overwrite to recompute)");
						case FAILED -> {
							// one line per file, as the others, so that batch scripts can collect failures (scripts/slurm)
							err.println(prefix + "failed: " + error.getMessage());
							failed.add(f);
						}
						case DONE -> {
							SegmentationResult res = r.result();
							res.warnings().forEach(w -> err.println("warning: " + w));
							out.printf(Locale.ROOT, "%s%s, %d tiles of %s (halo %s, compute overhead %.2fx), batch %d, %.2f s, " +
								"%.0f voxels/s, %.1f%% outside Session.run, device %s%s -> %s%n", prefix, r.size(), res.plan().tiles().size(),
								dims(res.plan().tileSize()), res.plan().tiles().size() == 1 && res.plan().border() == io.github.unetseg.tiling.TilePlan
									.Border.SAME ? "unused: one tile" : dims(res.plan().halo()), res.plan().computeOverhead(), res.batchSize(),
								r.seconds(), res.voxelsPerSecond(), 100 * res.outsideModelShare(), res.device(), r.peakResidentBytes() < 0 ? ""
									: String.format(Locale.ROOT, ", peak RSS %.2f GiB", r.peakResidentBytes() / (double) (1L << 30)), r.labelsFile());
							if (res.instances()) out.printf(Locale.ROOT, "%s%d objects%n", prefix, res.objectCount());
							if (truth != null) evaluate(out, err, r, f, failed, segmenter.spec().classNames());
						}
					}
					out.flush();
				}
			});
			out.printf(Locale.ROOT, "done: %d segmented, %d skipped, %d failed%n", counts.get(FileStatus.DONE),
				counts.get(FileStatus.SKIPPED), failed.size());
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 1;
		}
		catch (java.util.concurrent.CancellationException e) {
			err.println("cancelled");
			return 1;
		}
		out.flush();
		if (!failed.isEmpty()) {
			err.println(failed.size() + " of " + (total + refused.size()) + " file(s) failed: " + failed);
			return 1;
		}
		return 0;
	}

	private static String prefix(int index, int total, Path f) {
		return String.format(Locale.ROOT, "[%d/%d] %s: ", index + 1, total, f.getFileName());
	}

	/**
	 * Scores one file's labels against its {@code --truth} file: per class (named as in {@code model.json}), or objects for an
	 * instance model; a time series frame by frame (its labels file against the truth's frames; objects summed over the frames).
	 */
	private void evaluate(PrintWriter out, PrintWriter err, FileResult r, Path input, List<Path> failed, List<String> classNames) {
		Path t = Evaluator.truthFor(truth, input);
		if (t == null) {
			err.println("warning: no ground truth named " + ImageFiles.baseName(input) + ".* in " + truth +
				"; not evaluated");
			return;
		}
		try {
			String labelsName = r.labelsFile().toString();
			if (ImageFiles.timePoints(input) > 1) { // the labels file's frames against the truth's: objects summed, classes per frame
				if (r.result().instances()) {
					List<InstanceMatching.Counts[]> frames = Frames.each(r.labelsFile(), t, (v, f) -> InstanceEvaluator.matchInstances(v[0], v[1],
						labelsName + " frame " + f, t + " frame " + f));
					printObjects(out, t, InstanceMatching.sum(frames), ", " + frames.size() + " frames");
				}
				else Frames.each(r.labelsFile(), t, (v, f) -> {
					printClasses(out, t.getFileName() + " [t=" + f + "]", Evaluator.evaluate(v[0], v[1], null, null, tolerance, labelsName, t
						.toString()), v[0].spatialDims(), classNames);
					return f;
				});
				return;
			}
			Volume<?> labels = r.result().labels() != null ? r.result().labels() : ImageFiles.read(r.labelsFile());
			if (r.result().instances())
				printObjects(out, t, InstanceEvaluator.matchInstances(labels, ImageFiles.read(t), labelsName, t.toString()), "");
			else printClasses(out, t.getFileName().toString(), Evaluator.evaluate(labels, ImageFiles.read(t), null, null, tolerance, labelsName,
				t.toString()), labels.spatialDims(), classNames);
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			failed.add(input);
		}
	}

	private static void printObjects(PrintWriter out, Path truthFile, InstanceMatching.Counts[] c, String frames) {
		double mean = InstanceMatching.meanAccuracy(c);
		out.printf(Locale.ROOT, "    against %s: %d objects in the truth%s; at IoU 0.5 AP %.4f, F1 %.4f, precision %.4f, recall %.4f, " +
			"PQ %.4f; mean AP over IoU 0.5-0.9 %.4f%n", truthFile.getFileName(), c[0].nTrue(), frames, c[0].accuracy(), c[0].f1(),
			c[0].precision(), c[0].recall(), c[0].panopticQuality(), mean);
	}

	private static void printClasses(PrintWriter out, String against, Evaluator.PairResult p, int dims, List<String> classNames) {
		boolean mL = "mm".equals(p.unit()) && dims == 3;
		String measure = dims == 3 ? "volume" : "area";
		for (io.github.unetseg.metrics.ClassMetrics m : p.metrics()) {
			String name = m.label() < classNames.size() ? " " + classNames.get(m.label()) : "";
			// a volume in millilitres where the voxel size is in mm (1 mL = 1000 mm^3), else in the unit cubed (squared in 2D)
			String size = mL ? String.format(Locale.ROOT, "%.2f mL (truth %.2f mL)", m.predictedVolume() / 1000, m.trueVolume() / 1000)
				: String.format(Locale.ROOT, "%.1f %s^%d (truth %.1f)", m.predictedVolume(), p.unit(), dims, m.trueVolume());
			out.printf(Locale.ROOT, "    against %s: class %d%s Dice %.4f, HD95 %.3f %s, HD %.3f, ASSD %.3f, surface Dice %.4f, " + measure +
				" %s (%s)%n", against, m.label(), name, m.dice(), m.hd95(), p.unit(), m.hausdorff(), m.assd(), m.surfaceDice(), size, m.status());
		}
	}

	private static String dims(long[] d) {
		StringBuilder b = new StringBuilder();
		for (int i = 0; i < d.length; i++) b.append(i == 0 ? "" : "x").append(d[i]);
		return b.toString();
	}
}
