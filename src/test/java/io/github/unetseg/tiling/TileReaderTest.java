package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.PixelArrays;
import io.github.unetseg.image.Volume;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/** The row copy from an image's arrays gives exactly the values of the per-pixel mirrored read. */
class TileReaderTest {

	private static <T extends RealType<T>> void fill(Img<T> img, Random r, double lo, double hi) {
		for (T t : img) t.setReal(lo + Math.floor(r.nextDouble() * (hi - lo)) + (hi - lo > 1e6 ? 0 : 0.25));
	}

	/** Reads the same tiles through the arrays and through a view (which has no arrays) and compares. */
	private static <T extends RealType<T>> void compare(Img<T> img, int spatialDims) {
		int channels = (int) img.dimension(spatialDims);
		Calibration cal = Calibration.uncalibrated(spatialDims);
		double[] scale = new double[channels], offset = new double[channels];
		for (int c = 0; c < channels; c++) {
			scale[c] = 1.0 / (c + 3);
			offset[c] = -0.5 * c;
		}
		assertNotNull(PixelArrays.of(img), "arrays of " + img.getClass().getSimpleName());
		RandomAccessibleInterval<T> view = Views.zeroMin(Views.translate(img, new long[img.numDimensions()]));
		assertNull(PixelArrays.of(view), "a view has no arrays");
		TileReader<T> fast = new TileReader<>(new Volume<>(img, cal), scale, offset);
		TileReader<T> slow = new TileReader<>(new Volume<>(view, cal), scale, offset);
		long[][] mins = spatialDims == 2 ? new long[][] { { 0, 0 }, { -7, -3 }, { 20, 11 }, { -40, 30 }, { 5, -61 } }
			: new long[][] { { 0, 0, 0 }, { -7, -3, -2 }, { 20, 11, 4 }, { -40, 30, 9 } };
		long[] size = spatialDims == 2 ? new long[] { 24, 16 } : new long[] { 24, 16, 8 };
		int n = 1;
		for (long s : size) n *= (int) s;
		for (long[] min : mins) {
			float[] a = new float[n * channels + 5], b = new float[n * channels + 5];
			fast.read(min, size, a, 5);
			slow.read(min, size, b, 5);
			assertArrayEquals(b, a, 0, img.getClass().getSimpleName() + " " + img.firstElement().getClass().getSimpleName() + " at " +
				java.util.Arrays.toString(min));
		}
	}

	@Test
	void arraysAndRandomAccessGiveIdenticalTiles() {
		Random r = new Random(8);
		var u16 = ArrayImgs.unsignedShorts(31, 19, 2);
		fill(u16, r, 0, 65535);
		compare(u16, 2);
		var s16 = ArrayImgs.shorts(31, 19, 7, 1);
		fill(s16, r, -1024, 3000);
		compare(s16, 3);
		var u8 = PlanarImgs.unsignedBytes(31, 19, 7, 2);
		fill(u8, r, 0, 255);
		compare(u8, 3);
		var s8 = ArrayImgs.bytes(31, 19, 1);
		fill(s8, r, -128, 127);
		compare(s8, 2);
		var i32 = ArrayImgs.ints(31, 19, 1);
		fill(i32, r, -100000, 100000);
		compare(i32, 2);
		var f32 = PlanarImgs.floats(31, 19, 7, 3);
		fill(f32, r, -5, 5);
		compare(f32, 3);
		var f64 = ArrayImgs.doubles(31, 19, 7, 1);
		fill(f64, r, -5, 5);
		compare(f64, 3);
	}

}
