package io.github.unetseg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyInputs;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * Training pairs as crops ({@link TrainingCrops}): the grid keeps every crop within the limit and every patch
 * position inside some crop, in 2D and 3D; a crop's case holds exactly the whole case's normalised values and
 * labels at the same positions, also when the pair is read lazily from a TIFF through a small cache.
 */
class TrainingCropsTest {

	@TempDir
	Path dir;

	/** Every window of {@code patch} voxels along each axis lies inside one crop, and every crop fits. */
	static void check(long[] size, int channels, long[] patch, long max) {
		List<long[][]> grid = TrainingCrops.grid(size, channels, patch, max);
		for (long[][] c : grid) {
			long v = channels;
			for (int d = 0; d < size.length; d++) {
				v *= c[1][d];
				assertTrue(c[0][d] >= 0 && c[0][d] + c[1][d] <= size[d], "crop inside the image");
			}
			assertTrue(v <= max, "crop of " + v + " values");
		}
		for (int d = 0; d < size.length; d++) {
			final int axis = d;
			long[] starts = grid.stream().mapToLong(c -> c[0][axis]).distinct().sorted().toArray();
			long crop = grid.get(0)[1][d];
			for (long a = 0; a + patch[d] <= size[d]; a++) {
				final long at = a;
				assertTrue(java.util.Arrays.stream(starts).anyMatch(s -> s <= at && at + patch[axis] <= s + crop),
					"patch at " + a + " on axis " + d + " inside a crop");
			}
		}
	}

	@Test
	void cropsFitAndCoverEveryPatch() {
		check(new long[] { 1000, 300 }, 2, new long[] { 64, 64 }, 2 * 200 * 300);
		check(new long[] { 50_000, 40_000 }, 1, new long[] { 512, 512 }, 1L << 26);
		check(new long[] { 300, 200, 90 }, 1, new long[] { 32, 32, 16 }, 200_000);
		assertEquals(1, TrainingCrops.grid(new long[] { 100, 100 }, 1, new long[] { 32, 32 }, 10_000).size(), "a pair that fits is one crop");
		// crops of 64^2 (at least twice the patch), starting at 0, 32 and 36 on each axis
		assertEquals(9, TrainingCrops.grid(new long[] { 100, 100 }, 1, new long[] { 32, 32 }, 5_000).size());
		check(new long[] { 70_000, 70_000 }, 1, new long[] { 512, 512 }, 1L << 26); // 4.9e9 values: beyond one array
		assertThrows(IllegalArgumentException.class, () -> TrainingCrops.grid(new long[] { 100, 100 }, 1, new long[] { 32, 32 }, 4000),
			"crops twice the patch still too large");
	}

	static Volume<UnsignedShortType>[] pair(int w, int h) {
		ArrayImg<UnsignedShortType, ?> img = ArrayImgs.unsignedShorts(w, h, 2), lab = ArrayImgs.unsignedShorts(w, h, 1);
		var ci = img.cursor();
		while (ci.hasNext()) {
			ci.fwd();
			ci.get().set((int) ((ci.getLongPosition(0) * 37 + ci.getLongPosition(1) * 101 + ci.getLongPosition(2) * 997) % 4001));
		}
		var cl = lab.cursor();
		while (cl.hasNext()) {
			cl.fwd();
			cl.get().set((int) ((cl.getLongPosition(0) / 10 + cl.getLongPosition(1) / 7) % 3));
		}
		@SuppressWarnings("unchecked")
		Volume<UnsignedShortType>[] p = new Volume[] { new Volume<>(img, Calibration.of("µm", 0.5, 0.5)), new Volume<>(lab, Calibration.of("µm", 0.5, 0.5)) };
		return p;
	}

	static void sameAsWhole(TrainingCase whole, List<TrainingCase> crops, List<long[][]> grid) {
		assertEquals(grid.size(), crops.size());
		int w = whole.size()[0], h = whole.size()[1], voxels = w * h;
		for (int k = 0; k < crops.size(); k++) {
			TrainingCase c = crops.get(k);
			long[] min = grid.get(k)[0];
			assertArrayEquals(new int[] { (int) grid.get(k)[1][0], (int) grid.get(k)[1][1], 1 }, c.size());
			assertTrue(c.name().endsWith("[" + min[0] + "," + min[1] + "]"), c.name());
			int cw = c.size()[0], cv = c.voxels();
			for (int y = 0; y < c.size()[1]; y++)
				for (int x = 0; x < cw; x++) {
					int src = (int) (x + min[0] + w * (y + min[1]));
					assertEquals(whole.labels()[src], c.labels()[x + cw * y]);
					for (int ch = 0; ch < 2; ch++) assertEquals(whole.image()[ch * voxels + src], c.image()[ch * cv + x + cw * y], 0);
				}
		}
	}

	@Test
	void cropsHoldTheWholeCasesNormalisedValues() {
		Volume<UnsignedShortType>[] p = pair(90, 70);
		Normalization norm = Normalization.percentile();
		TrainingCase whole = TrainingCase.of("p", p[0], p[1], norm);
		long[] patch = { 16, 16 };
		long max = 2 * 40 * 40;
		List<TrainingCase> crops = TrainingCrops.cases("p", p[0], p[1], norm, false, 0, patch, max, Function.identity());
		sameAsWhole(whole, crops, TrainingCrops.grid(new long[] { 90, 70 }, 2, patch, max));
		assertTrue(crops.size() > 4);
	}

	@Test
	void lazilyReadPairsGiveTheSameCrops() {
		Volume<UnsignedShortType>[] p = pair(90, 70);
		Path image = dir.resolve("p.tif"), labels = dir.resolve("p_labels.tif");
		ImageFiles.write(p[0], image, 0);
		ImageFiles.write(p[1], labels, 0);
		Normalization norm = Normalization.percentile();
		TrainingCase whole = TrainingCase.of("p", p[0], p[1], norm);
		long[] patch = { 16, 16 };
		try (LazyInputs.Opened li = LazyInputs.open(image, 4096); LazyInputs.Opened ll = LazyInputs.open(labels, 4096)) {
			@SuppressWarnings({ "unchecked", "rawtypes" })
			List<TrainingCase> crops = TrainingCrops.cases("p", (Volume) li.volume(), (Volume) ll.volume(), norm, false, 0, patch, 2 * 40 * 40,
				Function.identity());
			sameAsWhole(whole, crops, TrainingCrops.grid(new long[] { 90, 70 }, 2, patch, 2 * 40 * 40));
		}
	}
}
