package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Orientation;
import io.github.unetseg.image.Volume;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tiling.Stitcher;
import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/** Reorientation and resampling onto a model's grid and back, with a "network" that knows the answer. */
class ModelGridTest {

	/** A CT model trained in OpenKBP's axes (PLI) at 3.906 x 3.906 x 3.0 mm. */
	static ModelSpec spec(Normalization n) {
		UNetConfig arch = new UNetConfig(3, 1, 3, 2, 4, false, 0);
		return ModelSpec.forUNet("ct", arch, List.of("background", "RightParotid", "LeftParotid"), n, new double[] { 3.906, 3.906, 3.0 },
			"mm", new long[] { 64, 64, 64 }, new long[] { 8, 8, 8 }, null).withOrientation("PLI");
	}

	/**
	 * A DICOM-like LPS volume (x to the patient's left, y to posterior, z up) of 2.5 mm slices: the right
	 * parotid (1) at the patient's right (low x), the left one (2) at high x; the image holds +1 on the
	 * right one and -1 on the left one, so that interpolation never turns one organ into the other.
	 */
	static Volume<FloatType> lps(double sliceMm) {
		int nx = 60, ny = 50, nz = (int) Math.round(90 / sliceMm);
		ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(nx, ny, nz, 1);
		Cursor<FloatType> c = img.localizingCursor();
		while (c.hasNext()) {
			c.fwd();
			double x = c.getDoublePosition(0) * 3.906, y = c.getDoublePosition(1) * 3.906, z = c.getDoublePosition(2) * sliceMm;
			double r1 = Math.pow((x - 60) / 25, 2) + Math.pow((y - 90) / 30, 2) + Math.pow((z - 45) / 20, 2);
			double r2 = Math.pow((x - 170) / 25, 2) + Math.pow((y - 90) / 30, 2) + Math.pow((z - 45) / 20, 2);
			c.get().set(r1 < 1 ? 1 : r2 < 1 ? -1 : 0);
		}
		// LPS in NIfTI's RAS+ world: x and y negated
		double[] affine = { -3.906, 0, 0, 100, 0, -3.906, 0, 120, 0, 0, sliceMm, -50 };
		return new Volume<>(img, new Calibration(new double[] { 3.906, 3.906, sliceMm }, "mm", affine));
	}

	/** What a perfect network gives: the one-hot of the nearest class of the (interpolated) input. */
	static Stitcher.StitchedResult perfect(Volume<?> input) {
		long n = input.voxelCount();
		float[] p = new float[(int) (3 * n)];
		int i = 0;
		for (Object t : Views.flatIterable(input.image())) {
			int k = klass(((RealType<?>) t).getRealDouble());
			p[(int) (k * n) + i++] = 1;
		}
		return Stitcher.fromProbabilities(p, input.spatialSize(), 3, 0.5, input.calibration());
	}

	static int klass(double v) {
		return v > 0.5 ? 1 : v < -0.5 ? 2 : 0;
	}

	static short[] labels(Volume<?> v, boolean image) {
		short[] l = new short[(int) v.voxelCount()];
		int i = 0;
		for (Object t : Views.flatIterable(v.image())) {
			double x = ((RealType<?>) t).getRealDouble();
			l[i++] = (short) (image ? klass(x) : Math.round(x));
		}
		return l;
	}

	@Test
	void aDicomSeriesIsSegmentedInTheModelsAxesAndTheRightParotidStaysOnThePatientsRight() {
		for (double slice : new double[] { 2.0, 2.5, 3.0 }) {
			Volume<FloatType> in = lps(slice);
			ModelGrid g = ModelGrid.of(in, spec(Normalization.percentile()), SegmentationSettings.Geometry.defaults(), "series");
			assertEquals("PLI", Orientation.codes(g.input().calibration().affine()));
			assertArrayEquals(new double[] { 3.906, 3.906, 3.0 }, g.input().calibration().spacing(), 0.05, "slices " + slice);
			assertEquals(slice != 3.0, g.resampled());
			// in PLI the y axis runs from the patient's right to the left: the right parotid has the lower y
			double[] yMean = new double[3];
			long[] count = new long[3];
			Cursor<?> c = Views.flatIterable(g.input().image()).localizingCursor();
			while (c.hasNext()) {
				int k = klass(((RealType<?>) c.next()).getRealDouble());
				yMean[k] += c.getDoublePosition(1);
				count[k]++;
			}
			assertTrue(yMean[1] / count[1] < yMean[2] / count[2], "right parotid at lower y in PLI");
			// back on the input grid: labels as the input, up to the resampling at the organs' surfaces
			Stitcher.StitchedResult back = g.back(perfect(g.input()), 0.5);
			assertArrayEquals(in.image().dimensionsAsLongArray(), back.labels().image().dimensionsAsLongArray());
			assertEquals(in.calibration(), back.labels().calibration());
			Overlap[] o = Overlap.perClass(labels(back.labels(), false), labels(in, true), 3);
			for (int k = 1; k < 3; k++) assertTrue(o[k].dice() >= 0.95, "slices " + slice + " class " + k + " Dice " + o[k].dice());
			if (slice == 3.0) assertEquals(1.0, o[1].dice(), 1e-12, "no resampling: exact");
		}
	}

	@Test
	void aDeclaredOrientationOverridesTheHeaderAndNoneTakesTheArrayAsItIs() {
		Volume<FloatType> in = lps(3.0);
		ModelGrid declared = ModelGrid.of(in, spec(Normalization.percentile()), new SegmentationSettings.Geometry("PLI", true), "x");
		assertTrue(declared.identity(), "declared to be in the model's axes already");
		ModelGrid none = ModelGrid.of(in, spec(Normalization.percentile()), new SegmentationSettings.Geometry("none", true), "x");
		assertTrue(none.identity());
		assertNull(ModelGrid.streamingProblem(in.calibration(), spec(Normalization.percentile()), new SegmentationSettings.Geometry("none",
			true)));
		assertTrue(ModelGrid.streamingProblem(in.calibration(), spec(Normalization.percentile()), SegmentationSettings.Geometry.defaults())
			.contains("orientation LPS"));
	}

	@Test
	void aCtModelWarnsAboutValuesThatAreNotHounsfieldUnits() {
		Volume<FloatType> in = lps(3.0);
		ModelSpec ct = spec(Normalization.ct(-100, 1500, 50, 300));
		// labels 0..2 are not HU: air would be about -1000
		ModelGrid g = ModelGrid.of(in, ct, new SegmentationSettings.Geometry("PLI", true), "hu1000.nii.gz");
		assertEquals(1, g.warnings().size());
		assertTrue(g.warnings().get(0).contains("subtract 1000"), g.warnings().get(0));
		Cursor<FloatType> c = in.image().cursor();
		while (c.hasNext()) c.next().set(c.get().get() == 0 ? -1000 : 40);
		assertEquals(0, ModelGrid.of(in, ct, new SegmentationSettings.Geometry("PLI", true), "hu.nii.gz").warnings().size());
	}
}
