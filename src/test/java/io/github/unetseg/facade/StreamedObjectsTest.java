package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Images;

/**
 * An instance model on an image segmented without loading it: the streamed object ids (32-bit BigTIFF, windows of
 * rows decoded as they finish) equal the in-memory objects, numbering included.
 */
class StreamedObjectsTest {

	@TempDir
	Path dir;

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<net.imglib2.type.numeric.real.FloatType> cast(Volume<?> v) {
		return (Volume) v;
	}

	@AfterEach
	void reset() {
		System.clearProperty("unetseg.instanceWindow");
	}

	@Test
	void streamedNucleiEqualTheInMemoryNuclei() {
		Path tif = dir.resolve("nuclei.tif");
		ImageFiles.write(cast(ImageFiles.read(Path.of("test-images/nuclei/dsb2018-0287e7ee.png"))), tif, 0);
		// windows of 160 rows overlapping by 96 (two object diameters on each side): several windows over the image
		System.setProperty("unetseg.instanceWindow", "160");
		SegmentationSettings settings = SegmentationSettings.defaults().withProbabilities(true);
		try (Segmenter s = Engines.segmenter(Path.of("models/nuclei-fluo-2d"), new EngineOptions(Device.CPU, 2))) {
			List<FileResult> done = new ArrayList<>();
			List<String> errors = new ArrayList<>();
			FileListener collect = (i, f, status, r, e) -> {
				if (r != null) done.add(r);
				if (e != null) errors.add(e.getMessage());
			};
			s.segmentFiles(List.of(tif), dir.resolve("memory"), settings.withStream(SegmentationSettings.Stream.NEVER), false, collect);
			s.segmentFiles(List.of(tif), dir.resolve("streamed"), settings.withStream(SegmentationSettings.Stream.ALWAYS), false, collect);
			assertEquals(List.of(), errors);
			FileResult memory = done.get(0), streamed = done.get(1);
			assertEquals("nuclei_labels.btf", streamed.labelsFile().getFileName().toString());
			assertTrue(memory.result().objectCount() > 30, "objects " + memory.result().objectCount());
			assertEquals(memory.result().objectCount(), streamed.result().objectCount());
			Volume<?> a = ImageFiles.read(memory.labelsFile()), b = ImageFiles.read(streamed.labelsFile());
			assertTrue(a.spatialSize()[1] > 2 * 160 - 96, "several windows: " + a.describeSize());
			float[] x = Images.toFloats(cast(a).image()), y = Images.toFloats(cast(b).image());
			int differ = 0;
			for (int i = 0; i < x.length; i++) if (x[i] != y[i]) differ++;
			assertEquals(0, differ, "pixels whose object id differs");
			assertTrue(streamed.result().warnings().stream().noneMatch(w -> w.contains("cut")), String.valueOf(streamed.result().warnings()));
		}
	}
}
