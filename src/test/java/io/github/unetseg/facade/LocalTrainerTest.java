package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.TensorFlowModel;
import io.github.unetseg.tensorflow.TrainingSession;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/** Training on synthetic bright-disk images with a known answer (the disks). */
@Tag("slow")
class LocalTrainerTest {

	@TempDir
	static Path dir;

	static final EngineOptions CPU = new EngineOptions(Device.CPU, 2);

	/** Writes n pairs of noisy images with bright disks (2D) or balls (3D) and their masks. */
	static Path data(String name, int n, long... size) {
		Path root = dir.resolve(name);
		Random r = new Random(name.hashCode());
		for (int k = 0; k < n; k++) {
			long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
			dims[size.length] = 1;
			ArrayImg<UnsignedByteType, ?> img = ArrayImgs.unsignedBytes(dims), lab = ArrayImgs.unsignedBytes(dims);
			double[][] centres = new double[6][size.length];
			for (double[] c : centres) for (int d = 0; d < size.length; d++) c[d] = r.nextDouble() * size[d];
			var ci = img.cursor();
			var cl = lab.cursor();
			while (ci.hasNext()) {
				ci.fwd();
				cl.fwd();
				boolean in = false;
				for (double[] c : centres) {
					double q = 0;
					for (int d = 0; d < size.length; d++) q += Math.pow(ci.getDoublePosition(d) - c[d], 2);
					in |= q < 36;
				}
				cl.get().set(in ? 1 : 0);
				ci.get().set((int) Math.max(0, Math.min(255, (in ? 150 : 60) + r.nextGaussian() * 20)));
			}
			Calibration cal = Calibration.uncalibrated(size.length);
			String ext = size.length == 3 ? ".nii.gz" : ".tif";
			ImageFiles.write(new Volume<>(img, cal), root.resolve("images/case" + k + ext), 0);
			ImageFiles.write(new Volume<>(lab, cal), root.resolve("labels/case" + k + ext), 2);
		}
		return root;
	}

	static TrainingRequest request(Path data, Path out, UNetConfig arch, TrainingConfig cfg, Path init, boolean resume) {
		return new TrainingRequest(data.resolve("images"), data.resolve("labels"), null, null, out, out.getFileName().toString(),
			arch, List.of("background", "disk"), Normalization.percentile(), cfg, init, resume, CPU, false);
	}

	static Path data2d, data3d;

	@BeforeAll
	static void makeData() {
		data2d = data("d2", 4, 64, 64);
		data3d = data("d3", 2, 32, 32, 32);
	}

	static double meanLoss(List<EpochRecord> h, int from, int to) {
		double s = 0;
		for (int i = from; i < to; i++) s += h.get(i).loss();
		return s / (to - from);
	}

	@Test
	void lossFallsAndTheModelFindsTheDisks2D() throws java.io.IOException {
		UNetConfig arch = new UNetConfig(2, 1, 1, 2, 8, false, 0);
		TrainingConfig cfg = TrainingConfig.defaults(2).withSchedule(10, 20).withPatches(4, 32, 32).withPatience(0);
		TrainingOutcome o = new LocalTrainer().train(request(data2d, dir.resolve("m2"), arch, cfg, null, false),
			ProgressListener.NONE, null);
		assertEquals(10, o.history().size());
		assertTrue(meanLoss(o.history(), 7, 10) < 0.5 * meanLoss(o.history(), 0, 2), "loss falls: " + o.history());
		assertTrue(o.bestDice() > 0.8, "validation Dice " + o.bestDice());
		assertTrue(Files.exists(o.model().directory().resolve("history.csv")));
		assertTrue(Files.exists(o.model().directory().resolve("history.png")));
		assertEquals(11, Files.readAllLines(o.model().directory().resolve("history.csv")).size());
		// the file reads back as the records (for callers that trained in another process)
		List<EpochRecord> back = TrainingHistory.read(o.model().directory());
		assertEquals(o.history().size(), back.size());
		for (int i = 0; i < back.size(); i++) {
			EpochRecord a = o.history().get(i), b = back.get(i);
			assertEquals(a.epoch(), b.epoch());
			assertEquals(a.loss(), b.loss(), 1e-6);
			assertEquals(a.meanDice(), b.meanDice(), 1e-6);
			assertEquals(a.validationDice().length, b.validationDice().length);
			assertEquals(a.validationDice()[0], b.validationDice()[0], 1e-6);
			assertEquals(a.patchesPerSecond(), b.patchesPerSecond(), 0.01);
		}
	}

	@Test
	void pairsReadLazilyTrainAsCrops() {
		Path big = data("big", 3, 160, 160);
		List<String> messages = new ArrayList<>();
		ProgressListener log = new ProgressListener() {
			@Override
			public void progress(long done, long total, String message) {
				messages.add(message);
			}
		};
		System.setProperty("unetseg.streamingBytes", "0");
		System.setProperty("unetseg.trainingCropValues", "6400");
		try {
			UNetConfig arch = new UNetConfig(2, 1, 1, 2, 8, false, 0);
			TrainingConfig cfg = TrainingConfig.defaults(2).withSchedule(30, 20).withPatches(4, 32, 32).withPatience(0);
			TrainingOutcome o = new LocalTrainer().train(request(big, dir.resolve("crops"), arch, cfg, null, false), log, null);
			// 160^2 in crops of 80^2 overlapping by a patch (32): starts 0, 48, 80 per axis
			assertEquals(3, messages.stream().filter(m -> m.contains("(160 x 160) split into 9 crops of at most 6400 values")).count(), messages.toString());
			System.clearProperty("unetseg.streamingBytes");
			System.clearProperty("unetseg.trainingCropValues");
			TrainingOutcome w = new LocalTrainer().train(request(big, dir.resolve("whole-big"), arch, cfg, null, false), ProgressListener.NONE, null);
			// the same run on the whole images (read in memory, one case each): crops lose little (0.90 vs 0.95 measured)
			assertTrue(o.bestDice() > 0.8 && o.bestDice() > w.bestDice() - 0.1, "validation Dice on the crops " + o.bestDice() + ", whole " +
				w.bestDice());
		}
		finally {
			System.clearProperty("unetseg.streamingBytes");
			System.clearProperty("unetseg.trainingCropValues");
		}
	}

	@Test
	void lossFalls3D() {
		UNetConfig arch = new UNetConfig(3, 1, 1, 2, 4, true, 0.1);
		TrainingConfig cfg = TrainingConfig.defaults(3).withSchedule(6, 25).withPatches(2, 16, 16, 16).withPatience(0);
		TrainingOutcome o = new LocalTrainer().train(request(data3d, dir.resolve("m3"), arch, cfg, null, false),
			ProgressListener.NONE, null);
		assertTrue(meanLoss(o.history(), 4, 6) < 0.6 * meanLoss(o.history(), 0, 1), "loss falls: " + o.history());
		assertTrue(o.bestDice() > 0.5, "validation Dice " + o.bestDice());
	}

	@Test
	void resumeAfterAKillContinuesLikeTheUninterruptedRun() {
		UNetConfig arch = new UNetConfig(2, 1, 1, 2, 4, true, 0.2);
		TrainingConfig cfg = TrainingConfig.defaults(2).withSchedule(3, 8).withPatches(2, 32, 32).withPatience(0);
		TrainingOutcome whole = new LocalTrainer().train(request(data2d, dir.resolve("whole"), arch, cfg, null, false),
			ProgressListener.NONE, null);
		Path killed = dir.resolve("killed");
		List<Integer> seen = new ArrayList<>();
		ProgressListener killAfterTwoEpochs = new ProgressListener() {
			@Override
			public void progress(long done, long total, String message) {}

			@Override
			public boolean isCancelled() {
				return seen.size() >= 2;
			}
		};
		TrainingOutcome first = new LocalTrainer().train(request(data2d, killed, arch, cfg, null, false), killAfterTwoEpochs,
			e -> seen.add(e.epoch()));
		assertTrue(first.cancelled());
		assertEquals(2, first.history().size());
		assertThrows(SegmentationException.class, () -> new LocalTrainer().train(request(data2d, killed, arch, cfg, null, false),
			ProgressListener.NONE, null), "without --resume an existing model is not overwritten");
		TrainingOutcome resumed = new LocalTrainer().train(request(data2d, killed, arch, cfg, null, true), ProgressListener.NONE,
			null);
		assertEquals(3, resumed.history().size());
		for (int i = 0; i < 3; i++)
			assertEquals(whole.history().get(i).loss(), resumed.history().get(i).loss(), 1e-4, "epoch " + (i + 1));
		Map<String, float[]> a = TrainingSession.readWeights(whole.model().directory());
		Map<String, float[]> b = TrainingSession.readWeights(resumed.model().directory());
		assertEquals(a.keySet(), b.keySet());
		for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), 1e-4f, k);

		// stopped within an epoch (a signal on a cluster): the checkpoint holds the steps done, --resume the rest
		for (int stopAt : new int[] { 3, 11 }) {
			Path stopped = dir.resolve("stopped" + stopAt);
			int[] steps = { 0 };
			ProgressListener stopAfterSteps = new ProgressListener() {
				@Override
				public void progress(long done, long total, String message) {
					if (message.contains(" step ")) steps[0]++;
				}

				@Override
				public boolean isCancelled() {
					return steps[0] >= stopAt;
				}
			};
			if (stopAt < 8) assertThrows(java.util.concurrent.CancellationException.class, () -> new LocalTrainer().train(request(
				data2d, stopped, arch, cfg, null, false), stopAfterSteps, null), "no epoch ended, so no model: a checkpoint only");
			else assertEquals(1, new LocalTrainer().train(request(data2d, stopped, arch, cfg, null, false), stopAfterSteps, null)
				.history().size());
			assertTrue(Files.exists(stopped.resolve("training/checkpoint/state.json")), "checkpoint after " + stopAt + " steps");
			TrainingOutcome rest = new LocalTrainer().train(request(data2d, stopped, arch, cfg, null, true), ProgressListener.NONE, null);
			assertEquals(3, rest.history().size());
			for (int i = 0; i < 3; i++)
				assertEquals(whole.history().get(i).loss(), rest.history().get(i).loss(), 1e-4, "stopped at step " + stopAt + ", epoch " + (i + 1));
			Map<String, float[]> c = TrainingSession.readWeights(rest.model().directory());
			for (String k : a.keySet()) assertArrayEquals(a.get(k), c.get(k), 1e-4f, "stopped at step " + stopAt + ": " + k);
		}
	}

	@Test
	void fineTuningChangesTheWeightsAndKeepsTheBundleLoadable() {
		UNetConfig arch = new UNetConfig(2, 1, 1, 2, 4, false, 0);
		TrainingConfig cfg = TrainingConfig.defaults(2).withSchedule(1, 5).withPatches(2, 32, 32);
		Path base = new LocalTrainer().train(request(data2d, dir.resolve("base"), arch, cfg, null, false), ProgressListener.NONE, null)
			.model().directory();
		Path tuned = new LocalTrainer().train(request(data2d, dir.resolve("tuned"), arch, cfg.withSeed(7).withLearningRate(1e-2), base,
			false), ProgressListener.NONE, null).model().directory();
		Map<String, float[]> a = TrainingSession.readWeights(base), b = TrainingSession.readWeights(tuned);
		assertEquals(a.keySet(), b.keySet());
		double change = 0, size = 0;
		for (String k : a.keySet())
			for (int i = 0; i < a.get(k).length; i++) {
				change += Math.abs(a.get(k)[i] - b.get(k)[i]);
				size += Math.abs(a.get(k)[i]);
			}
		assertTrue(change > 1e-3 * size, "weights changed");
		assertTrue(change < size, "weights started from the base model, not from scratch");
		try (TensorFlowModel m = TensorFlowModel.load(io.github.unetseg.model.ModelBundle.read(tuned), CPU)) {
			float[] p = m.predict(new float[32 * 32], 1, new long[] { 32, 32 });
			for (float v : p) assertTrue(v >= 0 && v <= 1);
		}
	}

	@Test
	void allDataProblemsAreReportedAtOnce() throws Exception {
		Path bad = dir.resolve("bad");
		Calibration cal = Calibration.uncalibrated(2);
		ImageFiles.write(new Volume<>(ArrayImgs.unsignedBytes(20, 20, 1), cal), bad.resolve("images/a.tif"), 0);
		ImageFiles.write(new Volume<>(ArrayImgs.unsignedBytes(21, 20, 1), cal), bad.resolve("labels/a.tif"), 0);
		ArrayImg<UnsignedByteType, ?> three = ArrayImgs.unsignedBytes(20, 20, 1);
		three.firstElement().set(3);
		ImageFiles.write(new Volume<>(ArrayImgs.unsignedBytes(20, 20, 1), cal), bad.resolve("images/b.tif"), 0);
		ImageFiles.write(new Volume<>(three, cal), bad.resolve("labels/b.tif"), 0);
		ArrayImg<net.imglib2.type.numeric.real.FloatType, ?> nan = ArrayImgs.floats(20, 20, 1);
		nan.firstElement().set(Float.NaN);
		ImageFiles.write(new Volume<>(nan, cal), bad.resolve("images/c.tif"), 0);
		ImageFiles.write(new Volume<>(ArrayImgs.unsignedBytes(20, 20, 1), cal), bad.resolve("labels/c.tif"), 0);
		ImageFiles.write(new Volume<>(ArrayImgs.unsignedBytes(20, 20, 1), cal), bad.resolve("images/d.tif"), 0);
		UNetConfig arch = new UNetConfig(2, 1, 1, 2, 4, false, 0);
		TrainingConfig cfg = TrainingConfig.defaults(2).withSchedule(1, 1).withPatches(1, 16, 16);
		SegmentationException e = assertThrows(SegmentationException.class, () -> new LocalTrainer().train(request(bad,
			dir.resolve("never"), arch, cfg, null, false), ProgressListener.NONE, null));
		assertTrue(e.getMessage().contains("d.tif has no label file"), e.getMessage());
		Files.delete(bad.resolve("images/d.tif"));
		e = assertThrows(SegmentationException.class, () -> new LocalTrainer().train(request(bad, dir.resolve("never"), arch, cfg, null,
			false), ProgressListener.NONE, null));
		String m = e.getMessage();
		assertTrue(m.contains("3 problem(s)") && m.contains("differ in size") && m.contains("has label 3") && m.contains("NaN"), m);
		assertFalse(Files.exists(dir.resolve("never/saved_model.pb")));
	}

	@Test
	void oneDnnHintOnlyWhereTensorFlowLeavesItOff(@TempDir Path dir) throws Exception {
		Path plain = Files.writeString(dir.resolve("plain"), "flags\t\t: fpu sse avx2 fma avx512f\n");
		Path bf16 = Files.writeString(dir.resolve("bf16"), "flags\t\t: fpu avx2 avx512f avx512_bf16\n");
		String hint = LocalTrainer.oneDnnHint(null, plain);
		assertTrue(hint != null && hint.contains("TF_ENABLE_ONEDNN_OPTS=1"), hint);
		assertEquals(null, LocalTrainer.oneDnnHint("0", plain), "a user's own choice is not second-guessed");
		assertEquals(null, LocalTrainer.oneDnnHint(null, bf16), "on by default on AVX-512 BF16 CPUs");
		assertEquals(null, LocalTrainer.oneDnnHint(null, dir.resolve("absent")), "no /proc/cpuinfo: no guess");
	}
}
