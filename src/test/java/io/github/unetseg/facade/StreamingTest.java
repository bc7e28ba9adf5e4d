package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyNifti;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.UNetExporter;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.real.FloatType;

/** Volumes larger than memory: lazy slab reading and labels streamed to disk give what the in-memory path gives. */
class StreamingTest {

	@TempDir
	Path dir;

	@AfterEach
	void reset() {
		System.clearProperty("unetseg.streamingBytes");
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<FloatType> cast(Volume<?> v) {
		return (Volume) v;
	}

	@Test
	void lazySlabsWithATinyCacheEqualTheWholeRead() {
		Path nii = dir.resolve("ch2.nii");
		Volume<?> whole = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		ImageFiles.write(cast(whole), nii, 0);
		assertTrue(LazyNifti.supports(nii));
		assertFalse(LazyNifti.supports(Path.of("test-images/ch2.nii.gz")), "compressed files are read into memory");
		Volume<?> lazy = LazyNifti.open(nii, 1 << 20); // two slabs: every pass evicts
		assertEquals(whole.calibration(), lazy.calibration());
		assertArrayEquals(Images.toFloats(cast(whole).image()), Images.toFloats(cast(lazy).image()));
	}

	@Test
	void streamedLabelsEqualInMemoryLabels() throws Exception {
		Path nii = dir.resolve("crop.nii");
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		ImageFiles.write(new Volume<>(net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.interval(cast(ch2).image(),
			new long[] { 40, 40, 40, 0 }, new long[] { 140, 169, 120, 0 })), ch2.calibration()), nii, 0);
		UNetConfig c = new UNetConfig(3, 1, 3, 2, 4, false, 0);
		Path model = UNetExporter.writeRandom(dir.resolve("m"), ModelSpec.forUNet("stream", c, List.of("a", "b", "c"),
			Normalization.percentile(), new double[] { 1, 1, 1 }, "mm", new long[] { 64, 64, 64 }, new long[] { 23, 23, 23 }, null), 4)
			.directory();
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 2))) {
			// overlap blending and probabilities while streaming: a band of partial sums gives the in-memory values
			SegmentationSettings settings = SegmentationSettings.defaults().withTile(64).withOverlap(0.25).withProbabilities(true);
			assertFalse(LocalSegmenter.streams(nii));
			FileResult inMemory = s.segmentFile(nii, dir.resolve("memory"), settings, ProgressListener.NONE);
			System.setProperty("unetseg.streamingBytes", "0");
			assertTrue(LocalSegmenter.streams(nii));
			FileResult streamed = s.segmentFile(nii, dir.resolve("streamed"), settings, ProgressListener.NONE);
			assertEquals("crop_labels.nii", streamed.labelsFile().getFileName().toString());
			assertEquals("crop_probabilities.nii", streamed.probabilitiesFile().getFileName().toString());
			assertTrue(streamed.result().plan().tiles().size() > 1 && streamed.result().plan().blends());
			Volume<?> a = ImageFiles.read(inMemory.labelsFile()), b = ImageFiles.read(streamed.labelsFile());
			assertArrayEquals(new long[] { 101, 130, 81 }, b.spatialSize());
			assertEquals(a.calibration(), b.calibration());
			assertArrayEquals(Images.toFloats(cast(a).image()), Images.toFloats(cast(b).image()));
			float[] pa = Images.toFloats(cast(ImageFiles.read(inMemory.probabilitiesFile())).image());
			float[] pb = Images.toFloats(cast(ImageFiles.read(streamed.probabilitiesFile())).image());
			assertEquals(101 * 130 * 81 * 3, pb.length);
			double max = 0;
			for (int i = 0; i < pa.length; i++) max = Math.max(max, Math.abs(pa[i] - pb[i]));
			assertTrue(max <= 1e-6, "largest difference " + max);
			try (var files = Files.list(dir.resolve("streamed"))) {
				assertEquals(2, files.count(), "labels and probabilities, no temporary file left");
			}
			// a rerun with --probabilities skips it: both outputs are there
			List<FileStatus> rerun = new java.util.ArrayList<>();
			s.segmentFiles(List.of(nii), dir.resolve("streamed"), settings, false, (i, f, status, r, e) -> rerun.add(status));
			assertEquals(List.of(FileStatus.SKIPPED), rerun);
		}
	}

	@Test
	void aBigTiffStackStreamsByRegionsLikeInMemory() throws Exception {
		Path btf = dir.resolve("crop.btf");
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		ImageFiles.write(new Volume<>(net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.interval(cast(ch2).image(),
			new long[] { 40, 40, 40, 0 }, new long[] { 140, 169, 120, 0 })), ch2.calibration()), btf, 0);
		UNetConfig c = new UNetConfig(3, 1, 3, 2, 4, false, 0);
		Path model = UNetExporter.writeRandom(dir.resolve("m"), ModelSpec.forUNet("stream", c, List.of("a", "b", "c"),
			Normalization.percentile(), new double[] { 1, 1, 1 }, "mm", new long[] { 64, 64, 64 }, new long[] { 23, 23, 23 }, null), 4)
			.directory();
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 2))) {
			SegmentationSettings settings = SegmentationSettings.defaults().withTile(64);
			FileResult inMemory = s.segmentFile(btf, dir.resolve("memory"), settings, ProgressListener.NONE);
			System.setProperty("unetseg.streamingBytes", "0");
			assertTrue(LocalSegmenter.streams(btf));
			FileResult streamed = s.segmentFile(btf, dir.resolve("streamed"), settings, ProgressListener.NONE);
			assertEquals("crop_labels.nii", streamed.labelsFile().getFileName().toString(), "streamed labels are a NIfTI");
			Volume<?> a = ImageFiles.read(inMemory.labelsFile()), b = ImageFiles.read(streamed.labelsFile());
			assertArrayEquals(new long[] { 101, 130, 81 }, b.spatialSize());
			assertArrayEquals(Images.toFloats(cast(a).image()), Images.toFloats(cast(b).image()));
			List<FileStatus> rerun = new java.util.ArrayList<>();
			s.segmentFiles(List.of(btf), dir.resolve("streamed"), settings, false, (i, f, status, r, e) -> rerun.add(status));
			assertEquals(List.of(FileStatus.SKIPPED), rerun, "its NIfTI labels make it done");
		}
	}

	@Test
	void streamAlwaysReadsAnImagejTiffByRegionsLikeInMemoryAndNeverLoadsIt() throws Exception {
		// a classic (ImageJ) TIFF stack, far below the automatic threshold: stream=always segments it from the file
		Path tif = dir.resolve("crop.tif");
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		ImageFiles.write(new Volume<>(net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.interval(cast(ch2).image(),
			new long[] { 40, 40, 40, 0 }, new long[] { 140, 169, 120, 0 })), ch2.calibration()), tif, 0);
		UNetConfig c = new UNetConfig(3, 1, 3, 2, 4, false, 0);
		Path model = UNetExporter.writeRandom(dir.resolve("m"), ModelSpec.forUNet("stream", c, List.of("a", "b", "c"),
			Normalization.percentile(), new double[] { 1, 1, 1 }, "mm", new long[] { 64, 64, 64 }, new long[] { 23, 23, 23 }, null), 4)
			.directory();
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 2))) {
			SegmentationSettings settings = SegmentationSettings.defaults().withTile(64).withOverlap(0.25);
			List<FileResult> done = new java.util.ArrayList<>();
			List<String> errors = new java.util.ArrayList<>();
			FileListener collect = (i, f, status, r, e) -> {
				if (r != null) done.add(r);
				if (e != null) errors.add(e.getMessage());
			};
			s.segmentFiles(List.of(tif), dir.resolve("memory"), settings.withStream(SegmentationSettings.Stream.NEVER), false, collect);
			s.segmentFiles(List.of(tif), dir.resolve("streamed"), settings.withStream(SegmentationSettings.Stream.ALWAYS), false, collect);
			assertEquals(List.of(), errors);
			assertEquals("crop_labels.tif", done.get(0).labelsFile().getFileName().toString());
			assertEquals("crop_labels.nii", done.get(1).labelsFile().getFileName().toString(), "streamed");
			Volume<?> a = ImageFiles.read(done.get(0).labelsFile()), b = ImageFiles.read(done.get(1).labelsFile());
			assertArrayEquals(new long[] { 101, 130, 81 }, b.spatialSize());
			assertArrayEquals(a.calibration().spacing(), b.calibration().spacing(), 1e-6);
			assertArrayEquals(Images.toFloats(cast(a).image()), Images.toFloats(cast(b).image()));
			// a compressed NIfTI cannot be read by regions: stream=always fails it with how to convert it
			s.segmentFiles(List.of(Path.of("test-images/ch2.nii.gz")), dir.resolve("gz"), settings.withStream(SegmentationSettings.Stream.ALWAYS),
				false, collect);
			assertEquals(1, errors.size());
			assertTrue(errors.get(0).contains("ch2.nii.gz") && errors.get(0).contains("cannot be read lazily") && errors.get(0).contains("Fix:"),
				errors.get(0));
		}
		assertEquals(SegmentationSettings.Stream.AUTO, Options.segmentation(java.util.Map.of("model", "x")).settings().stream());
		assertEquals(SegmentationSettings.Stream.ALWAYS, Options.segmentation(java.util.Map.of("model", "x", "stream", "always")).settings().stream());
		assertTrue(org.junit.jupiter.api.Assertions.assertThrows(io.github.unetseg.SegmentationException.class,
			() -> Options.segmentation(java.util.Map.of("model", "x", "stream", "sometimes"))).getMessage().contains("auto, always or never"));
	}

	@Test
	void a2dBigTiffStreamsRowByRowIntoBigTiffLikeInMemory() throws Exception {
		// the MRI slice as a 2D BigTIFF; the 2D brain model with tiles of 128, overlap 0.25, probabilities
		Path btf = dir.resolve("slice.btf");
		Volume<?> slice = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif"));
		ImageFiles.write(cast(slice), btf, 0);
		SegmentationSettings settings = SegmentationSettings.defaults().withTile(128).withOverlap(0.25).withProbabilities(true)
			.withPostprocess("none");
		try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), new EngineOptions(Device.CPU, 2))) {
			SegmentationResult inMemory = s.segment(ImageFiles.read(btf), settings, ProgressListener.NONE, "slice");
			System.setProperty("unetseg.streamingBytes", "0");
			assertTrue(LocalSegmenter.streams(btf));
			FileResult streamed = s.segmentFile(btf, dir.resolve("streamed"), settings, ProgressListener.NONE);
			assertEquals("slice_labels.btf", streamed.labelsFile().getFileName().toString(), "2D streamed outputs are BigTIFF");
			assertEquals("slice_probabilities.btf", streamed.probabilitiesFile().getFileName().toString());
			assertTrue(inMemory.plan().tiles().size() > 1 && inMemory.plan().blends());
			Volume<?> labels = ImageFiles.read(streamed.labelsFile());
			assertArrayEquals(new long[] { 181, 217 }, labels.spatialSize());
			assertArrayEquals(Images.toFloats(cast(inMemory.labels()).image()), Images.toFloats(cast(labels).image()));
			assertEquals(inMemory.labels().calibration().unit(), labels.calibration().unit());
			assertArrayEquals(inMemory.labels().calibration().spacing(), labels.calibration().spacing(), 1e-6);
			float[] pa = Images.toFloats(inMemory.probabilities().image());
			float[] pb = Images.toFloats(cast(ImageFiles.read(streamed.probabilitiesFile())).image());
			assertEquals(pa.length, pb.length);
			double max = 0;
			for (int i = 0; i < pa.length; i++) max = Math.max(max, Math.abs(pa[i] - pb[i]));
			assertTrue(max <= 1e-6, "largest difference " + max);
			List<FileStatus> rerun = new java.util.ArrayList<>();
			s.segmentFiles(List.of(btf), dir.resolve("streamed"), settings, false, (i, f, status, r, e) -> rerun.add(status));
			assertEquals(List.of(FileStatus.SKIPPED), rerun, "its BigTIFF outputs make it done");
		}
	}
}
