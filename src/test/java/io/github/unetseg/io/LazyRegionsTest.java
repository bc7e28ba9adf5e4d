package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.view.Views;

/**
 * Lazily read images ({@link LazyRegions}) over region reads of a BigTIFF stack ({@link ImageIoTiff#regions}):
 * values, type and calibration equal the whole read, with a cache far smaller than the image, and the cache
 * bounds what is kept.
 */
class LazyRegionsTest {

	@TempDir
	Path dir;

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<UnsignedShortType> cast(Volume<?> v) {
		return (Volume) v;
	}

	@Test
	void aBigTiffStackReadLazilyEqualsTheWholeRead() {
		Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		Path big = dir.resolve("ch2.btf");
		ImageIoTiff.writeBigTiff(cast(ch2), big);
		Volume<?> whole = ImageIoTiff.read(big);
		long[] loads = { 0 };
		try (RegionSource source = ImageIoTiff.regions(big)) {
			assertArrayEquals(whole.spatialSize(), source.spatialSize());
			Volume<?> lazy = LazyRegions.open(source, 256 << 10, loads);
			assertTrue(LazyRegions.isLazy(lazy));
			assertEquals(whole.calibration(), lazy.calibration());
			assertEquals(whole.image().getType().getClass(), lazy.image().getType().getClass());
			assertArrayEquals(Images.toFloats(cast(whole).image()), Images.toFloats(cast(lazy).image()));
			long first = loads[0];
			assertEquals(whole.spatialSize()[2], first, "one cell per page (181 x 217 x 2 bytes < 1 MiB), each read once in order");
			// a region again, after the small cache has moved on: read from the file again
			long[] min = { 10, 20, 5, 0 }, max = { 60, 90, 8, 0 };
			float[] w = Images.toFloats(Views.zeroMin(Views.interval(cast(whole).image(), min, max)));
			float[] l = Images.toFloats(Views.zeroMin(Views.interval(cast(lazy).image(), min, max)));
			assertArrayEquals(w, l);
			assertTrue(loads[0] > first, "evicted cells are reloaded: the cache holds " + (256 << 10) + " bytes, not the image");
		}
	}

	@Test
	void cellsFollowTheFileAndGrowToAboutAMebibyte() {
		// a 256 x 256 tile of 16-bit samples is 128 KiB: widened along x and y in turn to 1024 x 512 (1 MiB)
		assertArrayEquals(new int[] { 1024, 512, 1 }, LazyRegions.cell(new int[] { 256, 256, 1 }, new long[] { 50_000, 50_000, 10 }, 2));
		// strips of 8 rows across a 40,000-pixel-wide 8-bit image
		assertArrayEquals(new int[] { 40_000, 16 }, LazyRegions.cell(new int[] { 40_000, 8 }, new long[] { 40_000, 30_000 }, 1));
		// never beyond the image
		assertArrayEquals(new int[] { 181, 217, 1 }, LazyRegions.cell(new int[] { 181, 1, 1 }, new long[] { 181, 217, 181 }, 2));
	}
}
