package io.github.unetseg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;

class PatchSamplerTest {

	/** Checkerboard of 7-pixel squares (3D: cubes) whose image value is the label (0 or 1). */
	static TrainingCase pattern(int... size) {
		long[] dims = new long[size.length + 1];
		for (int i = 0; i < size.length; i++) dims[i] = size[i];
		dims[size.length] = 1;
		ArrayImg<FloatType, ?> img = ArrayImgs.floats(dims);
		ArrayImg<UnsignedByteType, ?> lab = ArrayImgs.unsignedBytes(dims);
		var ci = img.cursor();
		var cl = lab.cursor();
		while (ci.hasNext()) {
			ci.fwd();
			cl.fwd();
			int sum = 0;
			for (int d = 0; d < size.length; d++) sum += ci.getIntPosition(d) / 7;
			int v = sum % 2;
			ci.get().set(v);
			cl.get().set(v);
		}
		Calibration c = Calibration.uncalibrated(size.length);
		return TrainingCase.of("pattern", new Volume<>(img, c), new Volume<>(lab, c), new Normalization(Normalization.Method.NONE, 0, 1));
	}

	static double agreement(TrainingCase c, long[] patch, boolean augment, long seed) {
		PatchSampler s = new PatchSampler(List.of(c), patch, 0.5, augment);
		int n = s.patchVoxels();
		float[] img = new float[n];
		short[] lab = new short[n];
		Random r = new Random(seed);
		long agree = 0, total = 0;
		for (int k = 0; k < 40; k++) {
			s.sample(r, img, 0, lab, 0);
			double m0 = 0, m1 = 0;
			int n0 = 0, n1 = 0;
			for (int i = 0; i < n; i++)
				if (lab[i] == 1) { m1 += img[i]; n1++; } else { m0 += img[i]; n0++; }
			double mid = n0 > 0 && n1 > 0 ? (m0 / n0 + m1 / n1) / 2 : 0.5;
			for (int i = 0; i < n; i++, total++) if ((img[i] > mid ? 1 : 0) == lab[i]) agree++;
		}
		return (double) agree / total;
	}

	@Test
	void withoutAugmentationPatchesAreExactCopies() {
		assertEquals(1.0, agreement(pattern(60, 50), new long[] { 32, 32 }, false, 1), 0);
		assertEquals(1.0, agreement(pattern(30, 30, 30), new long[] { 16, 16, 16 }, false, 1), 0);
	}

	@Test
	void augmentationMovesImageAndLabelsTogether2D() {
		// interpolated boundary pixels and noise may disagree; a misaligned transform would give ~50%
		double a = agreement(pattern(60, 50), new long[] { 32, 32 }, true, 2);
		assertTrue(a > 0.9, "agreement " + a);
	}

	@Test
	void augmentationMovesImageAndLabelsTogether3D() {
		double a = agreement(pattern(30, 30, 30), new long[] { 16, 16, 16 }, true, 3);
		assertTrue(a > 0.85, "agreement " + a);
	}

	@Test
	void sameSeedSamePatches() {
		TrainingCase c = pattern(60, 50);
		PatchSampler s = new PatchSampler(List.of(c), new long[] { 32, 32 }, 0.3, true);
		float[] a = new float[1024], b = new float[1024];
		short[] la = new short[1024], lb = new short[1024];
		s.sample(new Random(9), a, 0, la, 0);
		s.sample(new Random(9), b, 0, lb, 0);
		assertTrue(Arrays.equals(a, b) && Arrays.equals(la, lb));
	}

	@Test
	void foregroundOversamplingCentresPatchesOnForeground() {
		long[] dims = { 200, 200, 1 };
		ArrayImg<FloatType, ?> img = ArrayImgs.floats(dims);
		ArrayImg<UnsignedByteType, ?> lab = ArrayImgs.unsignedBytes(dims);
		var ra = lab.randomAccess();
		for (int y = 100; y < 104; y++) for (int x = 50; x < 54; x++) {
			ra.setPosition(new long[] { x, y, 0 });
			ra.get().set(1);
		}
		Calibration cal = Calibration.uncalibrated(2);
		TrainingCase c = TrainingCase.of("dot", new Volume<>(img, cal), new Volume<>(lab, cal), new Normalization(Normalization.Method.NONE, 0, 1));
		PatchSampler s = new PatchSampler(List.of(c), new long[] { 16, 16 }, 1.0, false);
		short[] l = new short[256];
		float[] i = new float[256];
		Random r = new Random(4);
		for (int k = 0; k < 20; k++) {
			s.sample(r, i, 0, l, 0);
			int fg = 0;
			for (short v : l) fg += v;
			assertTrue(fg > 0, "a foreground-centred patch contains foreground");
		}
	}

	/** A 40 x 40 case with a 20 x 20 square of class 1 and, if {@code small}, a 2 x 2 square of class 2. */
	static TrainingCase twoClasses(boolean small) {
		long[] dims = { 40, 40, 1 };
		ArrayImg<UnsignedByteType, ?> lab = ArrayImgs.unsignedBytes(dims);
		var ra = lab.randomAccess();
		for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) {
			ra.setPosition(new long[] { x, y, 0 });
			ra.get().set(small && x >= 30 && x < 32 && y >= 30 && y < 32 ? 2 : x < 20 && y < 20 ? 1 : 0);
		}
		Calibration cal = Calibration.uncalibrated(2);
		return TrainingCase.of(small ? "both" : "large", new Volume<>(ArrayImgs.floats(dims), cal), new Volume<>(lab, cal),
			new Normalization(Normalization.Method.NONE, 0, 1));
	}

	@Test
	void classBalancingCentresEachClassEquallyOftenOverTheSet() {
		// class 2 is in 1 of 4 cases: drawn per case it would centre 1/8 of the patches, over the set 1/2
		List<TrainingCase> cases = List.of(twoClasses(true), twoClasses(false), twoClasses(false), twoClasses(false));
		PatchSampler s = new PatchSampler(cases, new long[] { 8, 8 }, 1.0, false, false, true);
		short[] l = new short[64];
		float[] i = new float[64];
		Random r = new Random(5);
		int[] centred = new int[3];
		int n = 4000;
		for (int k = 0; k < n; k++) {
			s.sample(r, i, 0, l, 0);
			centred[l[4 * 8 + 4]]++; // the patch centre is the drawn voxel when there is no augmentation
		}
		assertEquals(0, centred[0]);
		assertEquals(0.5, centred[2] / (double) n, 0.03, "share of patches centred on the class of one case in four");
		// without balancing: foreground voxels of a random case (class 2 is 4 of 404 foreground voxels of one case)
		PatchSampler plain = new PatchSampler(cases, new long[] { 8, 8 }, 1.0, false, false, false);
		int two = 0;
		for (int k = 0; k < n; k++) {
			plain.sample(r, i, 0, l, 0);
			if (l[4 * 8 + 4] == 2) two++;
		}
		assertTrue(two < n / 100, "unbalanced: " + two);
	}

	/**
	 * Left-right flips: a 2D case whose image value is y (the left-right axis here), class 1 on the low half
	 * of y and class 2 on the high half, class 2 not annotated. In a flipped patch the image falls along y
	 * and the flipped class-2 voxels are labelled 1 (paired classes swapped), so label 1 lies where the image
	 * is high; the patch's annotated classes are swapped with them.
	 */
	@Test
	void leftRightFlipsSwapPairedClassesAndTheirAnnotation() {
		int n = 32;
		ArrayImg<FloatType, ?> img = ArrayImgs.floats(n, n, 1);
		ArrayImg<UnsignedByteType, ?> lab = ArrayImgs.unsignedBytes(n, n, 1);
		var ci = img.cursor();
		var cl = lab.cursor();
		while (ci.hasNext()) {
			ci.fwd();
			cl.fwd();
			ci.get().set(ci.getIntPosition(1) * 10);
			cl.get().set(ci.getIntPosition(1) < n / 2 ? 1 : 2);
		}
		Calibration cal = Calibration.uncalibrated(2);
		TrainingCase c = TrainingCase.of("sided", new Volume<>(img, cal), new Volume<>(lab, cal), new Normalization(Normalization.Method.NONE, 0,
			1)).withPresent(new boolean[] { true, true, true });
		TrainingCase partial = new TrainingCase(c.name(), c.size(), c.channels(), c.image(), c.labels(), c.foreground(), c.calibration(),
			c.separation(), c.objectDiameters(), c.objects(), new boolean[] { true, true, false });
		PatchSampler s = new PatchSampler(List.of(partial), new long[] { 16, 16 }, 0, true, false, false, 1, new int[] { 0, 2, 1 });
		float[] i = new float[256];
		short[] l = new short[256];
		Random r = new Random(11);
		int flipped = 0, patches = 200;
		for (int k = 0; k < patches; k++) {
			boolean[] annotated = s.sample(r, i, 0, l, 0, null, null).annotated();
			double m1 = 0, m2 = 0;
			int n1 = 0, n2 = 0;
			for (int v = 0; v < 256; v++)
				if (l[v] == 1) { m1 += i[v]; n1++; } else { m2 += i[v]; n2++; }
			if (n1 == 0 || n2 == 0) continue; // a patch within one half tells nothing
			boolean swappedHere = m1 / n1 > m2 / n2;
			if (swappedHere) flipped++;
			assertArrayEquals(swappedHere ? new boolean[] { true, false, true } : new boolean[] { true, true, false }, annotated);
		}
		assertTrue(flipped > patches / 5 && flipped < patches * 4 / 5, "flipped " + flipped + " of " + patches);
		// without the flip, label 1 is always where the image is low
		PatchSampler plain = new PatchSampler(List.of(partial), new long[] { 16, 16 }, 0, true, false, false);
		for (int k = 0; k < 50; k++) {
			plain.sample(r, i, 0, l, 0, null, null);
			double m1 = 0, m2 = 0;
			int n1 = 0, n2 = 0;
			for (int v = 0; v < 256; v++)
				if (l[v] == 1) { m1 += i[v]; n1++; } else { m2 += i[v]; n2++; }
			assertTrue(n1 == 0 || n2 == 0 || m1 / n1 < m2 / n2);
		}
		org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PatchSampler(List.of(c), new long[] { 16, 16 }, 0,
			true, true, false, 1, new int[] { 0, 2, 1 }));
	}

	@Test
	void mirrorIndexReflectsWithoutRepeatingTheEdge() {
		assertEquals(1, io.github.unetseg.image.PixelArrays.mirror(-1, 5));
		assertEquals(3, io.github.unetseg.image.PixelArrays.mirror(5, 5));
		assertEquals(0, io.github.unetseg.image.PixelArrays.mirror(8, 5));
		assertEquals(0, io.github.unetseg.image.PixelArrays.mirror(-3, 1));
	}
}
