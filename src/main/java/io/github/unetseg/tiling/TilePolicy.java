package io.github.unetseg.tiling;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import io.github.unetseg.tiling.TilePlan.Border;

/**
 * The one tile-size and batch-size policy of unetseg, used by inference (every front end) and by the
 * validation pass of training: which tile a network gets, how many tiles go into a batch, and how much
 * memory that may take.
 *
 * <p>Memory is estimated at {@value #BYTES_PER_VOXEL_AND_FILTER} bytes per network input voxel and
 * first-level filter (the U-Net's largest feature maps and their concatenations; measured: a 3D net with
 * 8 filters peaked at 3.4 GB resident for one tile of 16.3 million voxels, about 26 bytes per voxel and
 * filter). The budget is a quarter of the free physical memory.
 *
 * @param alignment the network's total downsampling factor (2<sup>depth</sup>), &gt;= 1; tiles are
 *     multiples of it
 * @param modelTile the model's recommended tile {@code [x, y(, z)]} in pixels
 * @param modelHalo the model's halo {@code [x, y(, z)]} in pixels (its receptive-field radius for models
 *     written by unetseg)
 * @param baseFilters filters of the network's first level (32 when unknown), for the memory estimate
 * @param inputChannels network input channels, &gt;= 1
 * @param outputChannels network output channels, &gt;= 1
 */
public record TilePolicy(int alignment, long[] modelTile, long[] modelHalo, int baseFilters, int inputChannels, int outputChannels) {

	/** Memory estimate of the tile and batch choices, bytes per input voxel and first-level filter. */
	public static final int BYTES_PER_VOXEL_AND_FILTER = 24;

	/** Upper bound of the automatic batch size. */
	public static final int MAX_AUTO_BATCH = 16;

	/** @throws IllegalArgumentException if a value is out of range or the axis counts differ */
	public TilePolicy {
		if (alignment < 1) throw new IllegalArgumentException("alignment must be >= 1, got " + alignment);
		if (modelTile.length != modelHalo.length)
			throw new IllegalArgumentException("tile and halo need the same axes: " + Arrays.toString(modelTile) + ", " +
				Arrays.toString(modelHalo));
		if (baseFilters < 1 || inputChannels < 1 || outputChannels < 1)
			throw new IllegalArgumentException("filters and channels must be >= 1");
		modelTile = modelTile.clone();
		modelHalo = modelHalo.clone();
	}

	@Override
	public long[] modelTile() {
		return modelTile.clone();
	}

	@Override
	public long[] modelHalo() {
		return modelHalo.clone();
	}

	/**
	 * The tile plan for an image: the given tile and halo, or the model's halo and the automatic tile
	 * ({@link #autoTile}) where {@code null}; tiles rounded up to the alignment.
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]} in pixels
	 * @param tile tile per axis, one value for all axes, or {@code null} for the automatic choice
	 * @param halo halo per axis, one value for all axes, or {@code null} for the model's
	 * @param overlap fraction of the core shared by neighbours, in {@code [0, 0.9]}
	 * @param border what the network sees beyond the image border
	 * @return the plan
	 * @throws IllegalArgumentException naming {@code --tile} or {@code --halo} when a value count does
	 *     not fit, or with {@link TilePlan#create}'s reason when tile and halo leave no core
	 */
	public TilePlan plan(long[] imageSize, long[] tile, long[] halo, double overlap, Border border) {
		int n = modelTile.length;
		if (tile == null && halo == null) {
			TilePlan whole = wholeImage(imageSize, alignment, memoryBudgetVoxels(), border);
			if (whole != null) {
				TilePlan tiled = plan(imageSize, null, modelHalo, overlap, border);
				if ((double) tiled.tiles().size() * tiled.tileVoxels() > 2.0 * whole.tileVoxels()) return whole;
				return tiled;
			}
		}
		long[] h = perAxis(halo, modelHalo, n, "--halo");
		long[] t = tile == null ? autoTile(imageSize, modelTile, h, alignment, memoryBudgetVoxels(), border) : perAxis(tile, modelTile, n,
			"--tile");
		for (int d = 0; d < n; d++) t[d] = roundUp(t[d], alignment);
		return TilePlan.create(imageSize, t, h, overlap, alignment, border);
	}

	/**
	 * Tile size per axis that computes the fewest pixels for this image: the cost of a plan is
	 * {@code prod(tiles along d * tile_d)} (the plan's own tile count), searched over multiples of the
	 * alignment from the smallest useful tile ({@code 2 * halo + alignment}) up to the whole image (padded
	 * by the halo with {@link Border#MIRROR}), with the tile volume capped at {@code maxVoxels} (the memory
	 * budget) but never below 1.5 times the model's tile. Halo waste is what this minimises: with a halo
	 * of the receptive field, a tile that covers the image in one or two steps per axis is often several
	 * times cheaper than many small ones. One axis at a time, as nnU-Net's
	 * {@code compute_steps_for_sliding_window}, then the product of the axes' candidates.
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]}
	 * @param modelTile the model's recommended tile
	 * @param halo halo per axis
	 * @param a alignment (2^depth)
	 * @param maxVoxels largest tile volume the memory budget allows, in voxels
	 * @param border the image border the plan will use
	 * @return tile size per axis, multiples of {@code a}
	 */
	public static long[] autoTile(long[] imageSize, long[] modelTile, long[] halo, int a, double maxVoxels, Border border) {
		int n = imageSize.length;
		double cap = 1.5;
		for (long t : modelTile) cap *= t;
		cap = Math.max(cap, maxVoxels);
		long[][] cand = new long[n][];
		double[][] axisCost = new double[n][];
		for (int d = 0; d < n; d++) {
			long lo = roundUp(2 * halo[d] + a, a);
			long whole = roundUp(imageSize[d] + (border == Border.MIRROR ? 2 * halo[d] : 0), a);
			long hi = Math.max(lo, whole);
			// a coarser grid of candidates on long axes keeps the search small
			long stepA = Math.max(a, roundUp((hi - lo) / 64 + 1, a));
			int count = (int) ((hi - lo) / stepA) + 1;
			cand[d] = new long[count + 1];
			axisCost[d] = new double[count + 1];
			for (int i = 0; i <= count; i++) {
				cand[d][i] = i < count ? Math.min(lo + (long) i * stepA, hi) : hi;
				// computed pixels along this axis: the plan's tile count times its (possibly shrunk) tile
				TilePlan p = TilePlan.create(new long[] { imageSize[d] }, new long[] { cand[d][i] }, new long[] { halo[d] }, 0, a, border);
				axisCost[d][i] = (double) p.tiles().size() * p.tileSize()[0];
			}
		}
		long[] best = modelTile.clone();
		double bestCost = Double.POSITIVE_INFINITY;
		int[] idx = new int[n];
		while (true) {
			double vol = 1, cost = 1;
			long[] t = new long[n];
			for (int d = 0; d < n; d++) {
				t[d] = cand[d][idx[d]];
				vol *= t[d];
				cost *= axisCost[d][idx[d]];
			}
			if (vol <= cap && cost < bestCost) {
				bestCost = cost;
				best = t;
			}
			int d = 0;
			while (d < n && ++idx[d] >= cand[d].length) idx[d++] = 0;
			if (d == n) break;
		}
		return best;
	}

	/**
	 * Voxels of network input that fit the memory budget: a quarter of the free physical memory (the
	 * Java heap's maximum where the JVM cannot tell), at {@value #BYTES_PER_VOXEL_AND_FILTER} bytes per
	 * voxel and first-level filter. Under a job memory limit (system property {@value #MEMORY_LIMIT},
	 * set by {@code scripts/slurm} from SLURM's {@code --mem}) at most half of what the limit leaves
	 * beside the Java heap, since a node's free memory belongs to other jobs.
	 *
	 * @return the budget in voxels, &gt; 0
	 * @throws IllegalArgumentException if {@value #MEMORY_LIMIT} is not a size such as {@code 8g},
	 *     {@code 8192m} or a byte count
	 */
	public double memoryBudgetVoxels() {
		return availableBytes() / 4.0 / (baseFilters * (double) BYTES_PER_VOXEL_AND_FILTER);
	}

	/**
	 * Memory the engine may use now: the available physical memory (Linux's {@code MemAvailable}, page cache
	 * included; elsewhere the JVM's free memory, or the Java heap's maximum where the JVM cannot tell), at most what a container's cgroup limit leaves ({@link #cgroupAvailable}), at most what
	 * JavaCPP's physical-memory limit leaves (TensorFlow Java's native allocations fail beyond
	 * {@code org.bytedeco.javacpp.Pointer.maxPhysicalBytes()}), and under {@value #MEMORY_LIMIT} at most
	 * half of what that limit leaves beside the Java heap.
	 *
	 * @return bytes, &gt;= 0
	 */
	public static long availableBytes() {
		// Linux's estimate of what can be allocated without swapping, page cache included: the JVM's free memory
		// (MemFree) leaves the cache out, so that after reading a large file the budget shrank (batch 1 instead of 2)
		long free = meminfoAvailable(java.nio.file.Path.of("/proc/meminfo"));
		if (free < 0) {
			try {
				free = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getFreeMemorySize();
			}
			catch (ClassCastException e) {
				free = Runtime.getRuntime().maxMemory();
			}
		}
		long cgroup = cgroupAvailable(java.nio.file.Path.of("/sys/fs/cgroup"));
		if (cgroup >= 0) free = Math.min(free, cgroup);
		long javacpp = javacppAvailable();
		if (javacpp >= 0) free = Math.min(free, javacpp);
		long limit = memoryLimit(System.getProperty(MEMORY_LIMIT));
		if (limit > 0) free = Math.min(free, 2 * Math.max(limit - Runtime.getRuntime().maxMemory(), limit / 8));
		return Math.max(0, free);
	}

	/**
	 * Linux's {@code MemAvailable} (kernel 3.14+): free memory plus the page cache and reclaimable memory that
	 * can be given back without swapping.
	 *
	 * @param meminfo {@code /proc/meminfo}
	 * @return bytes, or -1 where the file or the line is missing or unreadable (another platform)
	 */
	static long meminfoAvailable(java.nio.file.Path meminfo) {
		try {
			for (String line : java.nio.file.Files.readAllLines(meminfo)) {
				if (!line.startsWith("MemAvailable:")) continue;
				String[] f = line.substring("MemAvailable:".length()).trim().split("\\s+");
				long v = Long.parseLong(f[0]);
				return f.length > 1 && f[1].equalsIgnoreCase("kB") ? v * 1024 : v;
			}
		}
		catch (java.io.IOException | NumberFormatException | SecurityException e) {
			// not Linux, or not readable
		}
		return -1;
	}

	/**
	 * What a cgroup memory limit leaves: cgroup v2's {@code memory.max - memory.current}, or v1's
	 * {@code memory/memory.limit_in_bytes - memory/memory.usage_in_bytes}, with the usage's inactive page
	 * cache ({@code inactive_file} of {@code memory.stat}, v1's {@code total_inactive_file}) counted as free:
	 * the kernel reclaims it before it refuses memory, and a job that has read large files (a SLURM job's
	 * cgroup, a container) would otherwise see its budget shrink with every file. This is the working set of
	 * Kubernetes and {@code docker stats}.
	 *
	 * @param root the cgroup file system of this process ({@code /sys/fs/cgroup})
	 * @return bytes left under the limit, or -1 where there is no limit (or no cgroup files)
	 */
	static long cgroupAvailable(java.nio.file.Path root) {
		for (String[] files : new String[][] { { "memory.max", "memory.current", "memory.stat", "inactive_file" },
			{ "memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes", "memory/memory.stat", "total_inactive_file" } })
		{
			try {
				String max = java.nio.file.Files.readString(root.resolve(files[0])).trim();
				if (max.equals("max")) return -1;
				long limit = Long.parseLong(max);
				if (limit >= (1L << 60)) return -1; // v1's "no limit" is a huge number
				long usage = Long.parseLong(java.nio.file.Files.readString(root.resolve(files[1])).trim());
				return Math.max(0, limit - Math.max(0, usage - statValue(root.resolve(files[2]), files[3])));
			}
			catch (java.io.IOException | NumberFormatException e) {
				// not this cgroup version
			}
		}
		return -1;
	}

	/** A {@code key value} line's value in a cgroup {@code memory.stat} file, 0 where the file or the key is missing. */
	private static long statValue(java.nio.file.Path stat, String key) {
		try (var lines = java.nio.file.Files.lines(stat)) {
			return lines.map(l -> l.trim().split("\\s+")).filter(f -> f.length == 2 && f[0].equals(key)).mapToLong(f -> Long.parseLong(f[1]))
				.findFirst().orElse(0);
		}
		catch (java.io.IOException | NumberFormatException | java.io.UncheckedIOException e) {
			return 0;
		}
	}

	/** {@code Pointer.maxPhysicalBytes() - Pointer.physicalBytes()} of JavaCPP where it is loaded with a limit, else -1. */
	private static long javacppAvailable() {
		try {
			Class<?> p = Class.forName("org.bytedeco.javacpp.Pointer", false, TilePolicy.class.getClassLoader());
			long max = (long) p.getMethod("maxPhysicalBytes").invoke(null);
			return max > 0 ? Math.max(0, max - (long) p.getMethod("physicalBytes").invoke(null)) : -1;
		}
		catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
			return -1;
		}
	}

	/** System property with the memory a job may use in all (Java heap and native), e.g. {@code 8g}. */
	public static final String MEMORY_LIMIT = "unetseg.memoryLimit";

	/**
	 * @param value a size: bytes, or a number with suffix {@code k}, {@code m}, {@code g} (powers of
	 *     1024, as Java's {@code -Xmx}); {@code null} or empty for none
	 * @return bytes, 0 for none
	 * @throws IllegalArgumentException for anything else
	 */
	static long memoryLimit(String value) {
		if (value == null || value.isBlank()) return 0;
		String v = value.trim().toLowerCase(java.util.Locale.ROOT);
		int shift = v.endsWith("k") ? 10 : v.endsWith("m") ? 20 : v.endsWith("g") ? 30 : 0;
		try {
			long n = Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1));
			if (n <= 0) throw new NumberFormatException();
			return n << shift;
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("-D" + MEMORY_LIMIT + "=" + value + " is not a memory size. Fix: give e.g. 8g or 8192m.");
		}
	}

	/**
	 * A batch size from the memory budget ({@link #memoryBudgetVoxels()}) and from the Java heap: the
	 * pipeline holds up to four batches of input and four of output arrays at once, which must fit in a
	 * quarter of the maximum heap. Out-of-memory errors still halve it at run time.
	 *
	 * @param plan the plan the batches come from
	 * @return tiles per batch, in {@code [1, min(MAX_AUTO_BATCH, tiles)]}
	 */
	public int autoBatch(TilePlan plan) {
		return autoBatch(plan, Long.MAX_VALUE);
	}

	/**
	 * As {@link #autoBatch(TilePlan)}, with the engine's working memory for one batch (estimated at
	 * {@value #BYTES_PER_VOXEL_AND_FILTER} bytes per voxel and first-level filter) also held to a cap: a
	 * streamed image, whose point is a bounded footprint, caps it at half the Java heap's maximum, so that
	 * the process stays near 1.5 times {@code -Xmx} whatever memory the machine has free.
	 *
	 * @param plan the plan the batches come from
	 * @param engineBytes most bytes the engine may use for one batch
	 * @return tiles per batch, in {@code [1, min(MAX_AUTO_BATCH, tiles)]}
	 */
	public int autoBatch(TilePlan plan, long engineBytes) {
		double voxels = Math.min(memoryBudgetVoxels(), engineBytes / (baseFilters * (double) BYTES_PER_VOXEL_AND_FILTER));
		long b = Math.max(1, (long) (voxels / plan.tileVoxels()));
		long perTileHeap = plan.tileVoxels() * 4L * 4 * (inputChannels + outputChannels);
		b = Math.min(b, Math.max(1, Runtime.getRuntime().maxMemory() / 4 / perTileHeap));
		return (int) Math.min(Math.min(b, MAX_AUTO_BATCH), plan.tiles().size());
	}

	/**
	 * The tile a model written by unetseg recommends ({@code model.json}'s {@code tile}): at least 512 in
	 * 2D and 128 in 3D, and at least twice the receptive-field radius plus 64 pixels, so the core stays
	 * large against the halo.
	 *
	 * @param dimensions 2 or 3
	 * @param receptiveFieldRadius the network's receptive-field radius in pixels
	 * @param alignment 2<sup>depth</sup>
	 * @return the tile edge in pixels, a multiple of {@code alignment}
	 */
	public static long recommendedTileEdge(int dimensions, long receptiveFieldRadius, int alignment) {
		long base = dimensions == 2 ? 512 : 128;
		return Math.max(base, roundUp(2 * receptiveFieldRadius + 64, alignment));
	}

	/**
	 * The tile and halo of training's validation pass over a whole case: tiles of at least twice the
	 * training patch and at least four alignment steps beyond twice the receptive field, with the halo
	 * of the receptive field (shrunk to leave one alignment step of core), so validation matches a
	 * whole-image prediction.
	 *
	 * @param patch training patch {@code [x, y(, z)]}
	 * @param receptiveFieldRadius the network's receptive-field radius in pixels
	 * @param alignment 2<sup>depth</sup>
	 * @return {@code {tile, halo}} per axis
	 */
	public static long[][] validationTiling(long[] patch, long receptiveFieldRadius, int alignment) {
		long[] tile = new long[patch.length], halo = new long[patch.length];
		for (int d = 0; d < patch.length; d++) {
			tile[d] = Math.max(patch[d] * 2, roundUp(2 * receptiveFieldRadius + alignment * 4L, alignment));
			halo[d] = Math.min(receptiveFieldRadius, (tile[d] - alignment) / 2);
		}
		return new long[][] { tile, halo };
	}

	/**
	 * The whole image as one tile without halo: the image padded (mirrored) up to the alignment, the
	 * whole-image prediction that halo tiling reproduces (so there are no seams at all). {@link #plan}
	 * takes it when the tool chooses the tiles, the padded image fits the memory budget, and tiles with
	 * the model's halo would compute more than twice its voxels (small 3D images, where a receptive-field
	 * halo on every side multiplies the work); training validates whole cases this way.
	 *
	 * @param imageSize spatial size {@code [x, y(, z)]}
	 * @param alignment 2<sup>depth</sup>
	 * @param maxVoxels largest tile volume allowed, in voxels
	 * @param border what the network sees beyond the image border (the padding up to the alignment)
	 * @return the one-tile plan, or {@code null} when the padded image exceeds {@code maxVoxels}
	 */
	public static TilePlan wholeImage(long[] imageSize, int alignment, double maxVoxels, Border border) {
		long[] t = new long[imageSize.length];
		double voxels = 1;
		for (int d = 0; d < t.length; d++) {
			t[d] = roundUp(imageSize[d], alignment);
			voxels *= t[d];
		}
		if (voxels > maxVoxels) return null;
		return TilePlan.create(imageSize, t, new long[t.length], 0, alignment, border);
	}

	private static long roundUp(long v, long m) {
		return (v + m - 1) / m * m;
	}

	private static long[] perAxis(long[] given, long[] fallback, int n, String name) {
		if (given == null) return fallback.clone();
		if (given.length == 1) {
			long[] v = new long[n];
			Arrays.fill(v, given[0]);
			return v;
		}
		if (given.length != n)
			throw new IllegalArgumentException(name + " has " + given.length + " values but the model is " + n + "D. Fix: give 1 or " + n +
				" values.");
		return given.clone();
	}
}
