package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.real.FloatType;

class FolderRunTest {

	@TempDir
	Path dir;

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static float[] pixels(Volume<?> v) {
		return Images.toFloats(((Volume<FloatType>) (Volume) v).image());
	}

	/** Cancelling during one file still completes and reports the file before it, whose write was in flight. */
	@Test
	void cancellingAFileStillFinishesThePreviousFilesOutputs() throws Exception {
		Path in = Files.createDirectories(dir.resolve("in")), out = dir.resolve("out");
		Path a = Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), in.resolve("a.tif"));
		Path b = Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("b.tif"));
		List<Outcome> seen = new ArrayList<>();
		try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), new EngineOptions(Device.CPU, 0))) {
			FileListener listener = new FileListener() {
				@Override
				public void file(int index, Path input, FileStatus status, FileResult result,
					SegmentationException error)
				{
					seen.add(new Outcome(index, input, status, error));
				}

				@Override
				public ProgressListener progress(int index, Path input) {
					return new ProgressListener() {
						@Override
						public void progress(long done, long total, String message) {}

						@Override
						public boolean isCancelled() {
							return index == 1;
						}
					};
				}
			};
			org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CancellationException.class,
				() -> s.segmentFiles(List.of(a, b), out, SegmentationSettings.defaults(), false, listener));
		}
		assertEquals(1, seen.size(), "the first file is reported");
		assertEquals(FileStatus.DONE, seen.get(0).status());
		assertTrue(Files.isRegularFile(out.resolve("a_labels.tif")));
		assertTrue(!Files.exists(out.resolve("b_labels.tif")));
	}

	record Outcome(int index, Path input, FileStatus status, SegmentationException error) {}

	/** The next file is read while the current one is segmented; outcomes and outputs are those of one file at a time. */
	@Test
	void batchesReportInInputOrderWithReadFailuresSkipsAndIdenticalOutputs() throws Exception {
		Path in = Files.createDirectories(dir.resolve("in")), out = dir.resolve("out"), single = dir.resolve("single");
		Path a = Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), in.resolve("a.tif"));
		Path broken = Files.write(in.resolve("b.tif"), "not a TIFF at all".getBytes());
		Path c = Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("c.tif"));
		Path d = Files.copy(Path.of("test-images/mri-t1-axial-z90.tif"), in.resolve("d.tif"));
		Path e = Files.copy(Path.of("test-images/mri-t1-axial-z70.tif"), in.resolve("e.tif"));
		Files.createDirectories(out);
		Files.writeString(out.resolve("c_labels.tif"), "already done"); // outputs exist: skipped
		Files.createDirectories(out.resolve("e_labels.tif").resolve("in-the-way")); // a folder where e's labels go: e's write fails
		List<Outcome> seen = new ArrayList<>();
		try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), new EngineOptions(Device.CPU, 0))) {
			var counts = s.segmentFiles(List.of(a, broken, c, e, d), out, SegmentationSettings.defaults(), false,
				(i, f, status, result, error) -> {
					seen.add(new Outcome(i, f, status, error));
					if (status == FileStatus.DONE) assertTrue(Files.isRegularFile(result.labelsFile()), "written before reported");
				});
			assertEquals(2, counts.get(FileStatus.DONE));
			assertEquals(2, counts.get(FileStatus.FAILED));
			assertEquals(1, counts.get(FileStatus.SKIPPED));
			assertEquals(List.of(0, 1, 2, 3, 4), seen.stream().map(Outcome::index).toList());
			assertEquals(List.of(FileStatus.DONE, FileStatus.FAILED, FileStatus.SKIPPED,
				FileStatus.FAILED, FileStatus.DONE), seen.stream().map(Outcome::status).toList());
			assertNotNull(seen.get(1).error());
			assertTrue(seen.get(1).error().getMessage().contains("b.tif"), seen.get(1).error().getMessage());
			assertTrue(seen.get(3).error().getMessage().contains("e_labels.tif"), "a failed write is its own file's failure: " +
				seen.get(3).error().getMessage());
			assertNull(seen.get(0).error());
			assertEquals("already done", Files.readString(out.resolve("c_labels.tif")), "a skipped file's output is untouched");
			for (Path f : List.of(a, d)) {
				FileResult alone = s.segmentFile(f, single, SegmentationSettings.defaults(), ProgressListener.NONE);
				assertArrayEquals(pixels(ImageFiles.read(alone.labelsFile())), pixels(ImageFiles.read(OutputFiles.labels(f, out))),
					f.toString());
			}
		}
	}
}
