package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.DistanceMaps;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.data.PatchSampler;
import io.github.unetseg.data.TrainingCase;
import io.github.unetseg.data.TrainingSet;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.objects.InstanceDecoder;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.model.LeftRightMirroring;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.TrainingSession;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TilePolicy;
import io.github.unetseg.tiling.TiledInference;

/**
 * The {@link Trainer} that trains in this JVM with TensorFlow Java ({@link TrainingSession}); chosen by
 * {@link Engines#trainer()}, run by the child JVM of {@link ChildProcessTrainer} too.
 *
 * <p>The model folder holds the best model by validation Dice ({@code saved_model.pb},
 * {@code variables/}, {@code model.json}), {@code history.csv} and {@code history.png} (loss and
 * validation Dice per epoch), and {@code training/} with the last checkpoint (all variables including
 * Adam's moments, and {@code state.json}) for resuming after a crash, kill or cancel. Checkpoints and
 * the best model are written to temporary names and renamed into place, so the last good one is never
 * replaced by a broken one. Patch sampling for epoch {@code e} is seeded from {@code (seed, e)} and
 * dropout from {@code (seed, step)}, so a resumed run continues as the uninterrupted one would.
 */
public final class LocalTrainer implements Trainer {


	/** A trainer for this JVM; {@link Engines#trainer()} is the usual way to get one. */
	public LocalTrainer() {}


	@Override
	public TrainingOutcome train(TrainingRequest r, ProgressListener progress, java.util.function.Consumer<EpochRecord> epochs) {
		UNetConfig arch = r.architecture();
		TrainingConfig cfg = r.config();
		int classes = r.classNames().size();
		if (arch.outputChannels() != (classes == 2 && arch.classes() == 1 ? 1 : classes))
			throw new SegmentationException("classNames list " + classes + " classes but the architecture has " + arch.classes() +
				". Fix: give as many class names as classes (2 for a binary model).");
		if ((cfg.needsDistanceMaps() || cfg.loss().equals("lovasz")) && classes < 3)
			throw new SegmentationException("--loss " + cfg.loss() + " needs 3 or more classes (a softmax output); this model has " +
				classes + ". Fix: choose dice_ce for a binary model.");
		for (int d = 0; d < arch.dimensions(); d++)
			if (cfg.patchSize()[d] % arch.alignment() != 0)
				throw new SegmentationException("--patch " + Arrays.toString(cfg.patchSize()) + " must be multiples of " +
					arch.alignment() + " (2^depth). Fix: choose e.g. " + arch.alignment() * 16 + ".");
		int[] leftRightClasses = null;
		if (r.leftRight() != null) {
			try {
				leftRightClasses = r.leftRight().classMap(r.classNames());
			}
			catch (IllegalArgumentException e) {
				throw new SegmentationException("--paired-classes: " + e.getMessage() + ". Fix: name classes of --classes, as A:B.");
			}
		}
		Path out = r.output();
		Path trainingDir = out.resolve("training");
		Path stateFile = trainingDir.resolve("checkpoint").resolve("state.json");
		boolean resuming = r.resume() && (Files.exists(stateFile) || Files.exists(trainingDir.resolve("checkpoint.old/state.json")));
		if (!resuming && Files.exists(out.resolve("saved_model.pb")))
			throw new SegmentationException("Model folder " + out + " already holds a model. Fix: choose a new --output, or add " +
				"--resume to continue its training.");

		TrainingSet all = TrainingSet.fromFolders(r.images(), r.labels(), ImageFiles::baseName);
		TrainingSet train, val;
		if (r.validationImages() != null) {
			train = all;
			val = TrainingSet.fromFolders(r.validationImages(), r.validationLabels(), ImageFiles::baseName);
		}
		else {
			List<TrainingSet> split = all.split(cfg.validationFraction(), cfg.seed());
			train = split.get(0);
			val = split.get(1);
		}
		if (train.pairs().isEmpty()) throw new SegmentationException("No training pairs left after the validation split. Fix: add images.");
		progress.progress(0, 1, "checking " + (train.pairs().size() + val.pairs().size()) + " image/label pairs");
		String oneDnn = oneDnnHint(System.getenv("TF_ENABLE_ONEDNN_OPTS"), Path.of("/proc/cpuinfo"));
		if (oneDnn != null) progress.progress(0, 1, oneDnn);
		List<TrainingSet.Pair> both = new ArrayList<>(train.pairs());
		both.addAll(val.pairs());
		TrainingCases prepared = TrainingCases.prepare(new TrainingSet(both), train.pairs().size(), r, progress);
		List<TrainingCase> allCases = prepared.cases();
		List<TrainingCase> trainCases = allCases.subList(0, prepared.trainCount());
		List<TrainingCase> valCases = val.pairs().isEmpty() ? trainCases : allCases.subList(prepared.trainCount(), allCases.size());
		List<String> warnings = val.pairs().isEmpty() ? List.of("No image was left for validation (" + train.pairs().size() + " pair(s), " +
			"validation share " + cfg.validationFraction() + "), so the model was validated on its training images and its Dice is " +
			"optimistic. Give more pairs or --validation-images/--validation-labels.") : List.of();
		if (trainCases.stream().allMatch(c -> c.foreground().length == 0))
			throw new SegmentationException("Every training label image in " + r.labels() + " is empty (all voxels 0, background), so " +
				"there is nothing to learn. Fix: check that the labels folder holds the annotations (class indices > 0 on the objects).");
		float[] weights = r.instances() ? null : classWeights(cfg, trainCases, arch.outputChannels(), classes);
		// instance models: the U-Net paper's weight map, w_c (each class the same total weight) plus the separation term
		float[] voxelClassWeights = r.instances() ? balancedWeights(trainCases, classes) : null;

		int leftRightAxis = -1;
		if (leftRightClasses != null && cfg.augment()) {
			try {
				leftRightAxis = LeftRightMirroring.axis(prepared.orientation());
			}
			catch (IllegalArgumentException e) {
				throw new SegmentationException("--mirror left-right: " + e.getMessage() + " in " + r.images() + ". Fix: train on NIfTI files " +
					"with their true affine or DICOM series, or use --mirror false.");
			}
		}
		ModelSpec spec = spec(r, trainCases, prepared.normalization(), prepared.spacing()).withOrientation(prepared.orientation())
			.withMirrored(cfg.augment() && r.mirror()).withLeftRight(leftRightAxis >= 0 ? r.leftRight() : null);
		// nnU-Net draws a class first, then a voxel of it: small organs are seen as often as large ones
		PatchSampler sampler = new PatchSampler(trainCases, cfg.patchSize(), cfg.foregroundFraction(), cfg.augment(), r.mirror(),
			!r.instances() && classes > 2, leftRightAxis, leftRightAxis >= 0 ? leftRightClasses : null);
		int pv = sampler.patchVoxels();
		float[] xb = new float[cfg.batchSize() * pv * arch.inputChannels()];
		short[] yb = new short[cfg.batchSize() * pv];
		float[] wb = r.instances() ? new float[cfg.batchSize() * pv] : null;
		int k = arch.outputChannels();
		long[] ps = cfg.patchSize();
		int[] patch3 = { (int) ps[0], (int) ps[1], ps.length == 3 ? (int) ps[2] : 1 };
		float[] annotated = prepared.partialLabels() ? new float[cfg.batchSize() * k] : null;

		try (TrainingSession trainer = new TrainingSession(arch, cfg, r.engine(), weights, r.instances(), prepared.partialLabels())) {
			TrainingCheckpoint.State state;
			if (resuming) {
				Path ckpt = Files.exists(stateFile) ? stateFile.getParent() : trainingDir.resolve("checkpoint.old");
				state = TrainingCheckpoint.readState(ckpt.resolve("state.json"));
				// checkpoints before the architecture was recorded have none: their variables' names are checked on restore
				if (state.architecture() != null && !state.architecture().equals(arch))
					throw new SegmentationException("The checkpoint in " + ckpt + " is of another network (" + state.architecture() + ", this " +
						"run asks for " + arch + "). Fix: resume with the interrupted run's --dims, --channels, --classes, --depth, " +
						"--filters, --batch-norm and --dropout, or train into a new --output.");
				trainer.initialize(Map.of());
				try {
					trainer.restoreCheckpoint(ckpt.resolve("ckpt"));
				}
				catch (RuntimeException e) {
					throw new SegmentationException("The checkpoint in " + ckpt + " does not fit this network (" + e.getMessage() + "). Fix: " +
						"resume with the interrupted run's architecture options, or train into a new --output.", e);
				}
				if (state.seed() != cfg.seed() || state.batchSize() != cfg.batchSize() || !Arrays.equals(state.patchSize(), cfg.patchSize()))
					throw new SegmentationException("The checkpoint in " + ckpt + " was made with other settings (seed " + state.seed() +
						", batch " + state.batchSize() + ", patch " + Arrays.toString(state.patchSize()) + "). Fix: resume with the same settings.");
			}
			else {
				try {
					Files.createDirectories(trainingDir);
				}
				catch (IOException e) {
					throw new SegmentationException("Cannot create " + trainingDir + ": " + e.getMessage() + ". Fix: choose a writable --output.", e);
				}
				trainer.initialize(r.initFrom() == null ? Map.of() : TrainingSession.readWeights(r.initFrom()));
				state = new TrainingCheckpoint.State(0, 0, Double.NEGATIVE_INFINITY, 0, 0, List.of(), cfg.seed(), cfg.patchSize(), cfg.batchSize(), cfg.loss(),
					arch);
			}
			List<EpochRecord> history = new ArrayList<>(state.history());
			long step = state.step();
			double best = state.bestDice();
			int bestEpoch = state.bestEpoch(), sinceBest = state.sinceBest();
			long totalSteps = (long) cfg.epochs() * cfg.stepsPerEpoch();
			long stepsDone = 0;
			WallTime clock = new WallTime(r.maxHours());
			boolean stoppedEarly = false, cancelled = false, outOfTime = false;
			// a resumed run estimates its next epoch by the interrupted run's last one
			double lastEpochSeconds = history.isEmpty() ? 0 : history.get(history.size() - 1).seconds(), lastValidationSeconds = 0;
			// the tuning after the last epoch (object thresholds; a semantic model's post-processing where there are validation
			// images) segments the validation images once more: about one validation pass
			boolean tunes = r.instances() || !val.pairs().isEmpty();
			for (int epoch = state.epoch(); epoch < cfg.epochs(); epoch++) {
				if (!clock.nextEpochFits(lastEpochSeconds, tunes ? lastValidationSeconds : 0)) {
					outOfTime = true;
					break;
				}
				long t0 = System.nanoTime();
				double lr = cfg.learningRate(epoch);
				Random random = new Random(cfg.seed() * 1_000_003L + epoch);
				double lossSum = 0;
				long trainNanos = 0;
				int firstStep = 0;
				if (epoch == state.epoch() && state.stepInEpoch() > 0) {
					// an interrupted epoch: draw (and drop) the patches of the steps it did, so the rest gets the same
					// patches, and so the same weights, as an uninterrupted run
					firstStep = Math.min(state.stepInEpoch(), cfg.stepsPerEpoch());
					for (int s = 0; s < firstStep; s++)
						for (int b = 0; b < cfg.batchSize(); b++)
							sampler.sample(random, xb, b * pv * arch.inputChannels(), yb, b * pv, voxelClassWeights, wb);
					lossSum = state.lossSum();
					trainNanos = state.trainNanos();
				}
				int stepsDoneInEpoch = firstStep;
				for (int s = firstStep; s < cfg.stepsPerEpoch(); s++) {
					if (progress.isCancelled()) {
						cancelled = true;
						break;
					}
					long ts = System.nanoTime();
					for (int b = 0; b < cfg.batchSize(); b++) {
						boolean[] in = sampler.sample(random, xb, b * pv * arch.inputChannels(), yb, b * pv, voxelClassWeights, wb).annotated();
						for (int c = 0; annotated != null && c < k; c++) annotated[b * k + c] = in == null || in[c] ? 1 : 0;
					}
					float[] maps = cfg.needsDistanceMaps() ? DistanceMaps.forLoss(cfg.loss(), yb, cfg.loss().equals("dice_ce_hd")
						? trainer.predictLabels(xb, cfg.batchSize()) : null, annotated, cfg.batchSize(), patch3, k) : null;
					float loss = trainer.step(xb, yb, wb, annotated, maps, cfg.batchSize(), ++step, lr);
					trainNanos += System.nanoTime() - ts;
					if (!Float.isFinite(loss))
						throw new SegmentationException("The training loss became " + loss + " at step " + step + ". Fix: lower the " +
							"learning rate (--lr) or check the images' normalisation.");
					lossSum += loss;
					stepsDone++;
					stepsDoneInEpoch++;
					double perStep = clock.elapsedSeconds() / stepsDone;
					long remaining = totalSteps - step;
					progress.progress(step, totalSteps, String.format(Locale.ROOT, "epoch %d/%d step %d/%d loss %.4f ETA %s", epoch + 1,
						cfg.epochs(), s + 1, cfg.stepsPerEpoch(), loss, WallTime.eta(perStep * remaining)));
				}
				double[] ap = new double[] { Double.NaN };
				long tv = System.nanoTime();
				double[] dice = cancelled ? null : validate(trainer, valCases, arch, cfg, progress, r.instances() ? spec.instances() : null, ap);
				if (dice == null) {
					// cancelled during the steps or the validation: a checkpoint within the epoch, which --resume continues
					cancelled = true;
					TrainingCheckpoint.write(trainer, trainingDir, new TrainingCheckpoint.State(epoch, step, best, bestEpoch, sinceBest, history, cfg.seed(),
						cfg.patchSize(), cfg.batchSize(), cfg.loss(), arch, stepsDoneInEpoch, lossSum, trainNanos));
					break;
				}
				double mean = mean(dice);
				EpochRecord rec = new EpochRecord(epoch + 1, lossSum / cfg.stepsPerEpoch(), lr, dice, mean, (System.nanoTime() - t0) / 1e9,
					cfg.stepsPerEpoch() * cfg.batchSize() / (trainNanos / 1e9), ap[0]);
				history.add(rec);
				if (epochs != null) epochs.accept(rec);
				if (rec.score() > best || bestEpoch == 0) {
					best = rec.score();
					bestEpoch = epoch + 1;
					sinceBest = 0;
					TrainingCheckpoint.exportBest(trainer, spec.withProvenance(provenance(r, rec)), out);
				}
				else sinceBest++;
				lastEpochSeconds = rec.seconds();
				lastValidationSeconds = (System.nanoTime() - tv) / 1e9;
				TrainingHistory.write(out, history);
				TrainingCheckpoint.write(trainer, trainingDir, new TrainingCheckpoint.State(epoch + 1, step, best, bestEpoch, sinceBest, history, cfg.seed(),
					cfg.patchSize(), cfg.batchSize(), cfg.loss(), arch));
				if (cfg.patience() > 0 && sinceBest >= cfg.patience()) {
					stoppedEarly = true;
					break;
				}
			}
			if (bestEpoch == 0)
				throw new CancellationException("training cancelled before the first epoch ended; no model was written yet, and the " +
					"checkpoint in " + trainingDir + " continues the run with --resume");
			if (tunes && !cancelled)
				try (LocalSegmenter bestModel = new LocalSegmenter(out, r.engine())) {
					if (r.instances()) {
						// as StarDist after training: the thresholds that give the best AP on the validation images
						ThresholdTuning.Result t = ThresholdTuning.tune(bestModel, val.pairs().isEmpty() ? train : val, progress);
						ThresholdTuning.apply(out, t);
						progress.progress(1, 1, "object thresholds: " + t);
					}
					else {
						// as nnU-Net after training: per class, the label clean-up that raises the validation Dice
						PostProcessingTuning.Result t = PostProcessingTuning.tune(bestModel, val, r.labelClasses() == null ? null
							: io.github.unetseg.data.LabelClasses.read(r.labelClasses()), progress);
						PostProcessingTuning.apply(out, t);
						progress.progress(1, 1, t.toString().lines().findFirst().orElse(""));
					}
				}
			if (outOfTime) {
				warnings = new ArrayList<>(warnings);
				warnings.add(String.format(Locale.ROOT, "Stopped after epoch %d of %d at the wall-time budget of %.3g h (--max-hours); the " +
					"checkpoint in %s continues it with --resume.", history.size(), cfg.epochs(), r.maxHours(), trainingDir));
			}
			return new TrainingOutcome(ModelBundle.read(out), List.copyOf(history), bestEpoch, best, stoppedEarly || outOfTime, cancelled,
				List.copyOf(warnings));
		}
	}

	/** {@code w_c = 1 / (K f_c)}: every class gets the same total weight and the mean weight per voxel is 1. */
	private static float[] balancedWeights(List<TrainingCase> cases, int classes) {
		long[] count = new long[classes];
		for (TrainingCase c : cases) for (short l : c.labels()) count[l]++;
		long total = Arrays.stream(count).sum();
		float[] w = new float[classes];
		for (int k = 0; k < classes; k++) w[k] = count[k] == 0 ? 0 : (float) ((double) total / (classes * count[k]));
		return w;
	}

	/** Inverse class frequencies normalised to mean 1, for weighted cross-entropy without given weights. */
	private static float[] classWeights(TrainingConfig cfg, List<TrainingCase> cases, int channels, int classes) {
		if (!"weighted_ce".equals(cfg.loss())) return null;
		double[] given = cfg.classWeights();
		double[] w = new double[classes];
		if (given != null) {
			if (given.length != classes)
				throw new SegmentationException("--class-weights has " + given.length + " values for " + classes + " classes. Fix: give one per class.");
			w = given;
		}
		else {
			long[] count = new long[classes];
			for (TrainingCase c : cases) for (short l : c.labels()) count[l]++;
			long total = Arrays.stream(count).sum();
			for (int k = 0; k < classes; k++) w[k] = count[k] == 0 ? 0 : (double) total / (classes * count[k]);
		}
		float[] f = new float[channels == 1 ? 2 : classes];
		for (int k = 0; k < f.length; k++) f[k] = (float) w[k];
		return f;
	}

	/**
	 * Dice per foreground class over the validation cases; for an instance model also the AP at IoU 0.5
	 * of the decoded objects against the case's object ids, into {@code ap[0]}; {@code null} when
	 * cancelled before every case was scored.
	 */
	private static double[] validate(TrainingSession trainer, List<TrainingCase> cases, UNetConfig arch, TrainingConfig cfg,
		ProgressListener progress, ModelSpec.Instances instances, double[] ap)
	{
		int classes = Math.max(2, arch.outputChannels());
		long[] tp = new long[classes], fp = new long[classes], fn = new long[classes];
		List<InstanceMatching.Counts[]> matches = new ArrayList<>();
		var model = trainer.inferenceModel();
		for (TrainingCase c : cases) {
			if (progress.isCancelled()) return null;
			long[] size = arch.dimensions() == 2 ? new long[] { c.size()[0], c.size()[1] } : new long[] { c.size()[0], c.size()[1], c.size()[2] };
			long[] dims = Arrays.copyOf(size, size.length + 1);
			dims[size.length] = c.channels();
			Volume<net.imglib2.type.numeric.real.FloatType> v = new Volume<>(net.imglib2.img.array.ArrayImgs.floats(c.image(), dims),
				c.calibration());
			// the whole case in one tile (the whole-image prediction tiling reproduces) where it is at most 2^24 voxels
			TilePlan plan = TilePolicy.wholeImage(size, arch.alignment(), 1 << 24, SegmentationSettings.defaults().border());
			if (plan == null) {
				long[][] tiling = TilePolicy.validationTiling(Arrays.copyOf(cfg.patchSize(), size.length), arch.receptiveFieldRadius(),
					arch.alignment());
				plan = TilePlan.create(size, tiling[0], tiling[1], 0, arch.alignment(), SegmentationSettings.defaults().border());
			}
			double[] one = new double[c.channels()];
			Arrays.fill(one, 1);
			TiledInference.Output out = TiledInference.run(v, one, new double[c.channels()], model, plan, 1, 0.5, ProgressListener.NONE);
			short[] pred = new short[c.voxels()];
			int i = 0;
			for (var t : net.imglib2.view.Views.flatIterable(out.result().labels().image()))
				pred[i++] = (short) ((net.imglib2.type.numeric.RealType<?>) t).getRealDouble();
			if (instances != null) matches.add(InstanceMatching.match(c.objects(), InstanceDecoder.decode(out.result().probabilities(),
				instances.parameters(Double.NaN, Double.NaN, -1)).labels(), 0.5));
			Overlap[] o = Overlap.perClass(pred, c.labels(), classes);
			for (int k = 0; k < classes; k++) {
				if (c.present() != null && !c.present()[k]) continue; // not annotated in this case: neither missed nor wrongly found
				tp[k] += o[k].truePositives();
				fp[k] += o[k].falsePositives();
				fn[k] += o[k].falseNegatives();
			}
		}
		double[] dice = new double[classes - 1];
		for (int k = 1; k < classes; k++) dice[k - 1] = new Overlap(tp[k], fp[k], fn[k]).dice();
		if (instances != null && !matches.isEmpty()) ap[0] = InstanceMatching.sum(matches)[0].accuracy();
		return dice;
	}

	private static double mean(double[] v) {
		double s = 0;
		int n = 0;
		for (double x : v) if (!Double.isNaN(x)) {
			s += x;
			n++;
		}
		return n == 0 ? 0 : s / n;
	}

	private static ModelSpec spec(TrainingRequest r, List<TrainingCase> cases, Normalization normalization, double[] spacing) {
		TrainingCase first = cases.get(0);
		UNetConfig a = r.architecture();
		int n = a.dimensions();
		long rf = a.receptiveFieldRadius();
		long tileEdge = TilePolicy.recommendedTileEdge(n, rf, a.alignment());
		long[] tile = new long[n], halo = new long[n];
		Arrays.fill(tile, tileEdge);
		Arrays.fill(halo, rf);
		ModelSpec spec = ModelSpec.forUNet(r.name(), a, r.classNames(), normalization, spacing, first.calibration().unit(), tile, halo, null);
		if (!r.instances()) return spec;
		double[] d = cases.stream().flatMapToDouble(c -> Arrays.stream(c.objectDiameters())).sorted().toArray();
		double median = d.length == 0 ? 1 : d.length % 2 == 1 ? d[d.length / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
		// objects below a tenth of the median area are noise at the training scale
		int minSize = (int) Math.floor((a.dimensions() == 3 ? Math.PI * median * median * median / 6 : Math.PI * median * median / 4) / 10);
		InstanceDecoder.Target target = io.github.unetseg.data.InstanceTargets.levels(r.classNames()) > 0 ? InstanceDecoder.Target.DISTANCE
			: InstanceDecoder.Target.BOUNDARY;
		return spec.withInstances(new ModelSpec.Instances(0.5, 0.5, minSize, median, target.key()));
	}

	private static ModelSpec.Provenance provenance(TrainingRequest r, EpochRecord best) {
		return new ModelSpec.Provenance("unetseg 0.1.0 (TensorFlow Java 1.1.0)", Instant.now().toString(),
			"images " + r.images() + ", labels " + r.labels() + (r.initFrom() != null ? ", fine-tuned from " + r.initFrom() : ""),
			String.format(Locale.ROOT, "best epoch %d: %svalidation Dice %s, loss %.4f; %s", best.epoch(), Double.isNaN(best.validationAp())
				? "" : String.format(Locale.ROOT, "validation AP@0.5 %.4f, ", best.validationAp()), Arrays.toString(best.validationDice()),
				best.loss(), r.config()));
	}

	/**
	 * TensorFlow 2.18 (TensorFlow Java 1.1.0) turns its oneDNN kernels on by default only on CPUs with
	 * AVX-512 VNNI or BF16 or AMX, unless {@code TF_ENABLE_ONEDNN_OPTS} says otherwise; without them 3D
	 * convolution gradients take Eigen's slower path (3-5x slower 3D training here, bench/RESULTS.md).
	 * The variable is read once by native code, so Java cannot set it for itself.
	 *
	 * @param env the value of {@code TF_ENABLE_ONEDNN_OPTS}, or {@code null} when unset
	 * @param cpuinfo Linux's CPU description; on other systems (file absent) no hint is given
	 * @return a one-line hint when oneDNN is off by default here and the variable is unset, else {@code null}
	 */
	static String oneDnnHint(String env, Path cpuinfo) {
		if (env != null || !Files.isReadable(cpuinfo)) return null;
		try {
			String flags = Files.readString(cpuinfo);
			if (flags.contains("avx512_vnni") || flags.contains("avx512_bf16") || flags.contains("amx_")) return null;
		}
		catch (IOException e) {
			return null;
		}
		return "TensorFlow leaves its oneDNN kernels off on this CPU (no AVX-512 VNNI/BF16): set TF_ENABLE_ONEDNN_OPTS=1 before " +
			"Java or Fiji starts for 3-5x faster 3D training (bin/unetseg sets it)";
	}

}
