package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.Precision;
import io.github.unetseg.tiling.TilePlan.Border;

class OptionsTest {

	@Test
	void parsesImageJOptionStringsWithBracketsAndBareKeys() {
		Map<String, String> m = Options.parse("tile=256 Overlap=0.25 images=[/my data/in] probabilities  border=mirror");
		assertEquals(Map.of("tile", "256", "overlap", "0.25", "images", "/my data/in", "probabilities", "true", "border", "mirror"), m);
		assertEquals(List.of("tile", "overlap", "images", "probabilities", "border"), List.copyOf(m.keySet()));
		assertTrue(Options.parse(null).isEmpty());
		assertTrue(Options.parse("   ").isEmpty());
		SegmentationException e = assertThrows(SegmentationException.class, () -> Options.parse("images=[/open"));
		assertTrue(e.getMessage().contains("images") && e.getMessage().contains("Fix"), e.getMessage());
	}

	@Test
	void segmentationDefaultsAreTheSettingsDefaults() {
		Options.Segmentation o = Options.segmentation(Map.of("model", "some/folder"));
		assertEquals(Path.of("some/folder"), o.model());
		SegmentationSettings d = SegmentationSettings.defaults(), s = o.settings();
		assertNull(s.tile());
		assertNull(s.halo());
		assertEquals(d.overlap(), s.overlap());
		assertEquals(d.batch(), s.batch());
		assertEquals(d.threshold(), s.threshold());
		assertEquals(d.probabilities(), s.probabilities());
		assertEquals(d.border(), s.border());
		assertFalse(s.rgbToLuminance(), "an RGB image meets a 1-channel model only by choice");
		assertEquals(Device.AUTO, o.engine().device());
		assertEquals(0, o.engine().threads());
		assertEquals(Precision.FLOAT32, o.engine().precision());
		assertFalse(o.overwrite());
	}

	@Test
	void everySegmentationOptionReachesItsRecord() {
		Options.Segmentation o = Options.segmentation(Options.parse("model=m tile=96,64 halo=0 overlap=0.5 border=mirror batch=3 " +
			"threads=2 device=cpu precision=mixed threshold=0.25 probabilities overwrite=true rgb=luminance"));
		SegmentationSettings s = o.settings();
		assertArrayEquals(new long[] { 96, 64 }, s.tile());
		assertArrayEquals(new long[] { 0 }, s.halo(), "a halo of 0 is a halo, not 'automatic'");
		assertEquals(0.5, s.overlap());
		assertEquals(Border.MIRROR, s.border());
		assertEquals(3, s.batch());
		assertEquals(0.25, s.threshold());
		assertTrue(s.probabilities());
		assertEquals(2, o.engine().threads());
		assertEquals(Device.CPU, o.engine().device());
		assertEquals(Precision.MIXED, o.engine().precision());
		assertTrue(o.overwrite());
		assertTrue(s.rgbToLuminance());
		assertNull(Options.segmentation(Map.of("model", "m", "tile", "auto")).settings().tile());
		assertNull(Options.segmentation(Map.of("model", "m", "tile", "0")).settings().tile(), "tile 0 has always meant automatic");
		assertNull(Options.segmentation(Map.of("model", "m", "halo", "model")).settings().halo());
		assertEquals(List.of(1L, 2L, 3L), java.util.Arrays.stream(Options.segmentation(Map.of("model", "m", "--tile", "1x2x3")).settings()
			.tile()).boxed().toList(), "CLI names with dashes and x-separated sizes");
	}

	@Test
	void fijiAndDialogModelChoicesMapOntoTheModelOption() {
		Map<String, String> fiji = new LinkedHashMap<>();
		fiji.put("model", "other folder");
		fiji.put("modelFolder", "/models/mine");
		assertEquals(Path.of("/models/mine"), Options.segmentation(fiji).model());
		Map<String, String> dialog = new LinkedHashMap<>(Map.of("model", "other folder...", "folder", "/models/two"));
		assertEquals(Path.of("/models/two"), Options.segmentation(dialog).model());
		Map<String, String> chosen = new LinkedHashMap<>(Map.of("model", "a/b", "modelfolder", "/ignored"));
		assertEquals(Path.of("a/b"), Options.segmentation(chosen).model(), "a chosen model wins over the folder field");
		SegmentationException e = assertThrows(SegmentationException.class, () -> Options.segmentation(Map.of("model", "other folder")));
		assertTrue(e.getMessage().contains("No model") && e.getMessage().contains("Fix"), e.getMessage());
	}

	@Test
	void wrongOrUnknownOptionsAreNamedWithTheFix() {
		SegmentationException e = assertThrows(SegmentationException.class, () -> Options.segmentation(Map.of("model", "m", "tiel", "64")));
		assertTrue(e.getMessage().contains("tiel") && e.getMessage().contains("Fix") && e.getMessage().contains("tile"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> Options.segmentation(Map.of("model", "m", "overlap", "much")));
		assertTrue(e.getMessage().contains("overlap must be a number"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> Options.segmentation(Map.of("model", "m", "overlap", "2")));
		assertTrue(e.getMessage().contains("overlap must be in [0, 0.9]"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> Options.segmentation(Map.of("model", "m", "device", "tpu")));
		assertTrue(e.getMessage().contains("tpu") && e.getMessage().contains("Fix"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> Options.training(Map.of("images", "i", "labels", "l")));
		assertTrue(e.getMessage().contains("No output folder") && e.getMessage().contains("--output"), e.getMessage());
	}

	@Test
	void trainingDefaultsAreTrainingConfigDefaults() {
		for (int dims : new int[] { 2, 3 }) {
			TrainingRequest r = Options.training(Map.of("images", "i", "labels", "l", "output", "out/m", "dims", "" + dims));
			TrainingConfig d = TrainingConfig.defaults(dims), c = r.config();
			assertEquals(d.toString(), c.toString());
			assertEquals(d.validationFraction(), c.validationFraction());
			assertEquals("m", r.name());
			assertEquals(List.of("background", "foreground"), r.classNames());
			assertEquals(1, r.architecture().classes(), "two class names make a binary model");
			assertEquals(3, r.architecture().depth());
			assertEquals(16, r.architecture().baseFilters());
			assertEquals(Normalization.percentile(), r.normalization());
			assertFalse(r.resume());
			assertNull(r.initFrom());
		}
	}

	@Test
	void everyTrainingOptionReachesItsRecord() {
		TrainingRequest r = Options.training(Options.parse("images=i labels=l validation-images=vi validationlabels=vl output=o name=n " +
			"dims=3 classes=bg,a,b channels=2 depth=2 filters=8 batch-norm dropout=0.1 normalization=fixed norm-range=-160,240 epochs=7 " +
			"steps=9 batch=4 patch=32 lr=0.01 epsilon=1e-6 weight-decay=0 schedule=cosine loss=weighted_ce class-weights=1,2,3 " +
			"foreground=0.5 no-augment validation=0.1 patience=3 seed=5 init=base resume threads=2 device=cpu precision=mixed"));
		assertEquals(Path.of("vi"), r.validationImages());
		assertEquals(Path.of("vl"), r.validationLabels());
		assertEquals("n", r.name());
		assertEquals(3, r.architecture().dimensions());
		assertEquals(3, r.architecture().classes());
		assertEquals(2, r.architecture().inputChannels());
		assertTrue(r.architecture().batchNorm());
		assertEquals(0.1, r.architecture().dropout());
		assertEquals(new Normalization(Normalization.Method.FIXED, -160, 240), r.normalization());
		TrainingConfig c = r.config();
		assertEquals(7, c.epochs());
		assertEquals(9, c.stepsPerEpoch());
		assertEquals(4, c.batchSize());
		assertArrayEquals(new long[] { 32, 32, 32 }, c.patchSize());
		assertEquals(0.01, c.learningRate());
		assertEquals(1e-6, c.epsilon());
		assertEquals(0, c.weightDecay());
		assertEquals("cosine", c.schedule());
		assertEquals("weighted_ce", c.loss());
		assertArrayEquals(new double[] { 1, 2, 3 }, c.classWeights());
		assertEquals(0.5, c.foregroundFraction());
		assertFalse(c.augment());
		assertEquals(0.1, c.validationFraction());
		assertEquals(3, c.patience());
		assertEquals(5, c.seed());
		assertEquals(Path.of("base"), r.initFrom());
		assertTrue(r.resume());
		assertEquals(2, r.engine().threads());
		assertEquals(Precision.MIXED, r.engine().precision());
	}

	/** Keys that Fiji's Train Model and the macro entries used before the names were unified keep working. */
	@Test
	void aMacroLineRecordedWithTodaysNamesStillWorks() {
		TrainingRequest r = Options.training(Options.parse("images=/d/i labels=/d/l output=/d/m dimensions=3D classes=background,brain " +
			"learningrate=0.005 initmodel=/models/base augment=false channels=1 depth=2 filters=4 epochs=2 steps=3 batch=2 patch=64 " +
			"loss=dice seed=42 resume=false device=cpu precision=float32"));
		assertEquals(3, r.architecture().dimensions());
		assertEquals(0.005, r.config().learningRate());
		assertEquals(Path.of("/models/base"), r.initFrom());
		assertFalse(r.config().augment());
		assertArrayEquals(new long[] { 64, 64, 64 }, r.config().patchSize());
		assertEquals("dice", r.config().loss());
		TrainingRequest on = Options.training(Options.parse("images=i labels=l output=o augment=true"));
		assertTrue(on.config().augment());
		Options.Segmentation s = Options.segmentation(Options.parse("model=[other folder] modelfolder=/m tile=auto overlap=0 border=same " +
			"batch=0 device=auto precision=float32 threshold=0.5"));
		assertEquals(Path.of("/m"), s.model());
	}
}
