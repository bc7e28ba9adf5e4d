package io.github.unetseg.objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.unetseg.data.InstanceTargets;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.testutil.Discs;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TileModel;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TiledInference;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The three-class targets and the seeded watershed: touching discs come back as separate objects,
 * objects without interior are kept, small ones removed, and decoding after stitching makes the tiled
 * result equal to the whole-image result.
 */
public class InstanceDecoderTest {

	static final int SIZE = 512;

	/** Probabilities of a perfect network: one-hot of the targets, softened to 0.9 / 0.05. */
	static float[][] perfect(short[] classes) {
		float[][] p = new float[3][classes.length];
		for (int i = 0; i < classes.length; i++)
			for (int k = 0; k < 3; k++) p[k][i] = classes[i] == k ? 0.9f : 0.05f;
		return p;
	}

	@Test
	void touchingDiscsAreSeparated() {
		int[] truth = Discs.touching(SIZE, 1);
		int[] size = { SIZE, SIZE, 1 };
		float[][] p = perfect(InstanceTargets.classes(truth, size));
		InstanceDecoder.Instances got = InstanceDecoder.decode(p[0], p[1], size, new InstanceDecoder.Parameters(0.5, 0.5, 0));
		assertEquals(60, got.count());
		InstanceMatching.Counts c = InstanceMatching.match(truth, got.labels(), 0.5, 0.9)[0];
		assertEquals(60, c.tp());
		assertEquals(1.0, c.f1(), 1e-12);
		InstanceMatching.Counts strict = InstanceMatching.match(truth, got.labels(), 0.9)[0];
		assertEquals(60, strict.tp(), "every object recovered with IoU >= 0.9, the shared border split between the pair");
	}

	@Test
	void classesMarkTheBorderOfEachObject() {
		// two 5x5 squares touching along x = 4 | 5, image 12 x 7
		int[] size = { 12, 7, 1 };
		int[] ids = new int[12 * 7];
		for (int y = 1; y <= 5; y++)
			for (int x = 0; x < 10; x++) ids[x + 12 * y] = x < 5 ? 1 : 2;
		short[] c = InstanceTargets.classes(ids, size);
		// x = 0 is at the image border: not boundary for that reason; 3x3 interior of square 1 is x 1..3, y 2..4
		assertEquals(InstanceTargets.INTERIOR, c[0 + 12 * 3]);
		assertEquals(InstanceTargets.BOUNDARY, c[4 + 12 * 3]);
		assertEquals(InstanceTargets.BOUNDARY, c[5 + 12 * 3]);
		assertEquals(InstanceTargets.INTERIOR, c[2 + 12 * 3]);
		assertEquals(InstanceTargets.BOUNDARY, c[2 + 12 * 1]);
		assertEquals(InstanceTargets.BACKGROUND, c[11 + 12 * 3]);
		long interior = 0;
		for (short v : c) if (v == InstanceTargets.INTERIOR) interior++;
		// square 1: x 0..3 (x = 0 kept) by y 2..4 = 12; square 2: x 6..8 by y 2..4 = 9
		assertEquals(21, interior);
	}

	@Test
	void distanceLevelsRunFromEachObjectsBorderToItsCentre() {
		// the two 5x5 squares of the test above, touching along x = 4 | 5, and a 1-pixel object; 4 levels
		int[] size = { 12, 7, 1 };
		int[] ids = new int[12 * 7];
		for (int y = 1; y <= 5; y++)
			for (int x = 0; x < 10; x++) ids[x + 12 * y] = x < 5 ? 1 : 2;
		ids[11 + 12 * 6] = 3;
		short[] l = InstanceTargets.distanceLevels(ids, size, 4);
		// square 2 (x 5..9, y 1..5): distance d to the nearest other value 1 on its border, 3 at its centre (7, 3), so
		// level 1 + floor(3 (d - 1) / 2)
		assertEquals(4, l[7 + 12 * 3]);
		assertEquals(2, l[6 + 12 * 3], "d = 2 (square 1 at x = 4)");
		assertEquals(2, l[6 + 12 * 2], "d = 2 (background at y = 0)");
		assertEquals(1, l[9 + 12 * 5]);
		assertEquals(0, l[11 + 12 * 3]);
		assertEquals(4, l[11 + 12 * 6], "a one-pixel object is all centre");
		// square 1 (x 0..4) touches the image border at x = 0, which is not an edge of it: d = 3 at x = 0..2 of row 3
		assertEquals(4, l[0 + 12 * 3]);
		assertEquals(2, l[3 + 12 * 3]);
		assertEquals(1, l[4 + 12 * 3]);
		assertEquals(1, l[5 + 12 * 3], "both sides of the touching line are level 1");
		assertEquals(0, InstanceTargets.levels(InstanceTargets.CLASS_NAMES));
		assertEquals(List.of("background", "distance1", "distance2"), InstanceTargets.classNames(2));
		assertEquals(8, InstanceTargets.levels(InstanceTargets.classNames("distance")));
	}

	@Test
	void touchingDiscsAreSeparatedFromDistanceLevels() {
		int[] truth = Discs.touching(SIZE, 1);
		int[] size = { SIZE, SIZE, 1 };
		int levels = InstanceTargets.DISTANCE_LEVELS;
		short[] l = InstanceTargets.distanceLevels(truth, size, levels);
		// a perfect network's probabilities [channel][voxel]: one-hot of the levels, softened
		float[] all = new float[(levels + 1) * l.length];
		for (int i = 0; i < l.length; i++)
			for (int k = 0; k <= levels; k++) all[k * l.length + i] = l[i] == k ? 0.9f : 0.1f / levels;
		Volume<FloatType> p = new Volume<>(ArrayImgs.floats(all, SIZE, SIZE, levels + 1), Calibration.uncalibrated(2));
		InstanceDecoder.Parameters params = new InstanceDecoder.Parameters(0.5, 0.5, 0, InstanceDecoder.Target.DISTANCE);
		float[][] maps = InstanceDecoder.maps(p, InstanceDecoder.Target.DISTANCE);
		int centre = java.util.stream.IntStream.range(0, l.length).filter(i -> l[i] == levels).findFirst().getAsInt();
		assertEquals(0.9f + 0.1f / levels * (levels * (levels + 1) / 2f - levels) / levels, maps[1][centre], 1e-5);
		InstanceDecoder.Instances got = InstanceDecoder.decode(p, params);
		assertEquals(60, got.count());
		InstanceMatching.Counts strict = InstanceMatching.match(truth, got.labels(), 0.9)[0];
		assertEquals(60, strict.tp(), "every object recovered with IoU >= 0.9");
		// the streaming decoder takes the same channels plane by plane and finds the same objects
		int[] streamed = new int[l.length];
		StreamingInstanceDecoder sd = new StreamingInstanceDecoder(new long[] { SIZE, SIZE }, params, SIZE, 64, (y, ids) -> System.arraycopy(ids,
			0, streamed, (int) y * SIZE, ids.length), null);
		for (int y = 0; y < SIZE; y++) {
			float[] row = new float[(levels + 1) * SIZE];
			for (int k = 0; k <= levels; k++) System.arraycopy(all, k * l.length + y * SIZE, row, k * SIZE, SIZE);
			sd.plane(y, row);
		}
		assertEquals(60, sd.count());
		assertEquals(60, InstanceMatching.match(got.labels(), streamed, 1.0)[0].tp(), "streamed = whole, up to the ids");
		assertThrows(IllegalArgumentException.class, () -> InstanceDecoder.maps(p, InstanceDecoder.Target.BOUNDARY));
	}

	@Test
	void separationWeightFollowsEquationTwo() {
		// two columns of objects: x in [0, 4] and x in [7, 11]; gap pixels x = 5 and 6 have d1 = 1, d2 = 2
		int[] size = { 12, 3, 1 };
		int[] ids = new int[36];
		for (int y = 0; y < 3; y++)
			for (int x = 0; x < 12; x++) ids[x + 12 * y] = x <= 4 ? 1 : x >= 7 ? 2 : 0;
		float[] w = InstanceTargets.separation(ids, size);
		double expected = 10 * Math.exp(-9.0 / 50);
		assertEquals(expected, w[5 + 12], 1e-5);
		assertEquals(expected, w[6 + 12], 1e-5);
		assertEquals(0, w[0], 0);
		// a single object: no second object, no separation weight
		int[] one = ids.clone();
		for (int i = 0; i < one.length; i++) if (one[i] == 2) one[i] = 0;
		float[] w1 = InstanceTargets.separation(one, size);
		for (float v : w1) assertEquals(0, v, 0);
		assertArrayEquals(new double[] { 2 * Math.sqrt(15 / Math.PI), 2 * Math.sqrt(15 / Math.PI) }, InstanceTargets.diameters(ids, false), 1e-12);
	}

	@Test
	void objectsWithoutInteriorAreKeptAndSmallOnesRemoved() {
		int[] size = { 10, 10, 1 };
		float[] bg = new float[100], interior = new float[100];
		Arrays.fill(bg, 0.9f);
		// a 2x2 object seen only as boundary (no seed), and a single-pixel speck
		for (int i : new int[] { 11, 12, 21, 22 }) bg[i] = 0.1f;
		bg[88] = 0.1f;
		InstanceDecoder.Instances all = InstanceDecoder.decode(bg, interior, size, new InstanceDecoder.Parameters(0.5, 0.5, 0));
		assertEquals(2, all.count());
		assertEquals(1, all.labels()[11]);
		assertEquals(2, all.labels()[88]);
		InstanceDecoder.Instances big = InstanceDecoder.decode(bg, interior, size, new InstanceDecoder.Parameters(0.5, 0.5, 2));
		assertEquals(1, big.count());
		assertEquals(0, big.labels()[88]);
	}

	/** A pointwise "network": the input value (the class index 0, 1, 2 of the targets) becomes 0.9 / 0.05 probabilities. */
	public static final class PointwiseModel implements TileModel {
		@Override
		public int inputChannels() {
			return 1;
		}

		@Override
		public int outputChannels() {
			return 3;
		}

		@Override
		public float[] predict(float[] input, int batch, long[] tileSize) {
			float[] out = new float[input.length * 3];
			for (int i = 0; i < input.length; i++) {
				int k = Math.round(input[i]);
				for (int c = 0; c < 3; c++) out[3 * i + c] = c == k ? 0.9f : 0.05f;
			}
			return out;
		}
	}

	@Test
	void tiledObjectsEqualWholeImageObjects() {
		int[] truth = Discs.touching(SIZE, 2);
		short[] classes = InstanceTargets.classes(truth, new int[] { SIZE, SIZE, 1 });
		float[] img = new float[classes.length];
		for (int i = 0; i < img.length; i++) img[i] = classes[i];
		Volume<FloatType> v = new Volume<>(ArrayImgs.floats(img, SIZE, SIZE, 1), Calibration.uncalibrated(2));
		int[] whole = decode(v, new long[] { SIZE, SIZE });
		int[] tiled = decode(v, new long[] { 48, 48 }); // tiles of 48 cut through many discs
		assertArrayEquals(whole, tiled);
		assertEquals(60, Arrays.stream(whole).max().getAsInt());
	}

	private static int[] decode(Volume<FloatType> v, long[] tile) {
		TilePlan plan = TilePlan.create(new long[] { SIZE, SIZE }, tile, new long[] { 0, 0 }, 0, 1, TilePlan.Border.SAME);
		TiledInference.Output out = TiledInference.run(v, new double[] { 1 }, new double[] { 0 }, new PointwiseModel(), plan, 4, 0.5,
			ProgressListener.NONE);
		return InstanceDecoder.decode(out.result().probabilities(), new InstanceDecoder.Parameters(0.5, 0.5, 0)).labels();
	}
}
