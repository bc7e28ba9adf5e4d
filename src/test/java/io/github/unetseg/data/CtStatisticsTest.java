package io.github.unetseg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImgs;

class CtStatisticsTest {

	/** A 1-D "CT" of n voxels: values given, labels 1 where the value is not -1000 (air). */
	private static Volume<?>[] ct(float... hu) {
		byte[] lab = new byte[hu.length];
		for (int i = 0; i < hu.length; i++) lab[i] = (byte) (hu[i] != -1000 ? 1 : 0);
		Calibration cal = Calibration.of("mm", 1, 1, 1);
		return new Volume<?>[] { new Volume<>(ArrayImgs.floats(hu, hu.length, 1, 1, 1), cal),
			new Volume<>(ArrayImgs.unsignedBytes(lab, hu.length, 1, 1, 1), cal) };
	}

	@Test
	void foregroundPercentilesMeanAndStdOverAllCases() {
		Volume<?>[] a = ct(-1000, 0, 100, -1000), b = ct(200, 300, -1000);
		Normalization n = CtStatistics.of(List.of(a[0], b[0]), List.of(a[1], b[1]), 1);
		// foreground 0, 100, 200, 300: mean 150, std sqrt(12500); numpy percentile 0.5 -> 1.5, 99.5 -> 298.5
		assertEquals(Normalization.Method.CT, n.method());
		assertEquals(150, n.mean(), 1e-9);
		assertEquals(Math.sqrt(12500), n.std(), 1e-9);
		assertEquals(1.5, n.low(), 1e-9);
		assertEquals(298.5, n.high(), 1e-9);
		// clipped to the percentiles, then (v - mean) / std
		double[][] clip = n.clipBounds(1);
		assertArrayEquals(new double[] { (1.5 - 150) / Math.sqrt(12500) }, clip[0], 1e-12);
		assertArrayEquals(new double[] { (298.5 - 150) / Math.sqrt(12500) }, clip[1], 1e-12);
		double[][] affine = n.affine(a[0]);
		assertEquals(1 / Math.sqrt(12500), affine[0][0], 1e-15);
		assertEquals(-150 / Math.sqrt(12500), affine[1][0], 1e-12);
	}

	@Test
	void noForegroundIsRefusedAndTheUncomputedNormalisationCannotBeApplied() {
		Volume<?>[] air = ct(-1000, -1000);
		assertThrows(IllegalArgumentException.class, () -> CtStatistics.of(List.of(air[0]), List.of(air[1]), 1));
		assertThrows(IllegalStateException.class, () -> Normalization.ctFromTrainingSet().affine(air[0]));
	}

	@Test
	void aWindowClipsAndMapsToTheUnitInterval() {
		Normalization w = new Normalization(Normalization.Method.WINDOW, -160, 240);
		double[][] clip = w.clipBounds(1), affine = w.affine(ct(0)[0]);
		assertEquals(0, clip[0][0] , 1e-12);
		assertEquals(1, clip[1][0], 1e-12);
		assertEquals(1 / 400.0, affine[0][0], 1e-15);
		assertEquals(0.5, 40 * affine[0][0] + affine[1][0], 1e-12);
	}
}
