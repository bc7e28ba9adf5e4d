package io.github.unetseg.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.RewriterConfig;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.real.FloatType;

class EngineOptionsTest {

	@Test
	void mixedPrecisionTurnsOnTheMixedPrecisionRewrites() {
		RewriterConfig cpu = SessionConfigs.of(new EngineOptions(Device.CPU, 0, Precision.MIXED)).getGraphOptions().getRewriteOptions();
		assertEquals(RewriterConfig.Toggle.ON, cpu.getAutoMixedPrecisionOnednnBfloat16());
		assertEquals(RewriterConfig.Toggle.DEFAULT, cpu.getAutoMixedPrecision(), "no float16 GPU rewrite when GPUs are hidden");
		RewriterConfig auto = SessionConfigs.of(new EngineOptions(Device.AUTO, 0, Precision.MIXED)).getGraphOptions().getRewriteOptions();
		assertEquals(RewriterConfig.Toggle.ON, auto.getAutoMixedPrecision());
		RewriterConfig fp32 = SessionConfigs.of(new EngineOptions(Device.AUTO, 0)).getGraphOptions().getRewriteOptions();
		assertEquals(RewriterConfig.Toggle.DEFAULT, fp32.getAutoMixedPrecisionOnednnBfloat16());
		assertEquals(RewriterConfig.Toggle.DEFAULT, fp32.getAutoMixedPrecision());
		assertEquals(Precision.MIXED, Precision.parse(" Mixed "));
		var e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
		assertTrue(e.getMessage().contains("'float32' or 'mixed'"), e.getMessage());
	}

	/** Mixed-precision training follows the float32 trajectory of the same seeded steps closely. */
	@Test
	void mixedPrecisionTrainingStepsFollowFloat32() {
		io.github.unetseg.model.UNetConfig arch = new io.github.unetseg.model.UNetConfig(2, 1, 1, 2, 8, false, 0);
		io.github.unetseg.model.TrainingConfig cfg = io.github.unetseg.model.TrainingConfig.defaults(2).withPatches(2, new long[] { 64, 64 });
		float[] x = new float[2 * 64 * 64];
		short[] y = new short[x.length];
		for (int i = 0; i < x.length; i++) { // a bright square on noise: learnable in a few steps
			int px = i % 64, py = (i / 64) % 64;
			y[i] = (short) (px > 16 && px < 48 && py > 16 && py < 48 ? 1 : 0);
			x[i] = y[i] + (float) Math.sin(i * 12.9898) * 0.3f;
		}
		float[][] loss = new float[2][12];
		Precision[] ps = { Precision.FLOAT32, Precision.MIXED };
		for (int k = 0; k < 2; k++)
			try (TrainingSession t = new TrainingSession(arch, cfg, new EngineOptions(Device.CPU, 0, ps[k]), null)) {
				t.initialize(java.util.Map.of());
				for (int s = 0; s < loss[k].length; s++) loss[k][s] = t.step(x, y, 2, s + 1, 1e-3);
			}
		System.out.println("float32 losses " + java.util.Arrays.toString(loss[0]) + "\nmixed losses   " + java.util.Arrays.toString(loss[1]));
		assertTrue(loss[1][11] < 0.85 * loss[1][0], "mixed-precision training learns: " + java.util.Arrays.toString(loss[1]));
		for (int s = 0; s < loss[0].length; s++)
			assertEquals(loss[0][s], loss[1][s], 0.05 * loss[0][s], "step " + (s + 1));
	}

	/**
	 * On a CPU with AVX512_BF16 (the development machine) the convolutions run in bfloat16; elsewhere
	 * TensorFlow keeps float32. Either way the result must stay within bfloat16's accuracy of float32.
	 */
	@Test
	void mixedPrecisionStaysCloseToFloat32OnARealImage() {
		@SuppressWarnings({ "unchecked", "rawtypes" })
		Volume<FloatType> v = (Volume) ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif"));
		float[][] p = new float[2][], l = new float[2][];
		Precision[] ps = { Precision.FLOAT32, Precision.MIXED };
		for (int i = 0; i < 2; i++) {
			try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), new EngineOptions(Device.CPU, 0, ps[i]))) {
				var r = s.segment(v, SegmentationSettings.defaults().withProbabilities(true), ProgressListener.NONE, "z90");
				p[i] = Images.toFloats(r.probabilities().image());
				@SuppressWarnings({ "unchecked", "rawtypes" })
				Volume<FloatType> labels = (Volume) r.labels();
				l[i] = Images.toFloats(labels.image());
				assertTrue(s.device().endsWith(ps[i] == Precision.MIXED ? ", mixed precision" : "CPU"), s.device());
			}
		}
		double max = 0;
		int differ = 0;
		for (int k = 0; k < p[0].length; k++) {
			max = Math.max(max, Math.abs(p[0][k] - p[1][k]));
			if (l[0][k] != l[1][k]) differ++;
		}
		System.out.printf(java.util.Locale.ROOT, "mixed vs float32: max |dp| %.3g, labels differ on %d of %d pixels%n", max, differ,
			p[0].length);
		assertTrue(max < 0.15, "probabilities differ by " + max);
		assertTrue(differ <= p[0].length / 1000, differ + " labels differ");
	}
}
