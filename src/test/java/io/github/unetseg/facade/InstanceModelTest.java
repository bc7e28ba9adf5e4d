package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.data.InstanceTargets;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.testutil.InstanceModels;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * An instance model trained on synthetic touching discs, end to end: the targets, training that
 * validates by AP, model.json's task and object diameter, and segmentation through the facade with
 * objects, ROIs and the object table.
 */
@Tag("slow")
class InstanceModelTest {

	@TempDir
	static Path dir;

	static final int SIZE = InstanceModels.SIZE;
	static Path model;

	@BeforeAll
	static void train() {
		TrainingOutcome o = InstanceModels.trained();
		model = o.model().directory();
		assertEquals(8, o.history().size());
		for (EpochRecord e : o.history()) assertTrue(e.validationAp() >= 0 && e.validationAp() <= 1, "AP defined: " + e);
		assertEquals(TrainingHistory.best(o.history()).validationAp(), o.bestDice(), 1e-12, "the best epoch is chosen by AP");
	}

	@Test
	void optionsMakeAnInstanceRequest() {
		TrainingRequest r = Options.training(Map.of("images", "i", "labels", "l", "output", "o", "task", "instances"));
		assertTrue(r.instances());
		assertEquals(InstanceTargets.CLASS_NAMES, r.classNames());
		assertEquals(3, r.architecture().outputChannels());
	}

	@Test
	void modelJsonDeclaresTheTaskAndTheObjectSize() throws java.io.IOException {
		ModelBundle b = ModelBundle.read(model);
		assertEquals("instances", b.spec().task());
		assertEquals(List.of("background", "interior", "boundary"), b.spec().classNames());
		// the median equivalent diameter of the training discs (radius 7-10 px)
		assertTrue(b.spec().instances().objectDiameter() > 14 && b.spec().instances().objectDiameter() < 20,
			"object diameter " + b.spec().instances().objectDiameter());
		assertTrue(Files.readString(model.resolve("model.json")).contains("\"task\": \"instances\""));
		assertTrue(Files.readAllLines(model.resolve("history.csv")).get(0).endsWith(",validation_ap50"));
		// thresholds tuned on the validation image after training, from the grid, and said so in the provenance
		double pt = b.spec().instances().probabilityThreshold(), st = b.spec().instances().seedThreshold();
		assertTrue(java.util.Arrays.stream(ThresholdTuning.PROBABILITY).anyMatch(v -> v == pt), "probability threshold " + pt);
		assertTrue(java.util.Arrays.stream(ThresholdTuning.SEED).anyMatch(v -> v == st), "seed threshold " + st);
		assertTrue(b.spec().provenance().notes().contains("thresholds tuned: probability threshold"), b.spec().provenance().notes());
	}

	@Test
	void segmentationGivesObjectsRoisAndTable() throws java.io.IOException {
		Path out = dir.resolve("out");
		SegmentationSettings s = SegmentationSettings.defaults().withObjects(new SegmentationSettings.Objects(Double.NaN, Double.NaN, -1, 0,
			true, true));
		try (Segmenter seg = Engines.segmenter(model, new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU,
			2)))
		{
			Volume<?> img = ImageFiles.read(InstanceModels.file("images", 0));
			SegmentationResult r = seg.segment(img, s, ProgressListener.NONE, "d0");
			assertTrue(r.instances());
			assertTrue(r.labels().image().getType() instanceof UnsignedShortType);
			int max = 0;
			for (Object t : net.imglib2.view.Views.flatIterable(r.labels().image()))
				max = Math.max(max, ((UnsignedShortType) t).get());
			assertEquals(r.objectCount(), max, "objects numbered 1..N");
			assertTrue(r.objectCount() > 20, "found " + r.objectCount() + " of 60 objects");
			var folder = seg.segmentFiles(List.of(InstanceModels.file("images", 0)), out, s, false, (i, f, st, res, e) -> {});
			assertEquals(1, folder.get(FileStatus.DONE));
		}
		Path table = OutputFiles.objects(InstanceModels.file("images", 0), out);
		List<String> rows = Files.readAllLines(table);
		assertTrue(rows.get(0).startsWith("label,area_pixel2,voxels,centroid_x_pixel"));
		Path rois = OutputFiles.rois(InstanceModels.file("images", 0), out);
		try (var zip = new java.util.zip.ZipFile(rois.toFile())) {
			assertEquals(rows.size() - 1, zip.size(), "one ROI per object in 2D, one table row per object");
		}
		// a second run finds every output and skips the file
		try (Segmenter seg = Engines.segmenter(model, new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU,
			2)))
		{
			assertEquals(1, seg.segmentFiles(List.of(InstanceModels.file("images", 0)), out, s, false, (i, f, st, res, e) -> {}).get(FileStatus.SKIPPED));
		}
	}

	@Test
	void diameterRescalesAndObjectsComeBackOnTheInputGrid() {
		SegmentationSettings s = SegmentationSettings.defaults().withObjects(new SegmentationSettings.Objects(Double.NaN, Double.NaN, -1, 0,
			false, false));
		try (Segmenter seg = Engines.segmenter(model, new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU,
			2)))
		{
			Volume<?> img = ImageFiles.read(InstanceModels.file("images", 0));
			double d = seg.spec().instances().objectDiameter();
			SegmentationResult same = seg.segment(img, s, ProgressListener.NONE, "d0");
			// the objects are said to be 1.5 times the model's size: the image is shrunk by 1/1.5 for the network
			SegmentationResult scaled = seg.segment(img, s.withObjects(new SegmentationSettings.Objects(Double.NaN, Double.NaN, -1, d * 1.5,
				false, false)), ProgressListener.NONE, "d0");
			assertEquals(List.of((long) SIZE, (long) SIZE), java.util.Arrays.stream(scaled.labels().spatialSize()).boxed().toList());
			assertTrue(scaled.plan().imageSize()[0] < SIZE, "the network saw a smaller image: " + scaled.plan().imageSize()[0]);
			assertTrue(scaled.objectCount() > 0 && same.objectCount() > 0);
		}
	}

	@Test
	void a2DModelSegmentsAStackPlaneByPlaneAndLinksObjectsAcrossPlanes() {
		Volume<?> plane = ImageFiles.read(InstanceModels.file("images", 0));
		// the same plane three times, 2 units apart
		short[] px = new short[SIZE * SIZE * 3];
		int i = 0;
		for (Object t : net.imglib2.view.Views.flatIterable(plane.image())) {
			short v = (short) ((net.imglib2.type.numeric.RealType<?>) t).getRealDouble();
			px[i] = px[i + SIZE * SIZE] = px[i + 2 * SIZE * SIZE] = v;
			i++;
		}
		Volume<?> stack = new Volume<>(net.imglib2.img.array.ArrayImgs.unsignedShorts(px, SIZE, SIZE, 3, 1),
			io.github.unetseg.image.Calibration.of("µm", 0.5, 0.5, 2));
		try (Segmenter seg = Engines.segmenter(model, new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU,
			2)))
		{
			SegmentationSettings s = SegmentationSettings.defaults().withProbabilities(true);
			SegmentationResult one = seg.segment(plane, s, ProgressListener.NONE, "plane");
			SegmentationResult apart = seg.segment(stack, s, ProgressListener.NONE, "stack");
			assertEquals(3 * one.objectCount(), apart.objectCount(), "each plane's objects have their own ids");
			assertEquals(3, apart.labels().spatialDims());
			assertEquals(2.0, apart.labels().calibration().spacing(2), 0);
			assertEquals("µm", apart.labels().calibration().unit());
			assertEquals(List.of((long) SIZE, (long) SIZE, 3L, 3L), java.util.Arrays.stream(net.imglib2.util.Intervals.dimensionsAsLongArray(
				apart.probabilities().image())).boxed().toList());
			assertTrue(apart.warnings().get(0).contains("planes were segmented one by one"), apart.warnings().toString());
			SegmentationResult linked = seg.segment(stack, s.withObjects(new SegmentationSettings.Objects(Double.NaN, Double.NaN, -1, 0, false,
				false, 0.5)), ProgressListener.NONE, "stack");
			assertEquals(one.objectCount(), linked.objectCount(), "identical planes: every object linked through the stack");
			// plane 3 carries the same ids as plane 1
			var ra = linked.labels().image().randomAccess();
			var rb = one.labels().image().randomAccess();
			for (long y = 0; y < SIZE; y += 7)
				for (long x = 0; x < SIZE; x += 7) {
					ra.setPosition(new long[] { x, y, 2, 0 });
					rb.setPosition(new long[] { x, y, 0 });
					assertEquals(((net.imglib2.type.numeric.RealType<?>) rb.get()).getRealDouble(),
						((net.imglib2.type.numeric.RealType<?>) ra.get()).getRealDouble(), 0);
				}
		}
	}

	@Test
	void tuneFromTheCommandLineReportsWithoutWritingOnADryRun() throws java.io.IOException {
		String before = Files.readString(model.resolve("model.json"));
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		java.io.PrintStream o = System.out;
		int code;
		try {
			System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
			code = io.github.unetseg.cli.Main.run("tune", "--model", model.toString(), "--images",
				InstanceModels.file("images", 0).getParent().toString(), "--labels", InstanceModels.file("labels", 0).getParent().toString(),
				"--threads", "2", "--dry-run");
		}
		finally {
			System.setOut(o);
		}
		assertEquals(0, code);
		assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("AP@0.5"), out.toString());
		assertEquals(before, Files.readString(model.resolve("model.json")));
	}

	@Test
	void aChannelOfAMultichannelImageIsChosen() {
		Volume<?> plane = ImageFiles.read(InstanceModels.file("images", 0));
		// channel 1 noise, channel 2 the nuclei
		short[] px = new short[SIZE * SIZE * 2];
		java.util.Random r = new java.util.Random(3);
		int i = 0;
		for (Object t : net.imglib2.view.Views.flatIterable(plane.image())) {
			px[i] = (short) r.nextInt(200);
			px[i + SIZE * SIZE] = (short) ((net.imglib2.type.numeric.RealType<?>) t).getRealDouble();
			i++;
		}
		Volume<?> two = new Volume<>(net.imglib2.img.array.ArrayImgs.unsignedShorts(px, SIZE, SIZE, 2), plane.calibration());
		try (Segmenter seg = Engines.segmenter(model, new io.github.unetseg.tensorflow.EngineOptions(io.github.unetseg.tensorflow.Device.CPU,
			2)))
		{
			SegmentationResult one = seg.segment(plane, SegmentationSettings.defaults(), ProgressListener.NONE, "plane");
			SegmentationResult chosen = seg.segment(two, Options.segmentation(Map.of("model", model.toString(), "channels", "2")).settings(),
				ProgressListener.NONE, "two");
			assertEquals(one.objectCount(), chosen.objectCount());
			io.github.unetseg.SegmentationException e = org.junit.jupiter.api.Assertions.assertThrows(io.github.unetseg.SegmentationException.class,
				() -> seg.segment(two, SegmentationSettings.defaults().withChannels(3), ProgressListener.NONE, "two"));
			assertTrue(e.getMessage().contains("channel 3 does not exist"), e.getMessage());
			e = org.junit.jupiter.api.Assertions.assertThrows(io.github.unetseg.SegmentationException.class,
				() -> seg.segment(two, SegmentationSettings.defaults(), ProgressListener.NONE, "two"));
			assertTrue(e.getMessage().contains("2 channel(s)"), e.getMessage());
		}
	}
}
