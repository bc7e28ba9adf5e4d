package io.github.unetseg.imagej2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandModule;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;
import org.scijava.command.CommandService;
import org.scijava.convert.ConvertService;

import ij.IJ;
import ij.ImagePlus;
import net.imagej.Dataset;
import net.imagej.ImageJ;
import net.imagej.ImgPlus;
import net.imagej.axis.Axes;
import net.imagej.axis.CalibratedAxis;
import net.imagej.axis.DefaultLinearAxis;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.display.ColorTable8;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.loops.LoopBuilder;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.view.Views;

import io.github.unetseg.command.SegmentImageCommand;

/**
 * The ImageJ2 side inside a real ImageJ2 2.17.0 (headless, as {@code ImageJ --headless} and PyImageJ run
 * it): {@link SegmentDatasetCommand} through the command service with a parameter map, Datasets in any
 * axis order in, label Datasets with the input's calibration and the label lookup table out, equal to
 * Segment Image's labels; Segment Image itself given a Dataset (the legacy layer converts it); and, under
 * Xvfb, the commands in ImageJ 1's real menu bar and the instance outputs (ROI Manager, object table).
 */
class DatasetAndMenuBarTest {

	private static ImageJ ij;

	private static final String MRI = Path.of("test-images/mri-t1-axial-z90.tif").toAbsolutePath().toString();

	private static final String MODEL = Path.of("models/brain-mri-2d").toAbsolutePath().toString();

	@BeforeAll
	static void start() {
		ij = new ImageJ();
	}

	@AfterAll
	static void stop() {
		if (ij != null) ij.context().dispose();
	}

	@Test
	void aDatasetComesBackAsALabelDatasetWithItsCalibrationAndLookupTable() throws Exception {
		ImagePlus imp = IJ.openImage(MRI);
		imp.getCalibration().pixelWidth = 0.5;
		imp.getCalibration().pixelHeight = 0.75;
		imp.getCalibration().setUnit("mm");
		Dataset in = ij.get(ConvertService.class).convert(imp, Dataset.class); // what a Fiji script gets for an open image
		assertNotNull(in);
		ImagePlus reference = segmentImage(imp);

		Dataset labels = segmentDataset(in, "");
		assertEquals(2, labels.numDimensions());
		assertEquals(Axes.X, labels.axis(0).type());
		assertEquals(Axes.Y, labels.axis(1).type());
		assertEquals(0.5, labels.axis(0).averageScale(0, 1), 1e-12);
		assertEquals(0.75, labels.axis(1).averageScale(0, 1), 1e-12);
		assertEquals("mm", labels.axis(0).unit());
		assertEquals("mm", labels.axis(1).unit());
		ColorTable8 lut = (ColorTable8) labels.getImgPlus().getColorTable(0);
		byte[][] expected = io.github.unetseg.io.ImagePlusAdapter.labelColors();
		for (int c = 0; c < 3; c++)
			for (int i = 0; i < 256; i++) assertEquals(expected[c][i] & 0xff, lut.get(c, i), "lookup table entry " + i);
		assertArrayEquals(pixels(reference), values(labels.getImgPlus()), "labels equal Segment Image's");
		System.out.println("Dataset " + in.getName() + " -> " + labels.getName() + " " + labels.dimension(0) + "x" + labels.dimension(1) +
			" " + labels.axis(0).averageScale(0, 1) + " " + labels.axis(0).unit() + ", label LUT, equal to Segment Image's labels");

		// the same image with its axes as [Y, X] (as a transposed view): the same labels, axes [X, Y]
		RandomAccessibleInterval<? extends RealType<?>> yx = Views.permute(in.getImgPlus().getImg(), 0, 1);
		Img<UnsignedShortType> copy = ArrayImgs.unsignedShorts(yx.dimensionsAsLongArray());
		LoopBuilder.setImages(yx, copy).forEachPixel((a, b) -> b.setReal(a.getRealDouble()));
		Dataset transposed = ij.dataset().create(new ImgPlus<>(copy, "yx.tif", new CalibratedAxis[] { new DefaultLinearAxis(Axes.Y, "mm",
			0.75), new DefaultLinearAxis(Axes.X, "mm", 0.5) }));
		Dataset labelsYx = segmentDataset(transposed, "");
		assertEquals(Axes.X, labelsYx.axis(0).type());
		assertEquals(0.5, labelsYx.axis(0).averageScale(0, 1), 1e-12);
		assertArrayEquals(pixels(reference), values(labelsYx.getImgPlus()), "an [Y, X] Dataset gives the same labels");

		// the probability map: this binary model has one output channel (foreground), so [X, Y], 32-bit, in [0, 1]
		CommandModule m = ij.get(CommandService.class).run(SegmentDatasetCommand.class, true, Map.of("image", in, "model", MODEL,
			"options", "probabilities")).get();
		Dataset p = (Dataset) m.getOutput("probabilities");
		assertEquals(2, p.numDimensions());
		assertEquals(0.75, p.axis(1).averageScale(0, 1), 1e-12);
		float[] prob = values(p.getImgPlus());
		float[] lab = pixels(reference);
		int agree = 0;
		for (int i = 0; i < prob.length; i++) {
			assertTrue(prob[i] >= 0 && prob[i] <= 1, "probability " + prob[i]);
			if ((prob[i] > 0.5f ? 1 : 0) == lab[i]) agree++;
		}
		// the labels are the thresholded probabilities after the model's post-processing (hole filling, largest component)
		assertTrue(agree > 0.99 * prob.length, agree + " of " + prob.length + " pixels");
	}

	@Test
	void anyAxisOrderBecomesXYZC() {
		// ImageJ2's usual order [X, Y, Channel, Z], values encoding their own coordinates
		Img<UnsignedShortType> img = ArrayImgs.unsignedShorts(5, 4, 2, 3);
		Cursor<UnsignedShortType> c = img.localizingCursor();
		while (c.hasNext()) {
			c.fwd();
			c.get().set(c.getIntPosition(0) + 10 * c.getIntPosition(1) + 100 * c.getIntPosition(3) + 1000 * c.getIntPosition(2));
		}
		Dataset d = ij.dataset().create(new ImgPlus<>(img, "xycz.tif", new CalibratedAxis[] { new DefaultLinearAxis(Axes.X, "um", 0.2),
			new DefaultLinearAxis(Axes.Y, "um", 0.3), new DefaultLinearAxis(Axes.CHANNEL), new DefaultLinearAxis(Axes.Z, "um", 1.5) }));
		io.github.unetseg.image.Volume<?> v = DatasetAdapter.toVolume(d, "xycz.tif");
		assertArrayEquals(new long[] { 5, 4, 3, 2 }, v.image().dimensionsAsLongArray(), "[x, y, z, c]");
		assertArrayEquals(new double[] { 0.2, 0.3, 1.5 }, v.calibration().spacing(), 1e-12);
		assertEquals("um", v.calibration().unit());
		net.imglib2.RandomAccess<? extends RealType<?>> ra = ((RandomAccessibleInterval<? extends RealType<?>>) v.image()).randomAccess();
		for (int x = 0; x < 5; x++)
			for (int y = 0; y < 4; y++)
				for (int z = 0; z < 3; z++)
					for (int ch = 0; ch < 2; ch++)
						assertEquals(x + 10 * y + 100 * z + 1000 * ch, ra.setPositionAndGet(x, y, z, ch).getRealDouble(), "at " + x + "," + y + "," +
							z + "," + ch);
	}

	@Test
	void aTimeSeriesIsSegmentedOneTimePointAtATime() throws Exception {
		// [X, Y, Time]: the two MRI slices of test-images as time points 2 s apart
		Dataset z70 = ij.get(ConvertService.class).convert(IJ.openImage(MRI.replace("z90", "z70")), Dataset.class);
		Dataset z90 = ij.get(ConvertService.class).convert(IJ.openImage(MRI), Dataset.class);
		RandomAccessibleInterval<? extends RealType<?>> stacked = Views.stack((RandomAccessibleInterval) z70.getImgPlus().getImg(),
			(RandomAccessibleInterval) z90.getImgPlus().getImg());
		Img<UnsignedShortType> copy = ArrayImgs.unsignedShorts(stacked.dimensionsAsLongArray());
		LoopBuilder.setImages(stacked, copy).forEachPixel((a, b) -> b.setReal(a.getRealDouble()));
		Dataset series = ij.dataset().create(new ImgPlus<>(copy, "series.tif", new CalibratedAxis[] { new DefaultLinearAxis(Axes.X, "mm", 1),
			new DefaultLinearAxis(Axes.Y, "mm", 1), new DefaultLinearAxis(Axes.TIME, "s", 2) }));
		CommandModule m = ij.get(CommandService.class).run(SegmentDatasetCommand.class, true, Map.of("image", series, "model", MODEL,
			"options", "probabilities")).get();
		assertFalse(m.isCanceled(), String.valueOf(m.getCancelReason()));
		Dataset labels = (Dataset) m.getOutput("labels"), p = (Dataset) m.getOutput("probabilities");
		for (Dataset d : new Dataset[] { labels, p }) {
			assertEquals(3, d.numDimensions());
			assertEquals(Axes.TIME, d.axis(2).type());
			assertEquals(2, d.dimension(2));
			assertEquals(2.0, d.axis(2).averageScale(0, 1), 1e-12);
			assertEquals("s", d.axis(2).unit());
		}
		Dataset[] alone = { segmentDataset(z70, ""), segmentDataset(z90, "") };
		for (int t = 0; t < 2; t++) {
			float[] expected = values(alone[t].getImgPlus());
			assertTrue(sum(expected) > 10_000, "brain pixels at time point " + t);
			assertArrayEquals(expected, values(Views.hyperSlice(labels.getImgPlus(), 2, t)), "time point " + t + " as segmented alone");
		}
		System.out.println("Dataset series.tif [X, Y, Time=2] -> labels and probabilities [X, Y, Time=2], time points equal to each alone");
		// a volume is one time point: the plain view says how to get the others
		io.github.unetseg.SegmentationException e = assertThrows(io.github.unetseg.SegmentationException.class, () -> DatasetAdapter.toVolume(
			series, "series.tif"));
		assertTrue(e.getMessage().contains("series.tif is a time series with 2 time points") && e.getMessage().contains("Fix:"), e.getMessage());
	}

	private static double sum(float[] values) {
		double s = 0;
		for (float v : values) s += v;
		return s;
	}

	@Test
	void segmentImageTakesADatasetThroughTheLegacyLayer() throws Exception {
		ImagePlus imp = IJ.openImage(MRI);
		Dataset in = ij.get(ConvertService.class).convert(imp, Dataset.class);
		Module m = segmentImageModule(in);
		ImagePlus labels = (ImagePlus) m.getOutput("labels");
		assertArrayEquals(pixels(segmentImage(imp)), pixels(labels));
	}

	@Test
	void theCommandsAreInTheMenuBarAndInstanceOutputsReachTheRoiManager() throws Exception {
		Assumptions.assumeTrue(xvfb(), "xvfb-run is not installed, so ImageJ 1 has no display for its " +
			"menu bar and ROI Manager; install it with apt-get install xvfb xauth (.ci/run does) to run this test");
		List<String> cmd = new ArrayList<>(List.of("xvfb-run", "-a", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"--add-opens=java.base/java.lang=ALL-UNNAMED", "-Djava.awt.headless=false", "-Djava.util.prefs.userRoot=" + System.getProperty("java.util.prefs.userRoot", "target/test-prefs"), "-cp", System.getProperty("java.class.path"),
			MenuBarCheck.class.getName(), Path.of("test-images/dsb2018-nuclei-00071198.png").toAbsolutePath().toString(), Path.of(
				"models/nuclei-fluo-2d").toAbsolutePath().toString()));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		Thread reader = new Thread(() -> {
			try {
				p.getInputStream().transferTo(out);
			}
			catch (java.io.IOException e) {
				// the process was stopped: what it wrote so far is in out
			}
		});
		reader.start();
		if (!p.waitFor(300, TimeUnit.SECONDS)) {
			p.destroyForcibly().waitFor();
			reader.join(5000);
			org.junit.jupiter.api.Assertions.fail("ImageJ under Xvfb did not finish in 300 s (a dialog waiting for a click?): " + out
				.toString(StandardCharsets.UTF_8));
		}
		reader.join(30000);
		String log = out.toString(StandardCharsets.UTF_8);
		System.out.println(log.lines().filter(l -> l.startsWith("menu bar:") || l.startsWith("instances:")).reduce("", (a, b) -> a + b +
			"\n"));
		assertEquals(0, p.exitValue(), log);
		for (String title : LegacyLayerTest.COMMANDS)
			assertTrue(log.contains("menu bar: Plugins>Segmentation>U-Net>" + title + "\n"), title + " in the menu bar: " + log);
		String line = log.lines().filter(l -> l.startsWith("instances:")).findFirst().orElseThrow(() -> new AssertionError(log));
		// instances: labelMax=N roiManager=N tableRows=N (the largest label is the object count: labels are 1..N)
		String[] f = line.substring("instances: ".length()).split(" ");
		int objects = Integer.parseInt(f[0].split("=")[1]);
		assertTrue(objects > 10, line);
		for (int i = 1; i < f.length; i++) assertEquals(objects, Integer.parseInt(f[i].split("=")[1]), line);
	}

	private static boolean xvfb() {
		for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
			if (Files.isExecutable(Path.of(d, "xvfb-run"))) return true;
		return false;
	}

	/**
	 * Segment Image through the module service with a parameter map: SciJava's CommandService.run returns
	 * {@code null} for commands that extend Module directly (DynamicCommand, whose model list is filled at
	 * run time), by its own design ("please instead call moduleService.run(commandService.getCommand(...))").
	 */
	private static Module segmentImageModule(Object image) throws Exception {
		Module m = ij.get(ModuleService.class).run(ij.get(CommandService.class).getCommand(SegmentImageCommand.class), true, Map.of("image",
			image, "model", "other folder", "modelFolder", new java.io.File(MODEL))).get();
		org.scijava.Cancelable c = (org.scijava.Cancelable) m.getDelegateObject();
		assertFalse(c.isCanceled(), String.valueOf(c.getCancelReason()));
		return m;
	}

	private static ImagePlus segmentImage(ImagePlus imp) throws Exception {
		Module m = segmentImageModule(imp);
		return (ImagePlus) m.getOutput("labels");
	}

	private static Dataset segmentDataset(Dataset in, String options) throws Exception {
		CommandModule m = ij.get(CommandService.class).run(SegmentDatasetCommand.class, true, Map.of("image", in, "model", MODEL, "options",
			options)).get();
		assertFalse(m.isCanceled(), String.valueOf(m.getCancelReason()));
		return (Dataset) m.getOutput("labels");
	}

	private static float[] pixels(ImagePlus imp) {
		float[] out = new float[imp.getWidth() * imp.getHeight()];
		for (int i = 0; i < out.length; i++) out[i] = imp.getProcessor().getf(i);
		return out;
	}

	private static float[] values(RandomAccessibleInterval<? extends RealType<?>> img) {
		float[] out = new float[(int) (img.dimension(0) * img.dimension(1))];
		Cursor<? extends RealType<?>> c = Views.flatIterable(img).cursor();
		for (int i = 0; c.hasNext(); i++) out[i] = c.next().getRealFloat();
		return out;
	}
}
