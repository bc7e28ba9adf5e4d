package io.github.unetseg.objects;

import java.util.Arrays;

import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Turns the stitched probabilities of an instance model into an instance label image by a seeded
 * watershed. The model's classes encode the objects in one of two ways ({@link Target}): background,
 * interior and boundary (the 3-class U-Net recipe of Caicedo et al., Cytometry A 95:952, 2019), or
 * background and levels of the distance to the object's border (the energy levels of Bai and Urtasun,
 * "Deep Watershed Transform for Instance Segmentation", CVPR 2017). Either gives a flood priority per
 * voxel in {@code [0, 1]}, high inside an object: {@code p_interior}, or the expected normalised distance.
 *
 * <ol>
 * <li>Foreground: {@code 1 - p_background > probabilityThreshold}.</li>
 * <li>Seeds: connected components (full connectivity: 8 in 2D, 26 in 3D) of foreground voxels with
 * a priority above {@code seedThreshold}.</li>
 * <li>Flooding: seeds grow over the foreground in order of decreasing priority, quantised
 * to 256 levels, first come first served within a level, over face neighbours (4 in 2D, 6 in 3D). A
 * voxel takes the label of the neighbour that reached it first, as {@code skimage.segmentation.watershed}
 * with markers and a mask does (Beucher and Meyer 1993).</li>
 * <li>Foreground components that no seed reached become objects of their own (tiny objects whose
 * interior the network did not see).</li>
 * <li>Objects smaller than {@code minSize} voxels are removed; the rest are numbered 1..N in the order
 * of their first voxel in raster order ({@code x} fastest), so the result does not depend on tiling or
 * threads.</li>
 * </ol>
 *
 * <p>Arrays are flat, first axis fastest ({@code [x, y(, z)]}); 2D images have {@code size[2] == 1}.
 * The decoding runs on the whole stitched probability map, so tiles cannot cut or duplicate an object.
 */
public final class InstanceDecoder {

	private static final int LEVELS = 256;

	private InstanceDecoder() {}

	/**
	 * What an instance model's classes encode ({@code "target"} in {@code model.json}), and with it the
	 * flood priority of a voxel.
	 */
	public enum Target {
		/**
		 * Three classes: background, interior, boundary (a boundary voxel is an object voxel with a face
		 * neighbour of another value); priority {@code p_interior}.
		 */
		BOUNDARY("boundary"),
		/**
		 * Background and {@code L = channels - 1 >= 2} levels of an object voxel's distance to the nearest voxel
		 * of another value, linear from level 1 on the object's border to {@code L} at its centre (normalised per
		 * object; {@code data.InstanceTargets.distanceLevels}); priority {@code sum_l p_l l / L}.
		 */
		DISTANCE("distance");

		private final String key;

		Target(String key) {
			this.key = key;
		}

		/** @return the name in {@code model.json} and on the command line */
		public String key() {
			return key;
		}

		/**
		 * @param key {@code "boundary"} or {@code "distance"} (any case), or {@code null} for boundary (models
		 *     written before distance targets existed)
		 * @return the target
		 * @throws IllegalArgumentException for another name
		 */
		public static Target parse(String key) {
			if (key == null) return BOUNDARY;
			for (Target t : values()) if (t.key.equalsIgnoreCase(key.trim())) return t;
			throw new IllegalArgumentException("instance target must be boundary or distance, got " + key);
		}

		/**
		 * @param channels the model's output channels
		 * @throws IllegalArgumentException if they do not fit: 3 for boundary, at least 3 for distance
		 */
		public void check(int channels) {
			if (this == BOUNDARY ? channels != 3 : channels < 3) throw new IllegalArgumentException("an instance model with " + key +
				" targets has " + (this == BOUNDARY ? "3" : "at least 3") + " output channels, got " + channels);
		}

		/**
		 * The flood priority of one voxel: {@code sum_{k >= 1} weight(k) p_k}.
		 *
		 * @param p probabilities, flat {@code [channel][voxel]} from {@code offset}
		 * @param offset index of the voxel's channel 0 value
		 * @param stride distance between a voxel's channels
		 * @param channels output channels
		 * @return the priority, in {@code [0, 1]}
		 */
		public float priority(float[] p, int offset, int stride, int channels) {
			float e = 0;
			for (int k = 1; k < channels; k++) e += weight(k, channels) * p[offset + k * stride];
			return e;
		}

		/**
		 * @param k a class index, &gt;= 1
		 * @param channels output channels
		 * @return the class's weight in the priority: 1 for interior and 0 for boundary, {@code k / (channels - 1)}
		 *     for distance level {@code k}
		 */
		public float weight(int k, int channels) {
			return this == BOUNDARY ? (k == 1 ? 1 : 0) : k / (float) (channels - 1);
		}
	}

	/**
	 * Parameters of the decoding, as stored in {@code model.json} and exposed to users.
	 *
	 * @param probabilityThreshold foreground where {@code 1 - p_background} exceeds it, in {@code (0, 1)}
	 * @param seedThreshold seeds where the priority ({@link Target}) exceeds it, in {@code (0, 1)}
	 * @param minSize smallest object kept, in voxels, &gt;= 0
	 * @param target what the model's classes encode
	 */
	public record Parameters(double probabilityThreshold, double seedThreshold, int minSize, Target target) {

		/** @throws IllegalArgumentException naming the parameter out of range */
		public Parameters {
			if (!(probabilityThreshold > 0 && probabilityThreshold < 1))
				throw new IllegalArgumentException("probability threshold must be in (0, 1), got " + probabilityThreshold);
			if (!(seedThreshold > 0 && seedThreshold < 1))
				throw new IllegalArgumentException("seed threshold must be in (0, 1), got " + seedThreshold);
			if (minSize < 0) throw new IllegalArgumentException("minimum object size must be >= 0 voxels, got " + minSize);
			if (target == null) target = Target.BOUNDARY;
		}

		/** The parameters of a three-class (boundary) model. */
		public Parameters(double probabilityThreshold, double seedThreshold, int minSize) {
			this(probabilityThreshold, seedThreshold, minSize, Target.BOUNDARY);
		}
	}

	/**
	 * An instance label image and its object count.
	 *
	 * @param labels object ids 1..count, 0 = background, flat {@code [x, y(, z)]}
	 * @param count number of objects
	 */
	public record Instances(int[] labels, int count) {}

	/**
	 * Decodes the stitched probability map of an instance model.
	 *
	 * @param probabilities {@code [x, y(, z), channels]}, each in {@code [0, 1]}, channel 0 background
	 * @param p the thresholds, minimum size and target
	 * @return the objects, flat {@code [x, y(, z)]}
	 * @throws IllegalArgumentException if the channels do not fit the target or the map has more than 2<sup>31</sup> - 1 voxels
	 */
	public static Instances decode(Volume<FloatType> probabilities, Parameters p) {
		float[][] maps = maps(probabilities, p.target());
		long[] s = probabilities.spatialSize();
		return decode(maps[0], maps[1], new int[] { (int) s[0], (int) s[1], s.length == 3 ? (int) s[2] : 1 }, p);
	}

	/**
	 * The two maps the watershed works on.
	 *
	 * @param probabilities {@code [x, y(, z), channels]}, channel 0 background
	 * @param target what the channels encode
	 * @return {@code p_background} and the priority ({@link Target#priority}), each flat {@code [x, y(, z)]}
	 * @throws IllegalArgumentException if the channels do not fit the target or the map has more than 2<sup>31</sup> - 1 voxels
	 */
	public static float[][] maps(Volume<FloatType> probabilities, Target target) {
		int n = probabilities.spatialDims(), channels = probabilities.channels();
		target.check(channels);
		long voxels = 1;
		for (long v : probabilities.spatialSize()) voxels *= v;
		if (voxels > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("more than 2^31 voxels");
		float[] bg = new float[(int) voxels], priority = new float[(int) voxels];
		int i = 0;
		for (FloatType t : Views.flatIterable(Views.hyperSlice(probabilities.image(), n, 0))) bg[i++] = t.get();
		for (int k = 1; k < channels; k++) {
			float w = target.weight(k, channels);
			if (w == 0) continue;
			i = 0;
			for (FloatType t : Views.flatIterable(Views.hyperSlice(probabilities.image(), n, k))) priority[i++] += w * t.get();
		}
		return new float[][] { bg, priority };
	}

	/**
	 * Decodes one image.
	 *
	 * @param background {@code p_background} per voxel, in {@code [0, 1]}
	 * @param interior the flood priority per voxel ({@code p_interior} of a boundary model), in {@code [0, 1]}
	 * @param size {@code [x, y, z]} ({@code z = 1} in 2D)
	 * @param p the thresholds and minimum size
	 * @return the objects
	 * @throws IllegalArgumentException if the lengths do not match the size
	 */
	public static Instances decode(float[] background, float[] interior, int[] size, Parameters p) {
		int n = background.length;
		if (interior.length != n || (long) size[0] * size[1] * size[2] != n)
			throw new IllegalArgumentException("probability maps and size do not match");
		boolean[] fg = new boolean[n];
		byte[] seed = new byte[n];
		for (int i = 0; i < n; i++) {
			fg[i] = 1 - background[i] > p.probabilityThreshold();
			if (fg[i] && interior[i] > p.seedThreshold()) seed[i] = 1;
		}
		int[] labels = new int[n];
		int seeds = components(seed, labels, size, true, 1);
		flood(labels, fg, interior, size);
		// foreground no seed reached
		byte[] rest = new byte[n];
		boolean any = false;
		for (int i = 0; i < n; i++) if (fg[i] && labels[i] == 0) {
			rest[i] = 1;
			any = true;
		}
		int total = seeds;
		if (any) total = components(rest, labels, size, false, seeds + 1) + seeds;
		return relabel(labels, total, p.minSize());
	}

	/**
	 * Labels the connected components of the marked voxels, writing ids from {@code first} into
	 * {@code out} where marked; returns how many there were.
	 */
	static int components(byte[] mark, int[] out, int[] size, boolean full, int first) {
		int nx = size[0], ny = size[1], nz = size[2];
		int[] offsets = neighbourhood(full, nz > 1);
		int[] queue = new int[1024];
		int next = first;
		for (int start = 0; start < mark.length; start++) {
			if (mark[start] == 0 || out[start] != 0) continue;
			int id = next++;
			out[start] = id;
			int head = 0, tail = 0;
			queue[tail++] = start;
			while (head < tail) {
				int i = queue[head++];
				int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
				for (int k = 0; k < offsets.length; k += 3) {
					int xx = x + offsets[k], yy = y + offsets[k + 1], zz = z + offsets[k + 2];
					if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
					int j = xx + nx * (yy + ny * zz);
					if (mark[j] == 0 || out[j] != 0) continue;
					out[j] = id;
					if (tail == queue.length) {
						// compact the consumed head before growing
						System.arraycopy(queue, head, queue, 0, tail - head);
						tail -= head;
						head = 0;
						if (tail == queue.length) queue = Arrays.copyOf(queue, queue.length * 2);
					}
					queue[tail++] = j;
				}
			}
		}
		return next - first;
	}

	/** Neighbour offsets {@code dx, dy, dz} triples: face neighbours, or all 8/26. */
	private static int[] neighbourhood(boolean full, boolean threeD) {
		int[] o = new int[3 * 26];
		int k = 0;
		for (int dz = threeD ? -1 : 0; dz <= (threeD ? 1 : 0); dz++)
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int manhattan = Math.abs(dx) + Math.abs(dy) + Math.abs(dz);
					if (manhattan == 0 || !full && manhattan > 1) continue;
					o[k++] = dx;
					o[k++] = dy;
					o[k++] = dz;
				}
		return Arrays.copyOf(o, k);
	}

	/** Grows labelled voxels over unlabelled foreground, lowest {@code 1 - p_interior} first (bucket queue). */
	private static void flood(int[] labels, boolean[] fg, float[] interior, int[] size) {
		int nx = size[0], ny = size[1], nz = size[2];
		int[] offsets = neighbourhood(false, nz > 1);
		int[][] bucket = new int[LEVELS][];
		int[] count = new int[LEVELS];
		int n = labels.length;
		boolean[] queued = new boolean[n];
		for (int i = 0; i < n; i++) {
			if (labels[i] == 0) continue;
			queued[i] = true;
			push(bucket, count, level(interior[i]), i);
		}
		for (int lev = 0; lev < LEVELS; lev++) {
			// a bucket can grow while it is read: voxels below the current level are queued in it
			for (int q = 0; q < count[lev]; q++) {
				int i = bucket[lev][q];
				int x = i % nx, y = (i / nx) % ny, z = i / (nx * ny);
				for (int k = 0; k < offsets.length; k += 3) {
					int xx = x + offsets[k], yy = y + offsets[k + 1], zz = z + offsets[k + 2];
					if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
					int j = xx + nx * (yy + ny * zz);
					if (queued[j] || !fg[j]) continue;
					queued[j] = true;
					labels[j] = labels[i];
					push(bucket, count, Math.max(lev, level(interior[j])), j);
				}
			}
			bucket[lev] = null;
		}
	}

	private static int level(float pInterior) {
		int l = (int) ((1 - pInterior) * (LEVELS - 1) + 0.5f);
		return Math.max(0, Math.min(LEVELS - 1, l));
	}

	private static void push(int[][] bucket, int[] count, int lev, int i) {
		int[] b = bucket[lev];
		if (b == null) b = bucket[lev] = new int[64];
		else if (count[lev] == b.length) b = bucket[lev] = Arrays.copyOf(b, b.length * 2);
		b[count[lev]++] = i;
	}

	/**
	 * Links the objects of one plane of a stack to those of the plane before (Cellpose's
	 * {@code stitch3D}, with one-to-one links): each object of the plane takes the id of the object before
	 * with which it has the highest IoU, if that IoU is at least {@code threshold}; where two objects
	 * want the same object before, the higher IoU wins. Ids of the plane are {@code first + 1 ..
	 * first + count}; linked objects are rewritten in place.
	 *
	 * @param ids object ids of the stack, flat {@code [x, y, z]}
	 * @param before offset of the plane before
	 * @param at offset of this plane
	 * @param plane voxels per plane
	 * @param first ids of this plane are above it
	 * @param count objects in this plane
	 * @param threshold IoU threshold in {@code (0, 1]}
	 */
	public static void link(int[] ids, int before, int at, int plane, int first, int count, double threshold) {
		java.util.Map<Long, Integer> overlap = new java.util.HashMap<>();
		java.util.Map<Integer, Integer> area = new java.util.HashMap<>();
		for (int k = 0; k < plane; k++) {
			int a = ids[before + k], b = ids[at + k];
			if (a > 0) area.merge(a, 1, Integer::sum);
			if (b > 0) area.merge(b, 1, Integer::sum);
			if (a > 0 && b > 0) overlap.merge(((long) b << 32) | a, 1, Integer::sum);
		}
		// candidate links, best IoU first
		java.util.List<double[]> links = new java.util.ArrayList<>();
		for (var e : overlap.entrySet()) {
			int b = (int) (e.getKey() >>> 32), a = (int) (long) e.getKey();
			double iou = e.getValue() / (double) (area.get(a) + area.get(b) - e.getValue());
			if (iou >= threshold) links.add(new double[] { iou, b, a });
		}
		links.sort((x, y) -> x[0] != y[0] ? Double.compare(y[0], x[0]) : Double.compare(x[1], y[1]));
		int[] to = new int[count + 1];
		java.util.Set<Integer> taken = new java.util.HashSet<>();
		for (double[] l : links) {
			int b = (int) l[1], a = (int) l[2];
			if (to[b - first] != 0 || taken.contains(a)) continue;
			to[b - first] = a;
			taken.add(a);
		}
		for (int k = at; k < at + plane; k++) {
			int b = ids[k];
			if (b > first && to[b - first] != 0) ids[k] = to[b - first];
		}
	}

	/**
	 * Numbers the objects of a label image 1..N by their first voxel in raster order (ids that no
	 * longer occur, e.g. after resampling, are dropped).
	 *
	 * @param labels object ids in {@code [0, maxId]}, modified in place
	 * @param maxId the largest id that may occur
	 * @return the renumbered objects
	 */
	public static Instances renumber(int[] labels, int maxId) {
		return relabel(labels, maxId, 0);
	}

	/** Removes objects below {@code minSize} voxels and numbers the rest by first voxel in raster order. */
	static Instances relabel(int[] labels, int ids, int minSize) {
		int[] voxels = new int[ids + 1];
		for (int v : labels) voxels[v]++;
		int[] map = new int[ids + 1];
		Arrays.fill(map, -1);
		map[0] = 0;
		int next = 0;
		for (int i = 0; i < labels.length; i++) {
			int v = labels[i];
			if (map[v] < 0) map[v] = voxels[v] >= minSize ? ++next : 0;
			labels[i] = map[v];
		}
		return new Instances(labels, next);
	}
}
