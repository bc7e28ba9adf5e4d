package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.service.EvaluationService;
import io.github.unetseg.service.InputFiles;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.service.SegmentationService;
import io.github.unetseg.service.SegmentationSettings;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.Precision;
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
	description = "Segment 2D/3D TIFF or NIfTI files with a U-Net model folder. Writes <name>_labels.tif (or .nii.gz).")
final class SegmentCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	@Option(names = "--model", required = true, description = "Model folder (SavedModel + model.json).")
	Path model;

	@Option(names = "--output", required = true, description = "Output folder (created if missing).")
	Path output;

	@Option(names = "--tile", split = ",", description = "Tile size in pixels, one value or x,y[,z] (default: model.json).")
	long[] tile;

	@Option(names = "--halo", split = ",", description = "Context cropped from each tile side, pixels (default: model.json).")
	long[] halo;

	@Option(names = "--overlap", defaultValue = "0", description = "Fraction of the tile core shared with neighbours and " +
		"blended with a Gaussian window, 0-0.9 (default: ${DEFAULT-VALUE}).")
	double overlap;

	@Option(names = "--border", defaultValue = "same", description = "What the network sees beyond the image border: " +
		"same (its own zero padding, as nnU-Net and MONAI; nothing computed outside the image) or mirror (the image " +
		"mirrored by the halo, as CSBDeep; slower) (default: ${DEFAULT-VALUE}).")
	String border;

	@Option(names = "--batch", defaultValue = "0", description = "Tiles per batch; 0 = from free memory (default).")
	int batch;

	@Option(names = "--threads", defaultValue = "0", description = "CPU threads for TensorFlow; 0 = all cores (default).")
	int threads;

	@Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
	String device;

	@Option(names = "--precision", defaultValue = "float32", description = "float32, or mixed: bfloat16 convolutions on CPUs " +
		"with AVX512_BF16/AMX, float16 on GPUs; about 2x faster there, probabilities within a few 1e-2 (default: ${DEFAULT-VALUE}).")
	String precision;

	@Option(names = "--threshold", defaultValue = "0.5", description = "Probability threshold of binary models (default: ${DEFAULT-VALUE}).")
	double threshold;

	@Option(names = "--probabilities", description = "Also write <name>_probabilities as 32-bit float.")
	boolean probabilities;

	@Option(names = "--truth", description = "Ground-truth label file (one input) or folder (matched by name): " +
		"prints Dice and HD95 per class.")
	Path truth;

	@Option(names = "--tolerance", defaultValue = "1", description = "Surface Dice tolerance with --truth, physical units.")
	double tolerance;

	@Option(names = "--shard", description = "Process shard i of n (0-based), e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT.")
	String shard;

	@Option(names = "--overwrite", description = "Recompute files whose outputs already exist (default: skip them).")
	boolean overwrite;

	@Parameters(arity = "1..*", paramLabel = "INPUT", description = "Images (TIFF, NIfTI), folders of images, or quoted " +
		"glob patterns such as 'data/*.tif'; @list.txt reads arguments from a file.")
	List<String> files;

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		PrintWriter err = spec.commandLine().getErr();
		SegmentationSettings settings;
		EngineOptions engine;
		List<Path> inputs;
		try {
			settings = new SegmentationSettings(tile, halo, overlap, batch, threshold, probabilities, TilePlan.Border.parse(border));
			engine = new EngineOptions(Device.parse(device), threads, Precision.parse(precision));
			inputs = InputFiles.shard(InputFiles.expand(files), shard);
		}
		catch (IllegalArgumentException | SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 2;
		}
		if (inputs.isEmpty()) {
			out.println("no input files in this shard");
			return 0;
		}
		List<Path> failed = new ArrayList<>();
		int total = inputs.size();
		try (SegmentationService service = new SegmentationService(model, engine)) {
			out.printf(Locale.ROOT, "model %s (%dD, %d classes) on %s; %d file(s)%s%n", service.spec().name(),
				service.spec().dimensions(), service.spec().classNames().size(), service.device(), total,
				shard == null ? "" : " in shard " + shard);
			var counts = service.segmentBatch(inputs, output, settings, overwrite, new SegmentationService.BatchListener() {
				@Override
				public ProgressListener progress(int index, Path input) {
					return new ConsoleProgress(System.err, prefix(index, total, input));
				}

				@Override
				public void file(int index, Path f, SegmentationService.Status status, SegmentationService.FileResult r,
					SegmentationException error)
				{
					String prefix = prefix(index, total, f);
					switch (status) {
						case SKIPPED -> out.println(prefix + "outputs exist, skipped (use --overwrite to recompute)");
						case FAILED -> {
							err.println("error: " + error.getMessage());
							failed.add(f);
						}
						case DONE -> {
							SegmentationService.Result res = r.result();
							res.warnings().forEach(w -> err.println("warning: " + w));
							out.printf(Locale.ROOT, "%s%s, %d tiles of %s (halo %s, compute overhead %.2fx), batch %d, %.2f s, " +
								"%.0f voxels/s, %.1f%% outside Session.run, device %s -> %s%n", prefix, r.size(), res.plan().tiles().size(),
								dims(res.plan().tileSize()), dims(res.plan().halo()), res.plan().computeOverhead(), res.batchSize(),
								r.seconds(), res.voxelsPerSecond(), 100 * res.outsideModelShare(), res.device(), r.labelsFile());
							if (truth != null) evaluate(out, err, r, f, failed);
						}
					}
					out.flush();
				}
			});
			out.printf(Locale.ROOT, "done: %d segmented, %d skipped, %d failed%n", counts.get(SegmentationService.Status.DONE),
				counts.get(SegmentationService.Status.SKIPPED), failed.size());
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
			err.println(failed.size() + " of " + total + " file(s) failed: " + failed);
			return 1;
		}
		return 0;
	}

	private static String prefix(int index, int total, Path f) {
		return String.format(Locale.ROOT, "[%d/%d] %s: ", index + 1, total, f.getFileName());
	}

	private void evaluate(PrintWriter out, PrintWriter err, SegmentationService.FileResult r, Path input, List<Path> failed) {
		Path t = EvaluationService.truthFor(truth, input);
		if (t == null) {
			err.println("warning: no ground truth named " + io.github.unetseg.io.ImageFiles.baseName(input) + ".* in " + truth +
				"; not evaluated");
			return;
		}
		try {
			EvaluationService.PairResult p = EvaluationService.evaluate(r.result().labels(), io.github.unetseg.io.ImageFiles.read(t),
				null, null, tolerance, r.labelsFile().toString(), t.toString());
			for (io.github.unetseg.metrics.ClassMetrics m : p.metrics())
				out.printf(Locale.ROOT, "    against %s: class %d Dice %.4f, HD95 %.3f %s, HD %.3f, ASSD %.3f, surface Dice %.4f (%s)%n",
					t.getFileName(), m.label(), m.dice(), m.hd95(), p.unit(), m.hausdorff(), m.assd(), m.surfaceDice(), m.status());
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			failed.add(input);
		}
	}

	private static String dims(long[] d) {
		StringBuilder b = new StringBuilder();
		for (int i = 0; i < d.length; i++) b.append(i == 0 ? "" : "x").append(d[i]);
		return b.toString();
	}
}
