package io.github.unetseg.tensorflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * Finite-difference check of the registered Conv3D and Conv3DBackpropInputV2 gradients in float64.
 * Loss = sum(R * transposedConv3d(conv3d(x, w), v)) with random R; analytic gradients with respect to
 * x, w and v must match central differences.
 */
class Conv3dGradientsTest {

	private static final long[] X = { 1, 4, 6, 4, 2 }; // [batch, z, y, x, channels]
	private static final long[] W = { 3, 3, 3, 2, 3 };
	private static final long[] V = { 2, 2, 2, 2, 3 }; // transposed: [kz, ky, kx, out, in]

	private static double[] random(Random r, long[] shape) {
		double[] v = new double[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
		for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
		return v;
	}

	@Test
	void gradientsMatchCentralDifferences() {
		Conv3dGradients.register();
		Random r = new Random(7);
		double[][] values = { random(r, X), random(r, W), random(r, V) };
		long[] outShape = { 1, 8, 12, 8, 2 };
		double[] weights = random(r, outShape);
		try (Graph g = new Graph(); Session s = new Session(g)) {
			Ops tf = Ops.create(g);
			Placeholder<TFloat64> x = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(X)));
			Placeholder<TFloat64> w = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(W)));
			Placeholder<TFloat64> v = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(V)));
			Operand<TFloat64> y = tf.nn.conv3d(x, w, List.of(1L, 1L, 1L, 1L, 1L), "SAME");
			Operand<TFloat64> up = tf.nn.conv3dBackpropInput(tf.constant(new int[] { 1, 8, 12, 8, 2 }), v, y,
				List.of(1L, 2L, 2L, 2L, 1L), "SAME");
			Operand<TFloat64> loss = tf.sum(tf.math.mul(up, tf.constant(Shape.of(outShape), DataBuffers.of(weights))),
				tf.constant(new int[] { 0, 1, 2, 3, 4 }));
			Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] { x.asOutput(), w.asOutput(), v.asOutput() });
			List<Placeholder<TFloat64>> inputs = List.of(x, w, v);
			long[][] shapes = { X, W, V };
			double[][] analytic = new double[3][];
			Session.Runner run = s.runner();
			List<TFloat64> feeds = feed(run, inputs, shapes, values);
			for (Output<?> o : grads) run.fetch(o);
			try (Result res = run.run()) {
				for (int i = 0; i < 3; i++) {
					analytic[i] = new double[values[i].length];
					((TFloat64) res.get(i)).copyTo(DataBuffers.of(analytic[i], false, false));
				}
			}
			finally {
				feeds.forEach(TFloat64::close);
			}
			double h = 1e-5;
			double worst = 0;
			for (int i = 0; i < 3; i++) {
				for (int k = 0; k < values[i].length; k += Math.max(1, values[i].length / 40)) {
					double keep = values[i][k];
					values[i][k] = keep + h;
					double plus = lossValue(s, loss, inputs, shapes, values);
					values[i][k] = keep - h;
					double minus = lossValue(s, loss, inputs, shapes, values);
					values[i][k] = keep;
					double numeric = (plus - minus) / (2 * h);
					double rel = Math.abs(numeric - analytic[i][k]) / Math.max(1, Math.abs(numeric));
					worst = Math.max(worst, rel);
				}
			}
			assertTrue(worst < 1e-6, "largest relative error " + worst);
		}
	}

	private static List<TFloat64> feed(Session.Runner run, List<Placeholder<TFloat64>> in, long[][] shapes, double[][] values) {
		List<TFloat64> t = new java.util.ArrayList<>();
		for (int i = 0; i < in.size(); i++) {
			TFloat64 tensor = TFloat64.tensorOf(Shape.of(shapes[i]), DataBuffers.of(values[i], true, false));
			t.add(tensor);
			run.feed(in.get(i), tensor);
		}
		return t;
	}

	private static double lossValue(Session s, Operand<TFloat64> loss, List<Placeholder<TFloat64>> in, long[][] shapes,
		double[][] values)
	{
		Session.Runner run = s.runner();
		List<TFloat64> feeds = feed(run, in, shapes, values);
		try (Result r = run.fetch(loss).run()) {
			return ((TFloat64) r.get(0)).getDouble();
		}
		finally {
			feeds.forEach(TFloat64::close);
		}
	}
}
