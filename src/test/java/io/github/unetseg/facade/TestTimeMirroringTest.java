package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.MirroredTileModel;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TileModel;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * {@code --tta}: mirrors what training mirrored (refused for a model trained without mirroring, and where that is not
 * recorded, for anatomical models), and the shipped 2D model with it, in memory and streamed.
 */
class TestTimeMirroringTest {

	@Test
	void aModelWithAnAnatomicalOrientationIsNotMirrored() throws Exception {
		TileModel net = new io.github.unetseg.objects.InstanceDecoderTest.PointwiseModel();
		// a CT model in PLI axes, trained without mirroring: mirrored inputs are outside what it learnt
		try (LocalSegmenter s = new LocalSegmenter(ModelGridTest.spec(Normalization.percentile()), net, "stand-in", () -> {},
			new EngineOptions(Device.CPU, 1), false))
		{
			assertSame(net, s.tileModel(SegmentationSettings.defaults()), "no mirroring unless asked");
			String m = assertThrows(SegmentationException.class, () -> s.tileModel(SegmentationSettings.defaults().withTta(true))).getMessage();
			assertTrue(m.contains("anatomical orientation, PLI") && m.contains("Fix: leave out tta"), m);
		}
	}

	@Test
	void whatTrainingMirroredDecides() {
		TileModel net = new io.github.unetseg.objects.InstanceDecoderTest.PointwiseModel();
		ModelSpec oriented = ModelGridTest.spec(Normalization.percentile());
		// recorded as mirrored in training: mirrored at test time although it has an orientation
		try (LocalSegmenter s = new LocalSegmenter(oriented.withMirrored(true), net, "stand-in", () -> {}, new EngineOptions(Device.CPU, 1), false)) {
			assertTrue(s.tileModel(SegmentationSettings.defaults().withTta(true)) instanceof MirroredTileModel);
		}
		// recorded as not mirrored, no orientation (a microscopy model trained with --mirror false): refused
		try (LocalSegmenter s = new LocalSegmenter(oriented.withOrientation(null).withMirrored(false), net, "stand-in", () -> {},
			new EngineOptions(Device.CPU, 1), false))
		{
			String m = assertThrows(SegmentationException.class, () -> s.tileModel(SegmentationSettings.defaults().withTta(true))).getMessage();
			assertTrue(m.contains("trained without mirroring") && !m.contains("orientation") && m.contains("Fix: leave out tta"), m);
		}
	}

	@Test
	void theShippedBrainModelWithMirroringScoresAsWellAndStreamsTheSameLabels(@TempDir Path dir) {
		Path slice = Path.of("test-images/mri-t1-axial-z90.tif");
		Volume<?> image = ImageFiles.read(slice);
		short[] truth = values(ImageFiles.read(Path.of("test-images/mri-t1-axial-z90-brainmask.tif")));
		SegmentationSettings tta = SegmentationSettings.defaults().withTta(true).withPostprocess("none");
		try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), new EngineOptions(Device.CPU, 0))) {
			short[] plain = values(segment(s, image, tta.withTta(false)).labels());
			short[] mirrored = values(segment(s, image, tta).labels());
			assertNotEquals(java.util.Arrays.hashCode(plain), java.util.Arrays.hashCode(mirrored), "the mean of 4 runs differs somewhere");
			long differ = 0;
			for (int i = 0; i < plain.length; i++) if (plain[i] != mirrored[i]) differ++;
			assertTrue(differ < plain.length / 100, differ + " of " + plain.length + " pixels differ");
			double d0 = Overlap.perClass(plain, truth, 2)[1].dice(), d1 = Overlap.perClass(mirrored, truth, 2)[1].dice();
			assertTrue(d1 >= 0.985 && d1 >= d0 - 0.002, "Dice with mirroring " + d1 + ", without " + d0);
			FileResult streamed = s.segmentFile(slice, dir, tta.withStream(SegmentationSettings.Stream.ALWAYS), ProgressListener.NONE);
			assertArrayEquals(mirrored, values(ImageFiles.read(streamed.labelsFile())), "streamed with mirroring: the same labels");
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static SegmentationResult segment(Segmenter s, Volume<?> v, SegmentationSettings settings) {
		return s.segment((Volume) v, settings, ProgressListener.NONE, "slice");
	}

	private static short[] values(Volume<?> v) {
		short[] out = new short[(int) v.voxelCount()];
		int i = 0;
		for (Object t : Views.flatIterable(v.image())) out[i++] = (short) Math.round(((RealType<?>) t).getRealDouble());
		return out;
	}
}
