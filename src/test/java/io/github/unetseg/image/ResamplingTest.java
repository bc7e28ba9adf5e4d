package io.github.unetseg.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

class ResamplingTest {

	/** Input position sampled by output pixel {@code i}: pixel centres aligned, clamped. */
	private static double source(int i, long in, long out) {
		return Math.max(0, Math.min(in - 1, (i + 0.5) * in / out - 0.5));
	}

	@Test
	void linearReproducesARampExactly() {
		long[] in = { 20, 13 };
		var img = ArrayImgs.floats(20, 13, 1);
		for (var c = Views.flatIterable(img).cursor(); c.hasNext();) {
			c.fwd();
			c.get().set(2 * c.getIntPosition(0) + 3 * c.getIntPosition(1));
		}
		long[] to = { 31, 7 };
		Volume<FloatType> out = Resampling.linear(new Volume<>(img, new Calibration(new double[] { 0.5, 2 }, "mm", null)), to);
		assertArrayEquals(new long[] { 31, 7, 1 }, out.image().dimensionsAsLongArray());
		RandomAccess<FloatType> ra = out.image().randomAccess();
		for (int y = 0; y < to[1]; y++)
			for (int x = 0; x < to[0]; x++) {
				double expected = 2 * source(x, in[0], to[0]) + 3 * source(y, in[1], to[1]);
				assertEquals(expected, ra.setPositionAndGet(x, y, 0).get(), 1e-4, "at " + x + "," + y);
			}
		assertArrayEquals(new double[] { 0.5 * 20 / 31, 2.0 * 13 / 7 }, out.calibration().spacing(), 1e-12);
	}

	@Test
	void linearEqualsDirectTrilinearInterpolationOn3DChannels() {
		long[] in = { 9, 7, 5 };
		var img = ArrayImgs.shorts(9, 7, 5, 2);
		Random r = new Random(3);
		for (ShortType t : img) t.set((short) (r.nextInt(2000) - 1000));
		long[] to = { 4, 7, 11 };
		Volume<FloatType> out = Resampling.linear(new Volume<>(img, Calibration.uncalibrated(3)), to);
		RandomAccess<ShortType> src = img.randomAccess();
		RandomAccess<FloatType> ra = out.image().randomAccess();
		for (int c = 0; c < 2; c++)
			for (int z = 0; z < to[2]; z++)
				for (int y = 0; y < to[1]; y++)
					for (int x = 0; x < to[0]; x++) {
						double[] p = { source(x, in[0], to[0]), source(y, in[1], to[1]), source(z, in[2], to[2]) };
						double v = 0;
						for (int corner = 0; corner < 8; corner++) {
							long[] at = new long[4];
							double w = 1;
							for (int d = 0; d < 3; d++) {
								long lo = (long) Math.floor(p[d]);
								int bit = (corner >> d) & 1;
								at[d] = Math.min(lo + bit, in[d] - 1);
								w *= bit == 0 ? 1 - (p[d] - lo) : p[d] - lo;
							}
							at[3] = c;
							v += w * src.setPositionAndGet(at).get();
						}
						assertEquals(v, ra.setPositionAndGet(x, y, z, c).get(), 1e-3, "at " + x + "," + y + "," + z + " channel " + c);
					}
	}

	@Test
	void linearKeepsEveryVoxelsWorldPositionInTheAffine() {
		double[] affine = { -2, 0, 0, 100, 0, 3, 0, -50, 0, 0, 2.5, 10 };
		var img = ArrayImgs.floats(10, 10, 8, 1);
		Volume<FloatType> out = Resampling.linear(new Volume<>(img, new Calibration(new double[] { 2, 3, 2.5 }, "mm", affine)),
			new long[] { 20, 5, 8 });
		double[] a = out.calibration().affine();
		// the new first voxel's centre lies 0.25 old voxels along x before the old first voxel's, 0.5 after along y
		assertArrayEquals(new double[] { -1, 0, 0, 100 - 2 * -0.25, 0, 6, 0, -50 + 3 * 0.5, 0, 0, 2.5, 10 }, a, 1e-12);
	}

	@Test
	void nearestReplicatesAndPicksTheCentreAtOrAfterATie() {
		int[] labels = { 1, 2, 3, 4 };
		assertArrayEquals(new int[] { 1, 1, 2, 2, 3, 3, 4, 4 }, Resampling.nearest(labels, new int[] { 4, 1, 1 }, new int[] { 8, 1, 1 }));
		assertArrayEquals(new int[] { 2, 4 }, Resampling.nearest(labels, new int[] { 4, 1, 1 }, new int[] { 2, 1, 1 }));
	}

	@Test
	void linearRefusesAWrongSize() {
		var img = ArrayImgs.floats(4, 4, 1);
		assertThrows(IllegalArgumentException.class, () -> Resampling.linear(new Volume<>(img, Calibration.uncalibrated(2)), new long[] { 2, 2, 2 }));
	}
}
