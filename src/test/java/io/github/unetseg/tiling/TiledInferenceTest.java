package io.github.unetseg.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Tiled inference with a model whose answer is known: a box mean of radius {@code R} with zero
 * padding at the tile border (like a 'SAME' convolution), then a sigmoid. With a halo of at least
 * {@code R}, tiling must reproduce the box mean over the mirror-padded whole image exactly.
 */
class TiledInferenceTest {

	private static final int R = 3;

	/** Binary or 3-class box model; multiclass outputs softmax(v, -v, 0). */
	static final class BoxModel implements TileModel {
		final int classes;
		final AtomicInteger calls = new AtomicInteger();
		int failAbove = Integer.MAX_VALUE;

		BoxModel(int classes) {
			this.classes = classes;
		}

		@Override
		public int inputChannels() {
			return 1;
		}

		@Override
		public int outputChannels() {
			return classes;
		}

		@Override
		public float[] predict(float[] input, int batch, long[] tileSize) {
			if (batch > failAbove) throw new BatchMemoryException("batch " + batch + " too large", null);
			calls.incrementAndGet();
			int sx = (int) tileSize[0], sy = (int) tileSize[1], sz = tileSize.length == 3 ? (int) tileSize[2] : 1;
			int v = sx * sy * sz;
			float[] out = new float[batch * v * classes];
			int rz = tileSize.length == 3 ? R : 0;
			for (int b = 0; b < batch; b++)
				for (int z = 0; z < sz; z++)
					for (int y = 0; y < sy; y++)
						for (int x = 0; x < sx; x++) {
							double sum = 0;
							for (int dz = -rz; dz <= rz; dz++)
								for (int dy = -R; dy <= R; dy++)
									for (int dx = -R; dx <= R; dx++) {
										int xx = x + dx, yy = y + dy, zz = z + dz;
										if (xx >= 0 && yy >= 0 && zz >= 0 && xx < sx && yy < sy && zz < sz)
											sum += input[b * v + (zz * sy + yy) * sx + xx];
									}
							writeClasses(out, (b * v + (z * sy + y) * sx + x) * classes, sum / 10);
						}
			return out;
		}

		void writeClasses(float[] out, int i, double m) {
			if (classes == 1) out[i] = (float) (1 / (1 + Math.exp(-m)));
			else {
				double a = Math.exp(m), b = Math.exp(-m), c = 1;
				out[i] = (float) (a / (a + b + c));
				out[i + 1] = (float) (b / (a + b + c));
				out[i + 2] = (float) (c / (a + b + c));
			}
		}
	}

	static Volume<FloatType> randomVolume(long... size) {
		long[] dims = java.util.Arrays.copyOf(size, size.length + 1);
		dims[size.length] = 1;
		ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(dims);
		Random r = new Random(42);
		for (FloatType t : img) t.set((float) r.nextGaussian());
		return new Volume<>(img, Calibration.uncalibrated(size.length));
	}

	/** The box model applied to the infinitely mirror-padded image. */
	static double expectedMean(Volume<FloatType> v, long[] pos) {
		var ext = Views.extendMirrorSingle(v.image()).randomAccess();
		int n = pos.length;
		int rz = n == 3 ? R : 0;
		double sum = 0;
		long[] p = new long[n + 1];
		for (int dz = -rz; dz <= rz; dz++)
			for (int dy = -R; dy <= R; dy++)
				for (int dx = -R; dx <= R; dx++) {
					p[0] = pos[0] + dx;
					p[1] = pos[1] + dy;
					if (n == 3) p[2] = pos[2] + dz;
					ext.setPosition(p);
					sum += ext.get().get();
				}
		return sum / 10;
	}

	private static void assertMatchesReference(Volume<FloatType> v, TiledInference.Output out, BoxModel model, double tol) {
		long[] size = v.spatialSize();
		RandomAccess<FloatType> prob = out.result().probabilities().image().randomAccess();
		@SuppressWarnings("unchecked")
		RandomAccess<? extends RealType<?>> lab = (RandomAccess<? extends RealType<?>>) out.result().labels().image().randomAccess();
		int n = size.length;
		long[] pos = new long[n];
		long[] p = new long[n + 1];
		long total = v.voxelCount();
		for (long i = 0; i < total; i++) {
			long rem = i;
			for (int d = 0; d < n; d++) {
				pos[d] = rem % size[d];
				rem /= size[d];
			}
			double m = expectedMean(v, pos);
			float[] expected = new float[model.classes];
			model.writeClasses(expected, 0, m);
			System.arraycopy(pos, 0, p, 0, n);
			int best = 0;
			for (int c = 0; c < model.classes; c++) {
				p[n] = c;
				prob.setPosition(p);
				assertEquals(expected[c], prob.get().get(), tol, "probability at " + java.util.Arrays.toString(p));
				if (expected[c] > expected[best]) best = c;
			}
			p[n] = 0;
			lab.setPosition(p);
			int label = (int) lab.get().getRealDouble();
			int expectedLabel = model.classes == 1 ? (expected[0] > 0.5 ? 1 : 0) : best;
			assertEquals(expectedLabel, label, "label at " + java.util.Arrays.toString(pos));
		}
	}

	@Test
	void haloCroppingReproducesTheWholeImageExactly2D() {
		Volume<FloatType> v = randomVolume(97, 61);
		BoxModel model = new BoxModel(1);
		TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 32, 32 }, new long[] { R, R }, 0, 8, TilePlan.Border.MIRROR);
		assertTrue(plan.tiles().size() > 4);
		TiledInference.Output out = TiledInference.run(v, new double[] { 1 }, new double[] { 0 }, model, plan, 3, 0.5,
			ProgressListener.NONE);
		assertMatchesReference(v, out, model, 1e-6);
		assertEquals(plan.tiles().size(), out.stats().tiles());
	}

	@Test
	void gaussianBlendingOfOverlapsReproducesTheWholeImage3DMulticlass() {
		Volume<FloatType> v = randomVolume(21, 17, 13);
		BoxModel model = new BoxModel(3);
		TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 16, 16, 16 }, new long[] { R, R, R }, 0.5, 4, TilePlan.Border.MIRROR);
		assertTrue(plan.blends());
		TiledInference.Output out = TiledInference.run(v, new double[] { 1 }, new double[] { 0 }, model, plan, 4, 0.5,
			ProgressListener.NONE);
		assertMatchesReference(v, out, model, 1e-5);
	}

	@Test
	void outOfMemoryHalvesTheBatchAndLosesNoTile() {
		Volume<FloatType> v = randomVolume(97, 61);
		BoxModel model = new BoxModel(1);
		model.failAbove = 2;
		TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 32, 32 }, new long[] { R, R }, 0, 8, TilePlan.Border.MIRROR);
		TiledInference.Output out = TiledInference.run(v, new double[] { 1 }, new double[] { 0 }, model, plan, 8, 0.5,
			ProgressListener.NONE);
		assertEquals(2, out.stats().batchSize());
		assertMatchesReference(v, out, model, 1e-6);
	}

	@Test
	void aSingleTileThatDoesNotFitEndsTheRun() {
		Volume<FloatType> v = randomVolume(40, 40);
		BoxModel model = new BoxModel(1);
		model.failAbove = 0;
		TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 32, 32 }, new long[] { R, R }, 0, 8, TilePlan.Border.MIRROR);
		assertThrows(BatchMemoryException.class, () -> TiledInference.run(v, new double[] { 1 }, new double[] { 0 }, model,
			plan, 4, 0.5, ProgressListener.NONE));
	}

	@Test
	void cancellingStopsWithinOneBatch() {
		Volume<FloatType> v = randomVolume(200, 200);
		BoxModel model = new BoxModel(1);
		TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 16, 16 }, new long[] { 0, 0 }, 0, 8, TilePlan.Border.MIRROR);
		AtomicInteger updates = new AtomicInteger();
		ProgressListener cancelAfterTwo = new ProgressListener() {
			@Override
			public void progress(long done, long total, String message) {
				updates.incrementAndGet();
			}

			@Override
			public boolean isCancelled() {
				return updates.get() >= 3;
			}
		};
		assertThrows(CancellationException.class, () -> TiledInference.run(v, new double[] { 1 }, new double[] { 0 }, model,
			plan, 2, 0.5, cancelAfterTwo));
		assertTrue(model.calls.get() <= 3, "stopped after " + model.calls.get() + " batches");
	}

	@Test
	void normalisationIsAppliedPerChannel() {
		Volume<FloatType> v = randomVolume(20, 20);
		for (FloatType t : (ArrayImg<FloatType, ?>) v.image()) t.set(5);
		BoxModel model = new BoxModel(1);
		TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 32, 32 }, new long[] { R, R }, 0, 8, TilePlan.Border.MIRROR);
		TiledInference.Output out = TiledInference.run(v, new double[] { 2 }, new double[] { -10 }, model, plan, 1, 0.5,
			ProgressListener.NONE);
		// 5 * 2 - 10 = 0 everywhere: mean 0, sigmoid 0.5, label 0 (threshold is exclusive)
		for (FloatType t : Views.iterable(out.result().probabilities().image())) assertEquals(0.5f, t.get(), 1e-7);
		for (Object t : Views.iterable(out.result().labels().image())) assertEquals(0, ((IntegerType<?>) t).getInteger());
	}

	/** A failure of the sink (stitching, writing) or of the reader ends the run with that exception, on the calling thread. */
	@Test
	void failuresOfTheBackgroundStagesSurfaceOnTheCallingThread() {
		Volume<FloatType> v = randomVolume(97, 61);
		BoxModel model = new BoxModel(1);
		TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 32, 32 }, new long[] { R, R }, 0, 8, TilePlan.Border.MIRROR);
		AtomicInteger added = new AtomicInteger();
		TileSink failing = out -> {
			if (added.incrementAndGet() == 5) throw new IllegalStateException("disk full while writing tile " + out.tile().index());
		};
		IllegalStateException e = assertThrows(IllegalStateException.class, () -> TiledInference.runInto(v, new double[] { 1 },
			new double[] { 0 }, model, plan, 2, ProgressListener.NONE, failing));
		assertEquals("disk full while writing tile 4", e.getMessage());
		assertTrue(model.calls.get() <= 4, "stops within a batch of the failure: " + model.calls.get() + " batches predicted");

		Volume<FloatType> broken = new Volume<>(Views.interval(new net.imglib2.position.FunctionRandomAccessible<FloatType>(3, (pos, t) -> {
			if (pos.getLongPosition(0) > 60) throw new ArithmeticException("unreadable pixel at x = " + pos.getLongPosition(0));
			t.set(1);
		}, FloatType::new), new long[] { 0, 0, 0 }, new long[] { 96, 60, 0 }), Calibration.uncalibrated(2));
		ArithmeticException r = assertThrows(ArithmeticException.class, () -> TiledInference.run(broken, new double[] { 1 },
			new double[] { 0 }, new BoxModel(1), plan, 2, 0.5, ProgressListener.NONE));
		assertTrue(r.getMessage().startsWith("unreadable pixel"), r.getMessage());
	}
}
