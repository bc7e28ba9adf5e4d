package io.github.unetseg.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import io.github.unetseg.image.PixelArrays;

/**
 * Draws training patches with augmentation from {@link TrainingCase}s, the same random transform
 * applied to image and labels.
 *
 * <p>A patch is centred on a random voxel, or with probability {@code foregroundFraction} on a random
 * foreground voxel, as nnU-Net's {@code oversample_foreground_percent} (1/3) does, so that small
 * structures are seen. With class balancing (multi-class semantic models) a foreground-centred patch
 * first draws a foreground class uniformly among those present anywhere in the training set, then a
 * case that contains it, then one of its voxels: every class is centred equally often over the set,
 * also a class annotated in only a third of the cases (nnU-Net's {@code get_bbox(...,
 * class_locations)} draws the class per case, which gives such a class a third of its share).
 * Spatial augmentation maps each output voxel to a source position: random flips
 * per axis, a random multiple of 90 degrees (both only when mirroring is allowed: anatomy with a left
 * and a right side must not be mirrored so), or instead a flip of the patient's left-right axis alone
 * that swaps the labels of paired classes ({@code model.LeftRightMirroring}), and a small rotation (up
 * to 15 degrees) in the x-y plane,
 * isotropic scaling in [0.85, 1.15], and with probability 0.3 an elastic deformation (a smooth random
 * displacement field interpolated from a coarse grid, after Simard et al. 2003 and the U-Net paper).
 * The image is sampled with linear interpolation, labels with nearest neighbour, both mirrored at the
 * border. Intensity augmentation (image only): brightness shift, contrast scaling, gamma and Gaussian
 * noise, each with probability 0.15-0.3 as in nnU-Net's default pipeline.
 *
 * <p>Output layout is the network's: image {@code [(z,) y, x, c]}, labels {@code [(z,) y, x]}. All
 * randomness comes from the {@link Random} passed in, so a seed fixes every patch.
 */
public final class PatchSampler {

	private final List<TrainingCase> cases;
	private final int[] patch;
	private final int dims;
	private final int channels;
	private final double foregroundFraction;
	private final boolean augment;
	private final boolean mirror;
	/** The left-right axis flipped in half of the patches, or -1; and the class each class becomes then. */
	private final int leftRightAxis;
	private final int[] leftRightClasses;
	/** Per case, per class index, voxel indices of that class (null where class balancing is off). */
	private final int[][][] classVoxels;
	/** Per foreground class present in some case: its class index, then the indices of the cases that contain it (null where class balancing is off). */
	private final int[][] casesWithClass;

	/**
	 * @param cases training cases, all with the same channel count
	 * @param patchSize {@code [x, y(, z)]}
	 * @param foregroundFraction share of foreground-centred patches in {@code [0, 1]}
	 * @param augment whether to augment
	 * @throws IllegalArgumentException for an empty list or mixed channel counts
	 */
	public PatchSampler(List<TrainingCase> cases, long[] patchSize, double foregroundFraction, boolean augment) {
		this(cases, patchSize, foregroundFraction, augment, true, false);
	}

	/**
	 * @param cases training cases, all with the same channel count
	 * @param patchSize {@code [x, y(, z)]}
	 * @param foregroundFraction share of foreground-centred patches in {@code [0, 1]}
	 * @param augment whether to augment
	 * @param mirror whether augmentation may flip axes and turn by multiples of 90 degrees (false for
	 *     anatomy with a left and a right side, e.g. paired organs in CT)
	 * @param classBalanced whether a foreground-centred patch first draws one of the set's foreground
	 *     classes uniformly, then a case containing it, then a voxel of it
	 * @throws IllegalArgumentException for an empty list or mixed channel counts
	 */
	public PatchSampler(List<TrainingCase> cases, long[] patchSize, double foregroundFraction, boolean augment, boolean mirror,
		boolean classBalanced)
	{
		this(cases, patchSize, foregroundFraction, augment, mirror, classBalanced, -1, null);
	}

	/**
	 * @param cases training cases, all with the same channel count
	 * @param patchSize {@code [x, y(, z)]}
	 * @param foregroundFraction share of foreground-centred patches in {@code [0, 1]}
	 * @param augment whether to augment
	 * @param mirror whether augmentation may flip axes and turn by multiples of 90 degrees
	 * @param classBalanced whether a foreground-centred patch first draws one of the set's foreground
	 *     classes uniformly, then a case containing it, then a voxel of it
	 * @param leftRightAxis with {@code augment} and without {@code mirror}: the axis of {@code [x, y(, z)]}
	 *     flipped in half of the patches (the patient's left-right axis), or -1 for none
	 * @param leftRightClasses the class index each class index becomes in a flipped patch (a permutation;
	 *     paired classes swapped), or {@code null} with {@code leftRightAxis} -1
	 * @throws IllegalArgumentException for an empty list, mixed channel counts, or a left-right flip with {@code mirror}
	 */
	public PatchSampler(List<TrainingCase> cases, long[] patchSize, double foregroundFraction, boolean augment, boolean mirror,
		boolean classBalanced, int leftRightAxis, int[] leftRightClasses)
	{
		if (leftRightAxis >= 0 && (mirror || leftRightClasses == null || leftRightAxis >= patchSize.length))
			throw new IllegalArgumentException("a left-right flip needs mirror false, a class map and one of the " + patchSize.length + " axes");
		this.leftRightAxis = leftRightAxis;
		this.leftRightClasses = leftRightClasses == null ? null : leftRightClasses.clone();
		if (cases.isEmpty()) throw new IllegalArgumentException("no training cases");
		this.cases = List.copyOf(cases);
		this.dims = patchSize.length;
		this.patch = new int[] { (int) patchSize[0], (int) patchSize[1], dims == 3 ? (int) patchSize[2] : 1 };
		this.channels = cases.get(0).channels();
		for (TrainingCase c : cases)
			if (c.channels() != channels) throw new IllegalArgumentException("cases have different channel counts");
		this.foregroundFraction = foregroundFraction;
		this.augment = augment;
		this.mirror = mirror;
		this.classVoxels = classBalanced ? new int[cases.size()][][] : null;
		for (int i = 0; classBalanced && i < cases.size(); i++) classVoxels[i] = classVoxels(cases.get(i));
		this.casesWithClass = classBalanced ? casesWithClass(classVoxels) : null;
	}

	/** Per class index present in at least one case (in increasing order): that index, then the cases that contain it. */
	private static int[][] casesWithClass(int[][][] classVoxels) {
		int classes = 0;
		for (int[][] perClass : classVoxels) classes = Math.max(classes, perClass.length);
		List<int[]> out = new ArrayList<>();
		for (int k = 1; k < classes; k++) {
			final int cls = k;
			int[] with = IntStream.range(0, classVoxels.length)
				.filter(i -> cls < classVoxels[i].length && classVoxels[i][cls].length > 0).toArray();
			if (with.length > 0) {
				int[] entry = new int[with.length + 1];
				entry[0] = k;
				System.arraycopy(with, 0, entry, 1, with.length);
				out.add(entry);
			}
		}
		return out.toArray(new int[0][]);
	}

	/** Voxel indices per class index (index 0 unused), every k-th where a class has more than {@link TrainingCase#MAX_FOREGROUND}. */
	private static int[][] classVoxels(TrainingCase c) {
		int classes = 0;
		for (short l : c.labels()) classes = Math.max(classes, l + 1);
		int[] count = new int[classes];
		for (short l : c.labels()) count[l]++;
		int[][] out = new int[classes][];
		int[] stride = new int[classes], seen = new int[classes], n = new int[classes];
		for (int k = 1; k < classes; k++) {
			stride[k] = Math.max(1, (count[k] + TrainingCase.MAX_FOREGROUND - 1) / TrainingCase.MAX_FOREGROUND);
			out[k] = new int[(count[k] + stride[k] - 1) / stride[k]];
		}
		short[] lab = c.labels();
		for (int i = 0; i < lab.length; i++) {
			int k = lab[i];
			if (k > 0 && seen[k]++ % stride[k] == 0 && n[k] < out[k].length) out[k][n[k]++] = i;
		}
		return out;
	}

	/**
	 * A drawn patch.
	 *
	 * @param source the case it was taken from
	 * @param annotated per class index whether the class was annotated in the patch: the case's
	 *     {@link TrainingCase#present()}, with paired classes swapped where the patch was flipped left-right;
	 *     {@code null} when every class was annotated
	 */
	public record Patch(TrainingCase source, boolean[] annotated) {}

	/** @return voxels of one patch */
	public int patchVoxels() {
		return patch[0] * patch[1] * patch[2];
	}

	/**
	 * Fills one patch.
	 *
	 * @param random source of all randomness of this patch
	 * @param image destination, {@code patchVoxels() * channels} values from {@code imageOffset}
	 * @param imageOffset first index in {@code image}
	 * @param labels destination, {@code patchVoxels()} values from {@code labelOffset}
	 * @param labelOffset first index in {@code labels}
	 */
	public void sample(Random random, float[] image, int imageOffset, short[] labels, int labelOffset) {
		sample(random, image, imageOffset, labels, labelOffset, null, null);
	}

	/**
	 * Fills one patch and its per-voxel loss weights {@code w_c[class] + separation} (the U-Net paper's
	 * eq. 2 for instance cases, {@link InstanceTargets}; {@code w_c[class]} alone for cases without a
	 * separation term). The weight of a voxel is taken from the same source voxel as its label.
	 *
	 * @param random source of all randomness of this patch
	 * @param image destination, {@code patchVoxels() * channels} values from {@code imageOffset}
	 * @param imageOffset first index in {@code image}
	 * @param labels destination, {@code patchVoxels()} values from {@code labelOffset}
	 * @param labelOffset first index in {@code labels}
	 * @param classWeights {@code w_c} per class index, or {@code null} for no weights
	 * @param weights destination of the weights ({@code patchVoxels()} values from {@code labelOffset}),
	 *     or {@code null}
	 * @return the case the patch was taken from, and the classes annotated in the patch
	 */
	public Patch sample(Random random, float[] image, int imageOffset, short[] labels, int labelOffset, float[] classWeights,
		float[] weights)
	{
		boolean centreOnForeground = random.nextDouble() < foregroundFraction;
		int caseIndex;
		int[] from = null;
		if (centreOnForeground && casesWithClass != null && casesWithClass.length > 0) {
			// entry: class index, then the cases containing it
			int[] entry = casesWithClass[random.nextInt(casesWithClass.length)];
			caseIndex = entry[1 + random.nextInt(entry.length - 1)];
			from = classVoxels[caseIndex][entry[0]];
		}
		else {
			caseIndex = random.nextInt(cases.size());
			if (centreOnForeground && cases.get(caseIndex).foreground().length > 0) from = cases.get(caseIndex).foreground();
		}
		TrainingCase c = cases.get(caseIndex);
		int[] s = c.size();
		double cx, cy, cz;
		if (from != null) {
			int idx = from[random.nextInt(from.length)];
			cx = idx % s[0];
			cy = (idx / s[0]) % s[1];
			cz = idx / (s[0] * s[1]);
		}
		else {
			cx = random.nextInt(s[0]);
			cy = random.nextInt(s[1]);
			cz = random.nextInt(s[2]);
		}
		// source position = centre + M * (output position - patch centre) + elastic displacement
		double[][] m = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
		float[][] elastic = null;
		int[] swap = null;
		if (augment) {
			double angle = (mirror ? random.nextInt(4) * Math.PI / 2 : 0) + Math.toRadians(random.nextDouble() * 30 - 15);
			double scale = 0.85 + 0.3 * random.nextDouble();
			double cos = Math.cos(angle) * scale, sin = Math.sin(angle) * scale;
			m = new double[][] { { cos, -sin, 0 }, { sin, cos, 0 }, { 0, 0, scale } };
			for (int d = 0; mirror && d < dims; d++)
				if (random.nextBoolean()) for (int r = 0; r < 3; r++) m[r][d] = -m[r][d];
			if (leftRightAxis >= 0 && random.nextBoolean()) {
				for (int r = 0; r < 3; r++) m[r][leftRightAxis] = -m[r][leftRightAxis];
				swap = leftRightClasses;
			}
			if (random.nextDouble() < 0.3) elastic = elasticField(random);
		}
		int px = patch[0], py = patch[1], pz = patch[2];
		// integer centre: without augmentation a patch is an exact copy of voxels
		double hx = px / 2, hy = py / 2, hz = pz / 2;
		int voxels = c.voxels();
		int o = 0;
		for (int z = 0; z < pz; z++)
			for (int y = 0; y < py; y++)
				for (int x = 0; x < px; x++, o++) {
					double dx = x - hx, dy = y - hy, dz = dims == 3 ? z - hz : 0;
					double sx = cx + m[0][0] * dx + m[0][1] * dy + m[0][2] * dz;
					double sy = cy + m[1][0] * dx + m[1][1] * dy + m[1][2] * dz;
					double sz = dims == 3 ? cz + m[2][0] * dx + m[2][1] * dy + m[2][2] * dz : 0;
					if (elastic != null) {
						sx += elastic[0][o];
						sy += elastic[1][o];
						if (dims == 3) sz += elastic[2][o];
					}
					int at = index(c, Math.round(sx), Math.round(sy), Math.round(sz));
					short l = c.labels()[at];
					labels[labelOffset + o] = swap != null && l >= 0 && l < swap.length ? (short) swap[l] : l;
					if (weights != null)
						weights[labelOffset + o] = classWeights[labels[labelOffset + o]] + (c.separation() == null ? 0 : c.separation()[at]);
					sampleLinear(c, sx, sy, sz, voxels, image, imageOffset + o * channels);
				}
		if (augment) intensity(random, image, imageOffset, patchVoxels() * channels);
		return new Patch(c, swap == null || c.present() == null ? c.present() : swapped(c.present(), swap));
	}

	/** Annotated classes after a flip that maps class k to {@code swap[k]}. */
	private static boolean[] swapped(boolean[] present, int[] swap) {
		boolean[] out = present.clone();
		for (int k = 0; k < present.length && k < swap.length; k++) if (swap[k] < present.length) out[swap[k]] = present[k];
		return out;
	}

	private void sampleLinear(TrainingCase c, double sx, double sy, double sz, int voxels, float[] dst, int at) {
		long x0 = (long) Math.floor(sx), y0 = (long) Math.floor(sy), z0 = (long) Math.floor(sz);
		double fx = sx - x0, fy = sy - y0, fz = sz - z0;
		float[] img = c.image();
		int zMax = dims == 3 ? 1 : 0;
		for (int ch = 0; ch < channels; ch++) {
			double v = 0;
			for (int dz = 0; dz <= zMax; dz++)
				for (int dy = 0; dy <= 1; dy++)
					for (int dx = 0; dx <= 1; dx++) {
						double w = (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy) * (zMax == 0 ? 1 : dz == 0 ? 1 - fz : fz);
						if (w == 0) continue;
						v += w * img[ch * voxels + index(c, x0 + dx, y0 + dy, z0 + dz)];
					}
			dst[at + ch] = (float) v;
		}
	}

	/** Flat index with mirror padding (no repeated edge voxel) along each axis. */
	private static int index(TrainingCase c, long x, long y, long z) {
		int[] s = c.size();
		return (int) (PixelArrays.mirror(x, s[0]) + (long) s[0] * (PixelArrays.mirror(y, s[1]) + (long) s[1] * PixelArrays.mirror(z, s[2])));
	}

	/** Smooth displacement (pixels) per output voxel and axis: Gaussian values on a grid of 16-pixel cells, interpolated. */
	private float[][] elasticField(Random random) {
		int cell = 16;
		double magnitude = 4;
		int gx = patch[0] / cell + 2, gy = patch[1] / cell + 2, gz = dims == 3 ? patch[2] / cell + 2 : 1;
		float[][] field = new float[dims][patchVoxels()];
		for (int d = 0; d < dims; d++) {
			double[] grid = new double[gx * gy * gz];
			for (int i = 0; i < grid.length; i++) grid[i] = random.nextGaussian() * magnitude;
			int o = 0;
			for (int z = 0; z < patch[2]; z++)
				for (int y = 0; y < patch[1]; y++)
					for (int x = 0; x < patch[0]; x++, o++) {
						double ux = (double) x / cell, uy = (double) y / cell, uz = dims == 3 ? (double) z / cell : 0;
						int ix = (int) ux, iy = (int) uy, iz = (int) uz;
						double fx = ux - ix, fy = uy - iy, fz = uz - iz;
						double v = 0;
						for (int dz = 0; dz <= (dims == 3 ? 1 : 0); dz++)
							for (int dy = 0; dy <= 1; dy++)
								for (int dx = 0; dx <= 1; dx++) {
									double w = (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy) * (dims == 3 ? (dz == 0 ? 1 - fz : fz) : 1);
									v += w * grid[(ix + dx) + gx * ((iy + dy) + gy * (iz + dz))];
								}
						field[d][o] = (float) v;
					}
		}
		return field;
	}

	private static void intensity(Random random, float[] img, int from, int n) {
		boolean brightness = random.nextDouble() < 0.15, contrast = random.nextDouble() < 0.15;
		boolean gamma = random.nextDouble() < 0.3, noise = random.nextDouble() < 0.15;
		double shift = (random.nextDouble() - 0.5) * 0.2, factor = 0.75 + 0.5 * random.nextDouble();
		double g = random.nextBoolean() ? 0.7 + 0.3 * random.nextDouble() : 1 + 0.5 * random.nextDouble();
		double sigma = 0.1 * random.nextDouble();
		if (contrast) {
			double mean = 0;
			for (int i = from; i < from + n; i++) mean += img[i];
			mean /= n;
			for (int i = from; i < from + n; i++) img[i] = (float) ((img[i] - mean) * factor + mean);
		}
		if (gamma) {
			float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
			for (int i = from; i < from + n; i++) {
				min = Math.min(min, img[i]);
				max = Math.max(max, img[i]);
			}
			double range = max - min;
			if (range > 0) for (int i = from; i < from + n; i++)
				img[i] = (float) (Math.pow((img[i] - min) / range, g) * range + min);
		}
		if (brightness) for (int i = from; i < from + n; i++) img[i] += (float) shift;
		if (noise) for (int i = from; i < from + n; i++) img[i] += (float) (random.nextGaussian() * sigma);
	}
}
