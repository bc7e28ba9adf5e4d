package io.github.unetseg.tensorflow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.github.unetseg.model.UNetConfig;

/**
 * Builds the TensorFlow graph of a {@link UNetConfig} U-Net and initialises its weights.
 *
 * <p>The input placeholder is named {@code input}, shape {@code [batch, y, x, channels]} (2D) or
 * {@code [batch, z, y, x, channels]} (3D) with free batch and spatial sizes (multiples of
 * 2<sup>depth</sup>). The output {@code output} has the same layout with
 * {@link UNetConfig#outputChannels()} channels of probabilities (sigmoid or softmax over the last
 * axis); {@code logits} holds the values before the activation. Batch normalisation, when configured,
 * is written out as {@code (x - mean) / sqrt(var + 1e-3) * gamma + beta} with stored statistics, so the
 * same graph works in 2D and 3D.
 *
 * <p>Weights are He-normal (He et al., ICCV 2015: standard deviation {@code sqrt(2 / fan_in)}), drawn
 * from {@link Random} with a given seed in Java and assigned through placeholders, so the same seed
 * gives the same network on every machine and the initial values are not stored twice in the graph.
 */
public final class UNetBuilder {

	private static final float BN_EPSILON = 1e-3f;

	/** A variable and how to initialise it. */
	private record Param(Variable<TFloat32> variable, Placeholder<TFloat32> value, Op assign, long[] shape, double std,
		float constant) {}

	/**
	 * The built network.
	 *
	 * @param input placeholder {@code [batch, (z,) y, x, channels]}
	 * @param logits pre-activation output, same layout, {@code outputChannels} channels
	 * @param output probabilities in {@code [0, 1]}, same layout
	 * @param variables trainable and statistics variables, in creation order
	 */
	public record Network(Placeholder<TFloat32> input, Operand<TFloat32> logits, Operand<TFloat32> output,
		List<Variable<TFloat32>> variables) {}

	private final Ops tf;
	private final UNetConfig config;
	private final List<Param> params = new ArrayList<>();
	private Network network;

	/**
	 * @param tf operation builder of the graph to build into
	 * @param config the architecture
	 */
	public UNetBuilder(Ops tf, UNetConfig config) {
		this.tf = tf;
		this.config = config;
	}

	/**
	 * Adds the U-Net to the graph. Call once.
	 *
	 * @return the network's tensors
	 * @throws IllegalStateException if called twice
	 */
	public Network build() {
		if (network != null) throw new IllegalStateException("already built");
		int d = config.dimensions();
		long[] inShape = new long[d + 2];
		Arrays.fill(inShape, -1);
		inShape[d + 1] = config.inputChannels();
		Placeholder<TFloat32> input = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(Shape.of(inShape)));
		Operand<TFloat32> x = input;
		int channels = config.inputChannels();
		List<Operand<TFloat32>> skips = new ArrayList<>();
		for (int level = 0; level < config.depth(); level++) {
			Ops s = tf.withSubScope("down" + level);
			x = convBlock(s, x, channels, config.filters(level));
			channels = config.filters(level);
			skips.add(x);
			x = pool(s, x);
		}
		Ops b = tf.withSubScope("bottleneck");
		x = convBlock(b, x, channels, config.filters(config.depth()));
		channels = config.filters(config.depth());
		for (int level = config.depth() - 1; level >= 0; level--) {
			Ops s = tf.withSubScope("up" + level);
			int f = config.filters(level);
			x = upsample(s, x, channels, f);
			x = s.concat(List.of(x, skips.get(level)), s.constant(-1));
			x = convBlock(s, x, 2 * f, f);
			channels = f;
		}
		Ops head = tf.withSubScope("head");
		Operand<TFloat32> logits = tf.withName("logits").identity(conv(head, x, channels, config.outputChannels(), 1));
		Operand<TFloat32> probs = config.classes() == 1 ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
		Operand<TFloat32> output = tf.withName("output").identity(probs);
		List<Variable<TFloat32>> vars = new ArrayList<>();
		for (Param p : params) vars.add(p.variable());
		network = new Network(input, logits, output, List.copyOf(vars));
		return network;
	}

	/**
	 * Assigns initial values: He-normal convolution kernels, zero biases, batch-norm gamma 1, beta 0,
	 * mean 0, variance 1.
	 *
	 * @param session a session on the graph this builder built into
	 * @param seed seed of the random weights; the same seed gives bit-identical weights
	 */
	public void initialize(Session session, long seed) {
		if (network == null) throw new IllegalStateException("build() first");
		Random random = new Random(seed);
		Session.Runner runner = session.runner();
		List<TFloat32> tensors = new ArrayList<>();
		try {
			for (Param p : params) {
				int n = 1;
				for (long s : p.shape()) n *= (int) s;
				float[] v = new float[n];
				for (int i = 0; i < n; i++) v[i] = p.std() > 0 ? (float) (random.nextGaussian() * p.std()) : p.constant();
				TFloat32 t = TFloat32.tensorOf(Shape.of(p.shape()), DataBuffers.of(v, true, false));
				tensors.add(t);
				runner.feed(p.value(), t).addTarget(p.assign());
			}
			runner.run().close();
		}
		finally {
			tensors.forEach(TFloat32::close);
		}
	}

	private Param param(Ops s, String name, long[] shape, double std, float constant) {
		Ops n = s.withSubScope(name);
		Variable<TFloat32> v = n.withName("var").variable(Shape.of(shape), TFloat32.class);
		Placeholder<TFloat32> value = n.withName("init_value").placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
		Op assign = n.withName("init").assign(v, value);
		Param p = new Param(v, value, assign, shape, std, constant);
		params.add(p);
		return p;
	}

	private Operand<TFloat32> conv(Ops s, Operand<TFloat32> x, int in, int out, int k) {
		int d = config.dimensions();
		long[] shape = new long[d + 2];
		Arrays.fill(shape, k);
		shape[d] = in;
		shape[d + 1] = out;
		double fanIn = Math.pow(k, d) * in;
		Ops c = s.withSubScope("conv" + params.size());
		Variable<TFloat32> w = param(c, "kernel", shape, Math.sqrt(2 / fanIn), 0).variable();
		Variable<TFloat32> bias = param(c, "bias", new long[] { out }, 0, 0).variable();
		Operand<TFloat32> y = d == 2 ? c.nn.conv2d(x, w, ones(d + 2), "SAME") : c.nn.conv3d(x, w, ones(d + 2), "SAME");
		return c.nn.biasAdd(y, bias);
	}

	private Operand<TFloat32> convBlock(Ops s, Operand<TFloat32> x, int in, int out) {
		x = activate(s, conv(s, x, in, out, 3), out);
		return activate(s, conv(s, x, out, out, 3), out);
	}

	private Operand<TFloat32> activate(Ops s, Operand<TFloat32> x, int channels) {
		if (config.batchNorm()) {
			Ops bn = s.withSubScope("bn" + params.size());
			long[] c = { channels };
			Operand<TFloat32> gamma = param(bn, "gamma", c, 0, 1).variable();
			Operand<TFloat32> beta = param(bn, "beta", c, 0, 0).variable();
			Operand<TFloat32> mean = param(bn, "moving_mean", c, 0, 0).variable();
			Operand<TFloat32> var = param(bn, "moving_variance", c, 0, 1).variable();
			Operand<TFloat32> inv = bn.math.mul(bn.math.rsqrt(bn.math.add(var, bn.constant(BN_EPSILON))), gamma);
			x = bn.math.add(bn.math.mul(bn.math.sub(x, mean), inv), beta);
		}
		return s.nn.relu(x);
	}

	private Operand<TFloat32> pool(Ops s, Operand<TFloat32> x) {
		int d = config.dimensions();
		List<Long> k = twos(d + 2);
		if (d == 2) {
			int[] k2 = { 1, 2, 2, 1 };
			return s.nn.maxPool(x, s.constant(k2), s.constant(k2), "VALID");
		}
		return s.nn.maxPool3d(x, k, k, "VALID");
	}

	private Operand<TFloat32> upsample(Ops s, Operand<TFloat32> x, int in, int out) {
		int d = config.dimensions();
		long[] shape = new long[d + 2];
		Arrays.fill(shape, 2);
		shape[d] = out;
		shape[d + 1] = in;
		Ops u = s.withSubScope("upconv" + params.size());
		// fan-in of a stride-2 transposed convolution: each output pixel sees one tap per input channel
		Variable<TFloat32> w = param(u, "kernel", shape, Math.sqrt(2.0 / in), 0).variable();
		Variable<TFloat32> bias = param(u, "bias", new long[] { out }, 0, 0).variable();
		int[] mul = new int[d + 2], add = new int[d + 2];
		Arrays.fill(mul, 2);
		mul[0] = 1;
		mul[d + 1] = 0;
		add[d + 1] = out;
		Operand<TInt32> outShape = u.math.add(u.math.mul(u.shape(x), u.constant(mul)), u.constant(add));
		Operand<TFloat32> y = d == 2 ? u.nn.conv2dBackpropInput(outShape, w, x, twos(4), "SAME")
			: u.nn.conv3dBackpropInput(outShape, w, x, twos(5), "SAME");
		return u.nn.biasAdd(y, bias);
	}

	private static List<Long> ones(int n) {
		Long[] v = new Long[n];
		Arrays.fill(v, 1L);
		return Arrays.asList(v);
	}

	private static List<Long> twos(int n) {
		Long[] v = new Long[n];
		Arrays.fill(v, 2L);
		v[0] = 1L;
		v[n - 1] = 1L;
		return Arrays.asList(v);
	}
}
