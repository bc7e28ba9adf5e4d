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
import org.tensorflow.types.TInt64;

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
	private final java.util.Map<String, Param> byName = new java.util.LinkedHashMap<>();
	private final List<Op> statisticsUpdates = new ArrayList<>();
	private int counter;
	private boolean training;
	private Operand<TInt64> dropoutSeed;
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
	 * Adds the inference U-Net to the graph: placeholder {@code input}, {@code logits}, {@code output}.
	 * Call once.
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
		Operand<TFloat32> logits = tf.withName("logits").identity(forward(input, false, null));
		Operand<TFloat32> probs = config.classes() == 1 ? tf.math.sigmoid(logits) : tf.nn.softmax(logits);
		Operand<TFloat32> output = tf.withName("output").identity(probs);
		List<Variable<TFloat32>> vars = new ArrayList<>();
		for (Param p : params) vars.add(p.variable());
		network = new Network(input, logits, output, List.copyOf(vars));
		return network;
	}

	/**
	 * Applies the U-Net to an input, creating its variables on the first call and sharing them on later
	 * calls, so one graph can hold a training path and an inference path over the same weights.
	 *
	 * <p>In training mode batch normalisation uses the batch's statistics and adds ops that update the
	 * moving averages ({@link #statisticsUpdates()}, momentum 0.9), and dropout (if configured) drops
	 * bottleneck activations with a stateless random mask drawn from {@code dropoutSeed}, so a step's
	 * mask depends only on the seed fed for it (repeatable, resumable).
	 *
	 * @param input tensor {@code [batch, (z,) y, x, channels]}
	 * @param trainingMode true for the training path
	 * @param seed {@code int64[2]} seed of the dropout mask, required in training mode with dropout
	 * @return logits {@code [batch, (z,) y, x, outputChannels]}
	 */
	public Operand<TFloat32> forward(Operand<TFloat32> input, boolean trainingMode, Operand<TInt64> seed) {
		this.training = trainingMode;
		this.dropoutSeed = seed;
		this.counter = 0;
		Ops scope = tf.withSubScope(trainingMode ? "train" : "infer");
		Operand<TFloat32> x = input;
		int channels = config.inputChannels();
		List<Operand<TFloat32>> skips = new ArrayList<>();
		for (int level = 0; level < config.depth(); level++) {
			Ops s = scope.withSubScope("down" + level);
			x = convBlock(s, x, channels, config.filters(level));
			channels = config.filters(level);
			skips.add(x);
			x = pool(s, x);
		}
		Ops b = scope.withSubScope("bottleneck");
		x = convBlock(b, x, channels, config.filters(config.depth()));
		channels = config.filters(config.depth());
		if (trainingMode && config.dropout() > 0) {
			if (seed == null) throw new IllegalArgumentException("training with dropout needs a seed");
			float keep = (float) (1 - config.dropout());
			Operand<TFloat32> u = b.random.statelessRandomUniform(b.shape(x), seed, TFloat32.class);
			Operand<TFloat32> mask = b.dtypes.cast(b.math.less(u, b.constant(keep)), TFloat32.class);
			x = b.math.mul(x, b.math.mul(mask, b.constant(1 / keep)));
		}
		for (int level = config.depth() - 1; level >= 0; level--) {
			Ops s = scope.withSubScope("up" + level);
			int f = config.filters(level);
			x = upsample(s, x, channels, f);
			x = s.concat(List.of(x, skips.get(level)), s.constant(-1));
			x = convBlock(s, x, 2 * f, f);
			channels = f;
		}
		return conv(scope.withSubScope("head"), x, channels, config.outputChannels(), 1);
	}

	/** @return ops that update batch-norm moving averages, created by training-mode {@link #forward} calls */
	public List<Op> statisticsUpdates() {
		return List.copyOf(statisticsUpdates);
	}

	/** @return all variables in creation order, keyed by their names (e.g. {@code conv0.kernel}, the variable op being {@code conv0.kernel/var}) */
	public java.util.Map<String, Variable<TFloat32>> variables() {
		java.util.Map<String, Variable<TFloat32>> m = new java.util.LinkedHashMap<>();
		byName.forEach((k, p) -> m.put(k, p.variable()));
		return m;
	}

	/** @return names of the trainable variables (everything but batch-norm moving statistics) */
	public List<String> trainableNames() {
		List<String> l = new ArrayList<>();
		for (String k : byName.keySet()) if (!k.contains("moving_")) l.add(k);
		return l;
	}

	/**
	 * Assigns initial values: He-normal convolution kernels, zero biases, batch-norm gamma 1, beta 0,
	 * mean 0, variance 1.
	 *
	 * @param session a session on the graph this builder built into
	 * @param seed seed of the random weights; the same seed gives bit-identical weights
	 */
	public void initialize(Session session, long seed) {
		initialize(session, seed, java.util.Map.of());
	}

	/**
	 * Assigns initial values, taking a variable's value from {@code preset} where a value of the same
	 * name and size is given (fine-tuning, copying trained weights into an inference graph) and the
	 * random initialisation otherwise.
	 *
	 * @param session a session on the graph this builder built into
	 * @param seed weight seed for the variables not in {@code preset}
	 * @param preset values by variable name ({@link #variables()}), flat in TensorFlow's row-major order
	 * @return names of the variables that were initialised randomly
	 */
	public List<String> initialize(Session session, long seed, java.util.Map<String, float[]> preset) {
		if (params.isEmpty()) throw new IllegalStateException("build() or forward() first");
		Random random = new Random(seed);
		Session.Runner runner = session.runner();
		List<TFloat32> tensors = new ArrayList<>();
		List<String> fresh = new ArrayList<>();
		try {
			for (java.util.Map.Entry<String, Param> e : byName.entrySet()) {
				Param p = e.getValue();
				int n = 1;
				for (long s : p.shape()) n *= (int) s;
				float[] v = new float[n];
				for (int i = 0; i < n; i++) v[i] = p.std() > 0 ? (float) (random.nextGaussian() * p.std()) : p.constant();
				float[] given = preset.get(e.getKey());
				if (given != null && given.length == n) v = given;
				else fresh.add(e.getKey());
				TFloat32 t = TFloat32.tensorOf(Shape.of(p.shape()), DataBuffers.of(v, true, false));
				tensors.add(t);
				runner.feed(p.value(), t).addTarget(p.assign());
			}
			runner.run().close();
		}
		finally {
			tensors.forEach(TFloat32::close);
		}
		return fresh;
	}

	/** A variable by its path in the network; created on first use, shared by later forward passes. */
	private Param param(String path, long[] shape, double std, float constant) {
		Param existing = byName.get(path);
		if (existing != null) return existing;
		Ops n = tf.withSubScope(path);
		Variable<TFloat32> v = n.withName("var").variable(Shape.of(shape), TFloat32.class);
		Placeholder<TFloat32> value = n.withName("init_value").placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
		Op assign = n.withName("init").assign(v, value);
		Param p = new Param(v, value, assign, shape, std, constant);
		params.add(p);
		byName.put(path, p);
		return p;
	}

	/** A convolution's weights and the scope its ops go into. */
	private record ConvWeights(Ops scope, Variable<TFloat32> kernel, Variable<TFloat32> bias) {}

	private ConvWeights convWeights(Ops s, int in, int out, int k) {
		int d = config.dimensions();
		long[] shape = new long[d + 2];
		Arrays.fill(shape, k);
		shape[d] = in;
		shape[d + 1] = out;
		double fanIn = Math.pow(k, d) * in;
		String name = "conv" + counter++;
		Ops c = s.withSubScope("conv" + counter);
		Variable<TFloat32> w = param(name + ".kernel", shape, Math.sqrt(2 / fanIn), 0).variable();
		Variable<TFloat32> bias = param(name + ".bias", new long[] { out }, 0, 0).variable();
		return new ConvWeights(c, w, bias);
	}

	/** 'SAME' convolution with stride 1 plus bias: {@code [batch, (z,) y, x, in] -> [batch, (z,) y, x, out]}. */
	private Operand<TFloat32> applyConv(Ops c, Operand<TFloat32> x, Operand<TFloat32> kernel, Operand<TFloat32> bias) {
		int d = config.dimensions();
		Operand<TFloat32> y = d == 2 ? c.nn.conv2d(x, kernel, ones(d + 2), "SAME") : c.nn.conv3d(x, kernel, ones(d + 2), "SAME");
		return c.nn.biasAdd(y, bias);
	}

	private Operand<TFloat32> conv(Ops s, Operand<TFloat32> x, int in, int out, int k) {
		ConvWeights w = convWeights(s, in, out, k);
		return applyConv(w.scope(), x, w.kernel(), w.bias());
	}

	private Operand<TFloat32> convBlock(Ops s, Operand<TFloat32> x, int in, int out) {
		x = convActivate(s, x, in, out);
		return convActivate(s, x, out, out);
	}

	/**
	 * 3x3(x3) convolution, batch normalisation if configured, ReLU. In inference mode batch
	 * normalisation with the moving statistics is folded into the convolution, as inference engines do
	 * (ONNX Runtime, TensorRT): {@code kernel * g} and {@code (bias - mean) * g + beta} with
	 * {@code g = gamma / sqrt(variance + eps)} per output channel, computed from the variables in the
	 * graph (a few thousand values per run), so convolution, bias and ReLU fuse into one kernel instead
	 * of four passes over the feature map. The variables are the same in both modes.
	 */
	private Operand<TFloat32> convActivate(Ops s, Operand<TFloat32> x, int in, int out) {
		ConvWeights w = convWeights(s, in, out, 3);
		if (!config.batchNorm()) return s.nn.relu(applyConv(w.scope(), x, w.kernel(), w.bias()));
		String name = "bn" + counter++;
		Ops bn = s.withSubScope("bn" + counter);
		long[] c = { out };
		Operand<TFloat32> gamma = param(name + ".gamma", c, 0, 1).variable();
		Operand<TFloat32> beta = param(name + ".beta", c, 0, 0).variable();
		Variable<TFloat32> movingMean = param(name + ".moving_mean", c, 0, 0).variable();
		Variable<TFloat32> movingVar = param(name + ".moving_variance", c, 0, 1).variable();
		if (!training) {
			Operand<TFloat32> g = bn.math.mul(bn.math.rsqrt(bn.math.add(movingVar, bn.constant(BN_EPSILON))), gamma);
			Operand<TFloat32> kernel = bn.math.mul(w.kernel(), g); // broadcast over the output-channel axis
			Operand<TFloat32> bias = bn.math.add(bn.math.mul(bn.math.sub(w.bias(), movingMean), g), beta);
			return s.nn.relu(applyConv(w.scope(), x, kernel, bias));
		}
		x = applyConv(w.scope(), x, w.kernel(), w.bias());
		int[] axes = new int[config.dimensions() + 1];
		for (int i = 0; i < axes.length; i++) axes[i] = i;
		Operand<TFloat32> mean = bn.math.mean(x, bn.constant(axes));
		Operand<TFloat32> var = bn.math.mean(bn.math.square(bn.math.sub(x, mean)), bn.constant(axes));
		Operand<TFloat32> m = bn.constant(0.9f), one = bn.constant(0.1f);
		statisticsUpdates.add(bn.assign(movingMean, bn.math.add(bn.math.mul(movingMean, m), bn.math.mul(bn.stopGradient(mean), one))));
		statisticsUpdates.add(bn.assign(movingVar, bn.math.add(bn.math.mul(movingVar, m), bn.math.mul(bn.stopGradient(var), one))));
		Operand<TFloat32> inv = bn.math.mul(bn.math.rsqrt(bn.math.add(var, bn.constant(BN_EPSILON))), gamma);
		x = bn.math.add(bn.math.mul(bn.math.sub(x, mean), inv), beta);
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
		String name = "upconv" + counter++;
		Ops u = s.withSubScope("upconv" + counter);
		// fan-in of a stride-2 transposed convolution: each output pixel sees one tap per input channel
		Variable<TFloat32> w = param(name + ".kernel", shape, Math.sqrt(2.0 / in), 0).variable();
		Variable<TFloat32> bias = param(name + ".bias", new long[] { out }, 0, 0).variable();
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
