package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.BatchMemoryException;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TileModel;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

/**
 * A tile that does not fit in memory is retried at half the size ({@link TileRetry}): an engine that runs
 * out of memory above a tile size still segments the whole file, logs the retry, and gives the labels of a
 * run that used the smaller tiles from the start.
 */
class TileRetryTest {

	/** Probability 0.9 where the normalised input exceeds 0.5, else 0.1; out of memory for tiles above {@code limit} pixels. */
	record StepModel(long limit) implements TileModel {

		@Override
		public int inputChannels() {
			return 1;
		}

		@Override
		public int outputChannels() {
			return 1;
		}

		@Override
		public float[] predict(float[] input, int batch, long[] tileSize) {
			long voxels = 1;
			for (long s : tileSize) voxels *= s;
			if (voxels > limit) throw new BatchMemoryException("stand-in engine: no memory for " + voxels + " pixels", null);
			float[] out = new float[input.length];
			for (int i = 0; i < out.length; i++) out[i] = input[i] > 0.5f ? 0.9f : 0.1f;
			return out;
		}
	}

	static final ModelSpec SPEC = ModelBundle.read(Path.of("models/brain-mri-2d")).spec();

	static Volume<UnsignedByteType> image() {
		byte[] v = new byte[600 * 400];
		new Random(5).nextBytes(v);
		return new Volume<>(ArrayImgs.unsignedBytes(v, 600, 400, 1), Calibration.uncalibrated(2));
	}

	static byte[] labels(SegmentationResult r) {
		byte[] b = new byte[(int) r.labels().voxelCount()];
		int i = 0;
		for (Object t : Views.flatIterable(r.labels().image())) b[i++] = (byte) ((net.imglib2.type.numeric.RealType<?>) t).getRealDouble();
		return b;
	}

	static SegmentationResult segment(long limit, SegmentationSettings s) {
		try (LocalSegmenter seg = new LocalSegmenter(SPEC, new StepModel(limit), "stand-in", () -> {}, new EngineOptions(Device.CPU, 1), false)) {
			return seg.segment(image(), s.withPostprocess("none"), ProgressListener.NONE, "random");
		}
	}

	@Test
	void anOutOfMemoryTileIsRetriedAtHalfTheSizeAndTheFileCompletes() {
		SegmentationResult r = segment(100_000, SegmentationSettings.defaults().withTile(512));
		// the plan's first tile is [512, 400] (the image is 400 high); half of it fits
		assertArrayEquals(new long[] { 256, 200 }, r.plan().tileSize());
		assertTrue(r.warnings().stream().anyMatch(w -> w.contains("out of memory with one tile of [512, 400]") &&
			w.contains("retried with tiles of [256, 200]")), r.warnings().toString());
		SegmentationResult direct = segment(Long.MAX_VALUE, SegmentationSettings.defaults().withTile(256, 200));
		assertArrayEquals(labels(direct), labels(r), "the retried run equals a run with the small tiles");
		// the labels are right: 0.9 where the input was above the middle of its percentile window
		long ones = 0;
		for (byte b : labels(r)) ones += b;
		assertTrue(ones > 0.3 * 600 * 400 && ones < 0.7 * 600 * 400, ones + " foreground pixels");
	}

	@Test
	void twoHalvingsAndTheSmallestTile() {
		SegmentationResult r = segment(20_000, SegmentationSettings.defaults().withTile(512));
		// [512, 400] -> [256, 200] -> [128, 112]: 112 is the least tile around a halo of 51 on the 8-pixel grid
		assertArrayEquals(new long[] { 128, 112 }, r.plan().tileSize());
		assertEquals(2, r.warnings().stream().filter(w -> w.contains("retried")).count());
		SegmentationException e = assertThrows(SegmentationException.class, () -> segment(1000, SegmentationSettings.defaults().withTile(512)));
		assertTrue(e.getMessage().contains("does not fit in memory") && e.getMessage().contains("Fix:"), e.getMessage());
	}

	@Test
	void whileStreamingTheFilesStartAgainWithHalfTheTile(@org.junit.jupiter.api.io.TempDir Path dir) throws java.io.IOException {
		Path btf = dir.resolve("random.btf");
		io.github.unetseg.io.ImageFiles.write(image(), btf, 0);
		SegmentationSettings s = SegmentationSettings.defaults().withTile(512).withPostprocess("none");
		System.setProperty("unetseg.streamingBytes", "0");
		try (LocalSegmenter seg = new LocalSegmenter(SPEC, new StepModel(100_000), "stand-in", () -> {}, new EngineOptions(Device.CPU, 1), false)) {
			FileResult r = seg.segmentFile(btf, dir.resolve("out"), s, ProgressListener.NONE);
			assertEquals("random_labels.btf", r.labelsFile().getFileName().toString());
			assertArrayEquals(new long[] { 256, 200 }, r.result().plan().tileSize());
			assertTrue(r.result().warnings().stream().anyMatch(w -> w.contains("retried with tiles of [256, 200]")), r.result().warnings().toString());
			byte[] streamed = new byte[600 * 400];
			int i = 0;
			for (float v : io.github.unetseg.testutil.Images.toFloats(cast(io.github.unetseg.io.ImageFiles.read(r.labelsFile())).image()))
				streamed[i++] = (byte) v;
			assertArrayEquals(labels(segment(Long.MAX_VALUE, s.withTile(256, 200))), streamed, "the restarted files hold the small tiles' labels");
			try (var files = java.nio.file.Files.list(dir.resolve("out"))) {
				assertEquals(1, files.count(), "the first attempt's unfinished file is gone");
			}
		}
		finally {
			System.clearProperty("unetseg.streamingBytes");
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<UnsignedByteType> cast(Volume<?> v) {
		return (Volume) v;
	}
}
