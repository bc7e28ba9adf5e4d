package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.github.unetseg.testutil.Images.hyperstack;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.ImagePlusSegmentation;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ImagePlusAdapter;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Time series in Segment Image and the ImageJ 1 plugin ({@link ImagePlusSegmentation}): each frame of a
 * hyperstack gives exactly what that frame gives as an image of its own, in its place of the result's
 * {@code [c, z, t]} axes, with the input's calibration and frame interval; an instance model's ROIs carry
 * their frame and its table a Frame column.
 */
class TimeSeriesTest {

	@Test
	void eachFrameOfANucleiTimeLapseGivesItsOwnObjects() {
		ImagePlus still = ImagePlusAdapter.toImagePlus(ImageFiles.read(Path.of("test-images/nuclei/dsb2018-0532c64c.png")), "nuclei");
		ImageProcessor a = still.getProcessor(), b = a.duplicate(), c = a.duplicate();
		b.flipHorizontal();
		c.rotate(180);
		ImagePlus series = hyperstack("nuclei-t.tif", 1, 1, a, b, c);
		series.getCalibration().pixelWidth = series.getCalibration().pixelHeight = 0.5;
		series.getCalibration().setUnit("µm");
		series.getCalibration().frameInterval = 2;
		series.getCalibration().setTimeUnit("s");
		SegmentationSettings settings = SegmentationSettings.defaults().withObjects(new SegmentationSettings.Objects(Double.NaN, Double.NaN,
			-1, 0, true, true));
		try (Segmenter s = Engines.segmenter(Path.of("models/nuclei-fluo-2d"), new EngineOptions(Device.CPU, 0))) {
			ImagePlusSegmentation.Outcome r = ImagePlusSegmentation.segment(s, settings, series, true, ProgressListener.NONE);
			ImagePlus labels = r.labels();
			assertEquals("nuclei-t_labels", labels.getTitle());
			assertArrayEquals(new int[] { a.getWidth(), a.getHeight(), 1, 1, 3 }, labels.getDimensions());
			assertEquals(0.5, labels.getCalibration().pixelWidth, 1e-12);
			assertEquals("µm", labels.getCalibration().getUnit());
			assertEquals(2, labels.getCalibration().frameInterval, 1e-12);
			assertEquals("s", labels.getCalibration().getTimeUnit());
			assertTrue(r.warnings().get(0).contains("3 frames were segmented one by one"), r.warnings().toString());
			int total = 0;
			ImageProcessor[] frames = { a, b, c };
			for (int t = 1; t <= 3; t++) {
				ImagePlusSegmentation.Outcome alone = ImagePlusSegmentation.segment(s, settings, hyperstack("f" + t, 1, 1, frames[t - 1]), true,
					ProgressListener.NONE);
				assertTrue(alone.objects() > 15, "frame " + t + ": " + alone.objects() + " objects");
				assertArrayEquals((short[]) alone.labels().getProcessor().getPixels(), (short[]) labels.getStack().getPixels(labels.getStackIndex(1,
					1, t)), "frame " + t + " as segmented alone");
				int frame = t;
				List<Roi> rois = r.rois().stream().filter(roi -> roi.getTPosition() == frame).toList();
				assertEquals(alone.objects(), rois.size(), "one ROI per object of frame " + t);
				assertTrue(rois.stream().allMatch(roi -> roi.getName().endsWith("-t" + frame)), rois.get(0).getName());
				assertEquals(alone.objects(), (int) java.util.Arrays.stream(r.table().getColumn("Frame")).filter(f -> f == frame).count());
				total += alone.objects();
			}
			assertEquals(total, r.objects());
			assertEquals(total, r.rois().size());
			assertEquals(total, r.table().size());
			assertEquals("Label", r.table().getColumnHeading(1));
		}
	}

	@Test
	void aTwoDModelOnAZStackTimeSeriesKeepsItsSlicesAndFrames() {
		ImageProcessor z70 = io.github.unetseg.io.TiffIO.open(Path.of("test-images/mri-t1-axial-z70.tif")).getProcessor();
		ImageProcessor z90 = io.github.unetseg.io.TiffIO.open(Path.of("test-images/mri-t1-axial-z90.tif")).getProcessor();
		// frame 2 holds frame 1's slices in the other order: planes are segmented one by one
		ImagePlus series = hyperstack("brain-t", 1, 2, z70, z90, z90, z70);
		try (Segmenter s = Engines.segmenter(Path.of("models/brain-mri-2d"), new EngineOptions(Device.CPU, 0))) {
			ImagePlusSegmentation.Outcome r = ImagePlusSegmentation.segment(s, SegmentationSettings.defaults().withProbabilities(true), series,
				false, ProgressListener.NONE);
			assertEquals(0, r.objects());
			assertTrue(r.rois().isEmpty());
			assertNull(r.table());
			assertArrayEquals(new int[] { z70.getWidth(), z70.getHeight(), 1, 2, 2 }, r.labels().getDimensions());
			ImagePlus p = r.probabilities();
			assertArrayEquals(new int[] { z70.getWidth(), z70.getHeight(), 1, 2, 2 }, p.getDimensions(), "one probability channel (sigmoid)");
			ImagePlusSegmentation.Outcome first = ImagePlusSegmentation.segment(s, SegmentationSettings.defaults().withProbabilities(true),
				hyperstack("brain", 1, 2, z70, z90), false, ProgressListener.NONE);
			for (int z = 1; z <= 2; z++) {
				Object alone = first.labels().getStack().getPixels(z);
				assertArrayEquals((byte[]) alone, (byte[]) r.labels().getStack().getPixels(r.labels().getStackIndex(1, z, 1)));
				assertArrayEquals((byte[]) alone, (byte[]) r.labels().getStack().getPixels(r.labels().getStackIndex(1, 3 - z, 2)));
				assertArrayEquals((float[]) first.probabilities().getStack().getPixels(z), (float[]) p.getStack().getPixels(p.getStackIndex(1, 3 - z,
					2)));
			}
			long brain = 0;
			for (byte v : (byte[]) first.labels().getStack().getPixels(1)) brain += v;
			assertTrue(brain > 10_000, "brain pixels in z70: " + brain);
		}
	}

	@Test
	void theCliSegmentsATimeSeriesFileAsFijiSegmentsTheOpenImage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
		ImagePlus still = ImagePlusAdapter.toImagePlus(ImageFiles.read(Path.of("test-images/nuclei/dsb2018-0532c64c.png")), "nuclei");
		ImageProcessor a = still.getProcessor(), b = a.duplicate();
		b.flipVertical();
		ImagePlus series = hyperstack("lapse", 1, 1, a, b);
		series.getCalibration().frameInterval = 30;
		java.nio.file.Files.createDirectories(dir.resolve("in"));
		Path file = dir.resolve("in/lapse.tif"), ome = dir.resolve("in/lapse-ome.ome.tif");
		io.github.unetseg.io.TiffIO.save(series, file);
		writeOmeTimeSeries(ome, a, b);
		assertEquals(2, ImageFiles.timePoints(file));
		assertEquals(2, ImageFiles.timePoints(ome));
		assertEquals(1, ImageFiles.timePoints(Path.of("test-images/mri-t1-axial-z90.tif")));
		java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
		java.io.PrintStream stdout = System.out;
		int rc;
		try {
			System.setOut(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
			rc = io.github.unetseg.cli.Main.run("segment", "--model", "models/nuclei-fluo-2d", "--output", dir.resolve("out").toString(),
				"--device", "cpu", "--rois", "--measure", dir.resolve("in").toString());
		}
		finally {
			System.setOut(stdout);
		}
		assertEquals(0, rc, text.toString());
		ImagePlus labels = io.github.unetseg.io.TiffIO.open(dir.resolve("out/lapse_labels.tif"));
		assertArrayEquals(new int[] { a.getWidth(), a.getHeight(), 1, 1, 2 }, labels.getDimensions());
		assertEquals(30, labels.getCalibration().frameInterval, 1e-9);
		// the same frames as a one-file OME-TIFF (pages in XYZCT order, TimeIncrement 30 s): the same labels, as an OME-TIFF with its time points
		assertEquals(2, ImageFiles.timePoints(dir.resolve("out/lapse-ome_labels.ome.tif")));
		ImagePlus fromOme = io.github.unetseg.io.TiffIO.open(dir.resolve("out/lapse-ome_labels.ome.tif"));
		assertArrayEquals(labels.getDimensions(), fromOme.getDimensions());
		assertEquals(30, fromOme.getCalibration().frameInterval, 1e-9);
		for (int t = 1; t <= 2; t++)
			assertArrayEquals((short[]) labels.getStack().getPixels(t), (short[]) fromOme.getStack().getPixels(t), "OME-TIFF frame " + t);
		SegmentationSettings settings = SegmentationSettings.defaults().withObjects(new SegmentationSettings.Objects(Double.NaN, Double.NaN,
			-1, 0, true, true));
		try (Segmenter s = Engines.segmenter(Path.of("models/nuclei-fluo-2d"), new EngineOptions(Device.CPU, 0))) {
			ImagePlusSegmentation.Outcome fiji = ImagePlusSegmentation.segment(s, settings, series, true, ProgressListener.NONE);
			for (int t = 1; t <= 2; t++) {
				int i = labels.getStackIndex(1, 1, t);
				assertArrayEquals((short[]) fiji.labels().getStack().getPixels(i), (short[]) labels.getStack().getPixels(i), "frame " + t);
			}
			assertTrue(text.toString().contains("lapse.tif") && text.toString().contains(fiji.objects() + " objects"), text.toString());
			List<String> rows = java.nio.file.Files.readAllLines(dir.resolve("out/lapse_objects.csv"));
			assertTrue(rows.get(0).startsWith("frame,label,"), rows.get(0));
			assertEquals(fiji.objects(), rows.size() - 1);
			try (var zip = new java.util.zip.ZipFile(dir.resolve("out/lapse_rois.zip").toFile())) {
				assertEquals(fiji.objects(), zip.size());
				assertTrue(zip.stream().allMatch(e -> e.getName().matches("\\d+-t[12]\\.roi")), zip.entries().nextElement().getName());
			}
		}

		// --truth with a time series: frame by frame, objects summed; a truth whose frame 2 is empty makes frame 2's objects false positives
		int first = max((short[]) labels.getStack().getPixels(1)), second = max((short[]) labels.getStack().getPixels(2));
		ImagePlus truth = labels.duplicate();
		truth.getStack().getProcessor(2).setValue(0);
		truth.getStack().getProcessor(2).fill();
		java.nio.file.Files.createDirectories(dir.resolve("truth"));
		io.github.unetseg.io.TiffIO.save(truth, dir.resolve("truth/lapse.tif"));
		text.reset();
		try {
			System.setOut(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
			rc = io.github.unetseg.cli.Main.run("segment", "--model", "models/nuclei-fluo-2d", "--output", dir.resolve("out2").toString(),
				"--device", "cpu", "--truth", dir.resolve("truth").toString(), file.toString());
		}
		finally {
			System.setOut(stdout);
		}
		assertEquals(0, rc, text.toString());
		assertTrue(text.toString().contains(String.format(java.util.Locale.ROOT, "against lapse.tif: %d objects in the truth, 2 frames; at IoU " +
			"0.5 AP %.4f, F1 %.4f, precision %.4f, recall 1.0000", first, first / (double) (first + second), 2.0 * first / (2 * first + second),
			first / (double) (first + second))), text.toString());
	}

	private static int max(short[] pixels) {
		int m = 0;
		for (short v : pixels) m = Math.max(m, v & 0xffff);
		return m;
	}

	@Test
	void aFrameIsAnImageOfItsOwnSharingThePixels() {
		ImageProcessor[] planes = new ImageProcessor[2 * 3 * 2];
		for (int i = 0; i < planes.length; i++) {
			planes[i] = new ij.process.ShortProcessor(4, 3);
			planes[i].set(i);
		}
		ImagePlus h = hyperstack("h", 2, 3, planes);
		h = new CompositeImage(h, CompositeImage.GRAYSCALE);
		ImagePlus f = ImagePlusAdapter.frame(h, 2);
		assertArrayEquals(new int[] { 4, 3, 2, 3, 1 }, f.getDimensions());
		for (int ch = 1; ch <= 2; ch++)
			for (int z = 1; z <= 3; z++) {
				assertEquals(h.getStackIndex(ch, z, 2) - 1, f.getStack().getProcessor(f.getStackIndex(ch, z, 1)).get(0));
				assertTrue(f.getStack().getPixels(f.getStackIndex(ch, z, 1)) == h.getStack().getPixels(h.getStackIndex(ch, z, 2)), "shared");
			}
	}

	/** Writes 8-bit planes as the time points of a one-file OME-TIFF (one channel, one slice; Bio-Formats' XYZCT page order). */
	private static void writeOmeTimeSeries(Path file, ImageProcessor... frames) throws java.io.IOException {
		ij.ImageStack stack = new ij.ImageStack(frames[0].getWidth(), frames[0].getHeight());
		for (ImageProcessor f : frames) stack.addSlice(f);
		ij.io.FileInfo fi = new ImagePlus("lapse", stack).getFileInfo();
		fi.description = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\">" +
			"<Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"XYZCT\" Type=\"uint8\" SizeX=\"" + stack.getWidth() +
			"\" SizeY=\"" + stack.getHeight() + "\" SizeZ=\"1\" SizeC=\"1\" SizeT=\"" + frames.length + "\" TimeIncrement=\"30\">" +
			"<TiffData/></Pixels></Image></OME>";
		try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file)))) {
			new ij.io.TiffEncoder(fi).write(out);
		}
	}

	/** A hyperstack of planes in ImageJ's order (channel fastest, then slice, then frame). */
}
