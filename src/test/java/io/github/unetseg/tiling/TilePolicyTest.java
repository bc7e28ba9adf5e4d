package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.unetseg.tiling.TilePlan.Border;


class TilePolicyTest {

	static double voxels(TilePlan p) {
		return p.tiles().size() * (double) p.tileVoxels();
	}

	@ParameterizedTest
	@EnumSource(Border.class)
	void chosenTilesComputeFewerPixelsThanTheModelTileWithinTheMemoryCap(Border border) {
		long[][][] cases = { { { 256, 256, 128 }, { 128, 128, 128 }, { 23, 23, 23 } }, { { 2048, 2048 }, { 512, 512 }, { 51, 51 } },
			{ { 181, 217 }, { 512, 512 }, { 51, 51 } }, { { 61, 130, 97 }, { 96, 96, 96 }, { 23, 23, 23 } } };
		for (long[][] c : cases) {
			int a = c[0].length == 3 ? 4 : 8;
			long[] auto = TilePolicy.autoTile(c[0], c[1], c[2], a, 0, border);
			TilePlan def = TilePlan.create(c[0], c[1], c[2], 0, a, border), best = TilePlan.create(c[0], auto, c[2], 0, a, border);
			double cap = 1.5;
			for (long t : c[1]) cap *= t;
			assertTrue(best.tileVoxels() <= cap, "memory cap");
			assertTrue(voxels(best) <= voxels(def), java.util.Arrays.toString(auto) + " vs model tile");
			for (long t : auto) assertTrue(t % a == 0);
		}
		// 256 x 256 x 128 with halo 23: two tiles of 176 per x/y axis and one in z beat 4 x 4 x 2 tiles of 128
		long[] t = TilePolicy.autoTile(new long[] { 256, 256, 128 }, new long[] { 128, 128, 128 }, new long[] { 23, 23, 23 }, 4, 0,
			border);
		TilePlan p = TilePlan.create(new long[] { 256, 256, 128 }, t, new long[] { 23, 23, 23 }, 0, 4, border);
		assertTrue(p.computeOverhead() < 4, "overhead " + p.computeOverhead() + " with " + java.util.Arrays.toString(t));
	}

	@Test
	void aLargerMemoryBudgetAllowsOneTileForTheWholeVolume() {
		long[] size = { 256, 256, 128 }, model = { 128, 128, 128 }, halo = { 23, 23, 23 };
		TilePlan mirror = TilePlan.create(size, TilePolicy.autoTile(size, model, halo, 4, 20e6, Border.MIRROR), halo, 0, 4,
			Border.MIRROR);
		assertEquals(1, mirror.tiles().size());
		assertEquals(304.0 * 304 * 176 / (256 * 256 * 128), mirror.computeOverhead(), 1e-12, "the halo is computed outside the image");
		TilePlan same = TilePlan.create(size, TilePolicy.autoTile(size, model, halo, 4, 20e6, Border.SAME), halo, 0, 4,
			Border.SAME);
		assertEquals(1, same.tiles().size());
		assertEquals(1.0, same.computeOverhead(), 1e-12, "nothing computed outside the image");
	}

	@Test
	void availableMemoryIsLinuxsMemAvailablePageCacheIncluded(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
		java.nio.file.Path meminfo = dir.resolve("meminfo");
		java.nio.file.Files.writeString(meminfo, "MemTotal:       24683648 kB\nMemFree:         1563072 kB\nMemAvailable:    8563424 kB\n" +
			"Buffers:          12345 kB\n");
		assertEquals(8563424L * 1024, TilePolicy.meminfoAvailable(meminfo));
		java.nio.file.Files.writeString(meminfo, "MemTotal:       24683648 kB\nMemFree:         1563072 kB\n");
		assertEquals(-1, TilePolicy.meminfoAvailable(meminfo), "kernels before 3.14 have no MemAvailable");
		assertEquals(-1, TilePolicy.meminfoAvailable(dir.resolve("missing")));
	}

	@Test
	void smallImagesGetOneTileOfTheirOwnSize() {
		long[] size = { 181, 217 }, model = { 512, 512 }, halo = { 51, 51 };
		long[] t = TilePolicy.autoTile(size, model, halo, 8, 0, Border.MIRROR);
		assertArrayEquals(new long[] { 288, 320 }, TilePlan.create(size, t, halo, 0, 8, Border.MIRROR).tileSize());
		t = TilePolicy.autoTile(size, model, halo, 8, 0, Border.SAME);
		assertArrayEquals(new long[] { 184, 224 }, TilePlan.create(size, t, halo, 0, 8, Border.SAME).tileSize());
	}

	@Test
	void aSmall3dImageWithAMirroredReceptiveFieldHaloIsPredictedWhole() {
		// a depth-4 net (alignment 16, receptive field 107) on a 128^3 CT: mirrored halo tiles would compute 352^3
		TilePolicy p = new TilePolicy(16, new long[] { 288, 288, 288 }, new long[] { 107, 107, 107 }, 16, 1, 8);
		TilePlan mirror = p.plan(new long[] { 128, 128, 128 }, null, null, 0, Border.MIRROR);
		assertEquals(1, mirror.tiles().size());
		assertArrayEquals(new long[] { 128, 128, 128 }, mirror.tileSize());
		assertArrayEquals(new long[] { 0, 0, 0 }, mirror.halo());
		// given tiles or halos are the user's: no shortcut
		TilePlan given = p.plan(new long[] { 128, 128, 128 }, null, new long[] { 107 }, 0, Border.MIRROR);
		assertTrue(given.tileVoxels() > 300L * 300 * 300, "halo kept: " + java.util.Arrays.toString(given.tileSize()));
		// a 2D image whose halo tiles cost less than twice the whole keeps them
		TilePolicy p2 = new TilePolicy(8, new long[] { 512, 512 }, new long[] { 51, 51 }, 16, 1, 1);
		TilePlan plane = p2.plan(new long[] { 512, 512 }, null, null, 0, Border.SAME);
		assertArrayEquals(new long[] { 51, 51 }, plane.halo());
		assertEquals(null, TilePolicy.wholeImage(new long[] { 1000, 1000, 1000 }, 16, 1e6, Border.MIRROR), "over the budget");
	}

	@Test
	void aJobMemoryLimitCapsTheBudget() {
		assertEquals(8L << 30, TilePolicy.memoryLimit("8g"));
		assertEquals(8192L << 20, TilePolicy.memoryLimit(" 8192M "));
		assertEquals(123456, TilePolicy.memoryLimit("123456"));
		assertEquals(0, TilePolicy.memoryLimit(null));
		org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TilePolicy.memoryLimit("8 GB"));
		TilePolicy policy = new TilePolicy(16, new long[] { 288, 288, 288 }, new long[] { 107, 107, 107 }, 16, 1, 8);
		String before = System.getProperty(TilePolicy.MEMORY_LIMIT);
		try {
			// 1 GiB in all, no more than the test JVM's heap: an eighth of it is taken as native room, half of that is the budget
			System.setProperty(TilePolicy.MEMORY_LIMIT, "1g");
			assertTrue(Runtime.getRuntime().maxMemory() >= 1L << 30, "surefire's -Xmx");
			assertEquals((1L << 30) / 8 * 2 / 4.0 / (16 * (double) TilePolicy.BYTES_PER_VOXEL_AND_FILTER), policy.memoryBudgetVoxels(), 1);
		}
		finally {
			if (before == null) System.clearProperty(TilePolicy.MEMORY_LIMIT);
			else System.setProperty(TilePolicy.MEMORY_LIMIT, before);
		}
	}

	@Test
	void aCgroupLimitCapsTheMemoryBudget(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) throws Exception {
		assertEquals(-1, TilePolicy.cgroupAvailable(root), "no cgroup files: no limit");
		java.nio.file.Files.writeString(root.resolve("memory.max"), "max\n");
		java.nio.file.Files.writeString(root.resolve("memory.current"), "1000\n");
		assertEquals(-1, TilePolicy.cgroupAvailable(root), "v2 without a limit");
		java.nio.file.Files.writeString(root.resolve("memory.max"), "8589934592\n");
		assertEquals(8589934592L - 1000, TilePolicy.cgroupAvailable(root), "v2: limit minus usage");
		// a job that read a large file: 6 GiB in use, 5 GiB of it inactive page cache the kernel reclaims first
		java.nio.file.Files.writeString(root.resolve("memory.current"), "6442450944\n");
		java.nio.file.Files.writeString(root.resolve("memory.stat"), "anon 1073741824\nfile 5368709120\nactive_file 0\ninactive_file 5368709120\n");
		assertEquals(8589934592L - 1073741824L, TilePolicy.cgroupAvailable(root), "v2: inactive page cache counts as free");
		java.nio.file.Files.delete(root.resolve("memory.stat"));
		java.nio.file.Files.delete(root.resolve("memory.max"));
		java.nio.file.Files.createDirectories(root.resolve("memory"));
		java.nio.file.Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "4294967296\n");
		java.nio.file.Files.writeString(root.resolve("memory/memory.usage_in_bytes"), "5000000000\n");
		assertEquals(0, TilePolicy.cgroupAvailable(root), "v1: over the limit leaves nothing");
		java.nio.file.Files.writeString(root.resolve("memory/memory.stat"), "cache 4000000000\ntotal_inactive_file 3000000000\n");
		assertEquals(4294967296L - 2000000000L, TilePolicy.cgroupAvailable(root), "v1: total_inactive_file counts as free");
		java.nio.file.Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
		assertEquals(-1, TilePolicy.cgroupAvailable(root), "v1's 'unlimited'");
		assertTrue(TilePolicy.availableBytes() > 0, "this machine has memory to spare");
	}
}
