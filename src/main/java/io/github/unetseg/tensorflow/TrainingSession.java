package io.github.unetseg.tensorflow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tiling.TileModel;

/**
 * A U-Net training graph in one TensorFlow session: the training path (batch statistics, dropout),
 * the loss ({@link Losses}), gradients, AdamW updates, and an inference path over the same weights for
 * validation with the tiled predictor.
 *
 * <p>Adam (Kingma and Ba 2015) with decoupled weight decay (AdamW, Loshchilov and Hutter 2019):
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
 * {@code w -= lr (m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps) + wd w)}, with {@code b1 = 0.9},
 * {@code b2 = 0.999}. The step count {@code t} and the learning rate are fed per step, so a schedule
 * and a resumed run continue exactly. Dropout masks come from a stateless random op seeded per step.
 *
 * <p>Patches are fed as the network's layout: images {@code [batch, (z,) y, x, channels]}, labels
 * {@code [batch, (z,) y, x]} class indices. Owns its graph and session: close it. Not thread-safe.
 */
public final class TrainingSession implements AutoCloseable {

	private static final float BETA1 = 0.9f, BETA2 = 0.999f;

	private final UNetConfig arch;
	private final TrainingConfig config;
	private final Graph graph;
	private final Session session;
	private final UNetBuilder builder;
	private final Placeholder<TFloat32> x;
	private final Placeholder<TInt32> y;
	private final Placeholder<TFloat32> w;
	private final Placeholder<TFloat32> present;
	private final Placeholder<TFloat32> distances;
	/** The region and boundary terms' weights under Kervadec's schedule, or {@code null}. */
	private final Placeholder<TFloat32> termWeights;
	private final Placeholder<TInt64> seed;
	private final Placeholder<TFloat32> lr, bias1, bias2;
	private final Operand<TFloat32> loss;
	private final List<Op> updates = new ArrayList<>();
	private final List<Op> slotInit = new ArrayList<>();
	private final Placeholder<TFloat32> inferInput;
	private final Operand<TFloat32> inferOutput;

	/**
	 * Builds the training graph.
	 *
	 * @param arch the U-Net
	 * @param config hyperparameters (loss, epsilon, weight decay, patch size, class weights)
	 * @param engine device and threads
	 * @param classWeights per-output-channel weights for {@code weighted_ce}, or {@code null}
	 */
	public TrainingSession(UNetConfig arch, TrainingConfig config, EngineOptions engine, float[] classWeights) {
		this(arch, config, engine, classWeights, false);
	}

	/**
	 * Builds the training graph, optionally with a per-voxel weight map fed with each batch (instance
	 * models: {@link Losses} with the U-Net paper's weights).
	 *
	 * @param arch the U-Net
	 * @param config hyperparameters (loss, epsilon, weight decay, patch size, class weights)
	 * @param engine device and threads
	 * @param classWeights per-output-channel weights for {@code weighted_ce}, or {@code null}
	 * @param voxelWeights whether {@link #step(float[], short[], float[], int, long, double)} feeds weights
	 */
	public TrainingSession(UNetConfig arch, TrainingConfig config, EngineOptions engine, float[] classWeights, boolean voxelWeights) {
		this(arch, config, engine, classWeights, voxelWeights, false);
	}

	/**
	 * A training graph; with {@code partialLabels} its loss is marginal ({@link Losses#marginal}) and
	 * every step takes the annotated classes of each patch.
	 *
	 * @param arch the network
	 * @param config hyperparameters (loss, Adam settings, patch size, seed)
	 * @param engine device and threads
	 * @param classWeights per-class weights for {@code weighted_ce}, or {@code null}
	 * @param voxelWeights whether steps take a per-voxel weight map
	 * @param partialLabels whether steps take a {@code [batch, classes]} mask of annotated classes
	 * @throws IllegalArgumentException if both maps are asked for, or partial labels meet a binary model
	 *     or a loss other than {@code dice_ce}, {@code ce} and {@code dice}
	 */
	public TrainingSession(UNetConfig arch, TrainingConfig config, EngineOptions engine, float[] classWeights, boolean voxelWeights,
		boolean partialLabels)
	{
		if (voxelWeights && partialLabels) throw new IllegalArgumentException("voxel weights and partial labels cannot be combined");
		Conv3dGradients.register();
		this.arch = arch;
		this.config = config;
		this.graph = new Graph();
		Ops tf = Ops.create(graph);
		int d = arch.dimensions();
		long[] xShape = new long[d + 2], yShape = new long[d + 1];
		java.util.Arrays.fill(xShape, -1);
		java.util.Arrays.fill(yShape, -1);
		xShape[d + 1] = arch.inputChannels();
		x = tf.withName("train_input").placeholder(TFloat32.class, Placeholder.shape(Shape.of(xShape)));
		y = tf.withName("train_labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(yShape)));
		w = voxelWeights ? tf.withName("train_weights").placeholder(TFloat32.class, Placeholder.shape(Shape.of(yShape))) : null;
		present = partialLabels ? tf.withName("train_present").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1,
			arch.outputChannels()))) : null;
		long[] dShape = xShape.clone();
		dShape[d + 1] = arch.outputChannels();
		distances = config.needsDistanceMaps() ? tf.withName("train_distances").placeholder(TFloat32.class, Placeholder.shape(Shape.of(
			dShape))) : null;
		seed = tf.withName("dropout_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
		lr = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
		bias1 = tf.withName("bias1").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
		bias2 = tf.withName("bias2").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
		builder = new UNetBuilder(tf, arch);
		Operand<TFloat32> logits = builder.forward(x, true, seed);
		int k = arch.outputChannels();
		Operand<TFloat32> target = k == 1 ? tf.expandDims(tf.dtypes.cast(y, TFloat32.class), tf.constant(-1))
			: tf.oneHot(y, tf.constant(k), tf.constant(1f), tf.constant(0f));
		String region = distances != null ? "dice_ce" : config.loss();
		Operand<TFloat32> regionLoss = present != null ? Losses.marginal(tf, region, logits, target, k, present)
			: Losses.build(tf, region, logits, target, k, classWeights, w);
		boolean rebalance = distances != null && config.boundaryWeight() == TrainingConfig.BOUNDARY_SCHEDULE;
		termWeights = rebalance ? tf.withName("term_weights").placeholder(TFloat32.class, Placeholder.shape(Shape.of(2))) : null;
		loss = distances == null ? regionLoss : rebalance ? Losses.rebalanced(tf, config.loss(), regionLoss, logits, target, k, distances,
			tf.gather(termWeights, tf.constant(0), tf.constant(0)), tf.gather(termWeights, tf.constant(1), tf.constant(0)))
			: Losses.withBoundaryTerm(tf, config.loss(), regionLoss, logits, target, k, distances, config.boundaryWeight());
		Map<String, Variable<TFloat32>> vars = builder.variables();
		List<String> trainable = builder.trainableNames();
		Output<?>[] wrt = new Output<?>[trainable.size()];
		for (int i = 0; i < wrt.length; i++) wrt[i] = vars.get(trainable.get(i)).asOutput();
		Output<?>[] grads = graph.addGradients(loss.asOutput(), wrt);
		// variables are read by reference: no update may run before every gradient has been computed,
		// or a layer's backward pass could read an already updated weight
		List<org.tensorflow.Operation> gradOps = new ArrayList<>();
		for (Output<?> g : grads) gradOps.add(g.op());
		for (Output<?> o : wrt) gradOps.add(o.op());
		gradOps.add(loss.op());
		Ops slots = tf.withSubScope("adam_slots");
		Ops opt = tf.withSubScope("adam").withControlDependencyOps(gradOps);
		Operand<TFloat32> b1 = opt.constant(BETA1), b2 = opt.constant(BETA2), one = opt.constant(1f);
		Operand<TFloat32> eps = opt.constant((float) config.epsilon()), wd = opt.constant((float) config.weightDecay());
		for (int i = 0; i < wrt.length; i++) {
			@SuppressWarnings("unchecked")
			Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
			Variable<TFloat32> w = vars.get(trainable.get(i));
			Ops sl = slots.withSubScope("slot" + i);
			Variable<TFloat32> m = sl.withName("m").variable(w.shape(), TFloat32.class);
			Variable<TFloat32> v = sl.withName("v").variable(w.shape(), TFloat32.class);
			slotInit.add(sl.assign(m, sl.zerosLike(w)));
			slotInit.add(sl.assign(v, sl.zerosLike(w)));
			Ops s = opt.withSubScope("slot" + i);
			Operand<TFloat32> newM = s.assign(m, s.math.add(s.math.mul(b1, m), s.math.mul(s.math.sub(one, b1), g)));
			Operand<TFloat32> newV = s.assign(v, s.math.add(s.math.mul(b2, v), s.math.mul(s.math.sub(one, b2), s.math.square(g))));
			Operand<TFloat32> step = s.math.div(s.math.div(newM, bias1), s.math.add(s.math.sqrt(s.math.div(newV, bias2)), eps));
			updates.add(s.assignSub(w, s.math.mul(lr, s.math.add(step, s.math.mul(wd, w)))));
		}
		updates.addAll(builder.statisticsUpdates());
		long[] inShape = xShape.clone();
		inferInput = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(Shape.of(inShape)));
		Operand<TFloat32> inferLogits = builder.forward(inferInput, false, null);
		inferOutput = tf.withName("output").identity(k == 1 ? tf.math.sigmoid(inferLogits) : tf.nn.softmax(inferLogits));
		session = new Session(graph, SessionConfigs.of(engine));
	}

	/**
	 * Initialises weights (He-normal from the config's seed, or taken from {@code preset} where names
	 * and sizes match) and zeroes the Adam moments.
	 *
	 * @param preset weights by name, e.g. from {@link #readWeights(Path)}; empty for a fresh network
	 * @return names of variables initialised randomly (for fine-tuning: those not found in {@code preset})
	 */
	public List<String> initialize(Map<String, float[]> preset) {
		List<String> fresh = builder.initialize(session, config.seed(), preset);
		Session.Runner r = session.runner();
		slotInit.forEach(r::addTarget);
		r.run().close();
		return fresh;
	}

	/**
	 * One optimiser step.
	 *
	 * @param images {@code batch * prod(patch) * channels} values, layout {@code [batch, (z,) y, x, c]}
	 * @param labels {@code batch * prod(patch)} class indices, layout {@code [batch, (z,) y, x]}
	 * @param batch patches in the batch
	 * @param step global step number, starting at 1 (Adam's bias correction, dropout seed)
	 * @param learningRate learning rate of this step
	 * @return the loss before the update
	 */
	public float step(float[] images, short[] labels, int batch, long step, double learningRate) {
		return step(images, labels, null, batch, step, learningRate);
	}

	/**
	 * One optimiser step with per-voxel loss weights.
	 *
	 * @param images {@code batch * prod(patch) * channels} values, layout {@code [batch, (z,) y, x, c]}
	 * @param labels {@code batch * prod(patch)} class indices, layout {@code [batch, (z,) y, x]}
	 * @param weights {@code batch * prod(patch)} weights &gt;= 0 in the labels' layout; required when the
	 *     session was built with voxel weights, else {@code null}
	 * @param batch patches in the batch
	 * @param step global step number, starting at 1 (Adam's bias correction, dropout seed)
	 * @param learningRate learning rate of this step
	 * @return the loss before the update
	 * @throws IllegalArgumentException if weights are given without the session's weight map or missing
	 */
	public float step(float[] images, short[] labels, float[] weights, int batch, long step, double learningRate) {
		return step(images, labels, weights, null, batch, step, learningRate);
	}

	/**
	 * One optimiser step on a batch with per-patch annotated classes (a session made with partial labels).
	 *
	 * @param images batch {@code [batch, (z,) y, x, c]} flattened, normalised
	 * @param labels class indices {@code [batch, (z,) y, x]} flattened
	 * @param weights per-voxel loss weights of the same layout, or {@code null}
	 * @param annotated {@code [batch, classes]}: 1 where the class was annotated in that patch's case,
	 *     else 0; {@code null} for a session without partial labels
	 * @param batch patches in the batch
	 * @param step 1-based global step (Adam's bias correction and the dropout seed)
	 * @param learningRate learning rate of this step
	 * @return the loss before the update
	 * @throws IllegalArgumentException if a map is given that the session was not built for, or missing
	 */
	public float step(float[] images, short[] labels, float[] weights, float[] annotated, int batch, long step, double learningRate) {
		return step(images, labels, weights, annotated, null, batch, step, learningRate);
	}

	/**
	 * One optimiser step of a boundary-aware loss ({@link TrainingConfig#needsDistanceMaps()}).
	 *
	 * @param images {@code [batch, (z,) y, x, c]}
	 * @param labels {@code [batch, (z,) y, x]} class indices
	 * @param weights per-voxel weights, or {@code null}
	 * @param annotated {@code [batch, classes]} annotated classes, or {@code null}
	 * @param maps {@code [batch, (z,) y, x, classes]} distance maps of the loss's term (see
	 *     {@code Losses.withBoundaryTerm}), or {@code null} for the other losses
	 * @param batch patches in the batch
	 * @param step 1-based global step (the epoch of Kervadec's boundary-weight schedule is {@code (step - 1) / stepsPerEpoch})
	 * @param learningRate learning rate of this step
	 * @return the loss before the update
	 * @throws IllegalArgumentException if an input is given that the session was not built for, or missing
	 */
	public float step(float[] images, short[] labels, float[] weights, float[] annotated, float[] maps, int batch, long step,
		double learningRate)
	{
		if ((maps == null) != (distances == null))
			throw new IllegalArgumentException(distances == null ? "this session's loss takes no distance maps" : "loss " + config.loss() +
				" needs distance maps");
		if ((annotated == null) != (present == null))
			throw new IllegalArgumentException(present == null ? "this session has no partial labels" : "this session needs the annotated classes");
		if ((weights == null) != (w == null))
			throw new IllegalArgumentException(w == null ? "this session has no voxel weights" : "this session needs voxel weights");
		long[] patch = config.patchSize();
		int d = patch.length;
		long[] xs = new long[d + 2], ys = new long[d + 1];
		xs[0] = ys[0] = batch;
		for (int i = 0; i < d; i++) xs[d - i] = ys[d - i] = patch[i];
		xs[d + 1] = arch.inputChannels();
		int[] lab = new int[labels.length];
		for (int i = 0; i < lab.length; i++) lab[i] = labels[i];
		try (TFloat32 xt = TFloat32.tensorOf(Shape.of(xs), DataBuffers.of(images, true, false));
			TInt32 yt = TInt32.tensorOf(Shape.of(ys), DataBuffers.of(lab, true, false));
			TInt64 st = TInt64.vectorOf(config.seed(), step);
			TFloat32 lrt = TFloat32.scalarOf((float) learningRate);
			TFloat32 b1t = TFloat32.scalarOf((float) (1 - Math.pow(BETA1, step)));
			TFloat32 b2t = TFloat32.scalarOf((float) (1 - Math.pow(BETA2, step)));
			TFloat32 wt = weights == null ? null : TFloat32.tensorOf(Shape.of(ys), DataBuffers.of(weights, true, false));
			TFloat32 pt = annotated == null ? null : TFloat32.tensorOf(Shape.of(batch, arch.outputChannels()), DataBuffers.of(annotated, true, false));
			TFloat32 dt = maps == null ? null : TFloat32.tensorOf(Shape.of(withChannels(ys, arch.outputChannels())), DataBuffers.of(maps, true,
				false)))
		{
			Session.Runner r = session.runner().feed(x, xt).feed(y, yt).feed(seed, st).feed(lr, lrt).feed(bias1, b1t).feed(bias2, b2t)
				.fetch(loss);
			if (wt != null) r.feed(w, wt);
			if (pt != null) r.feed(present, pt);
			if (dt != null) r.feed(distances, dt);
			updates.forEach(r::addTarget);
			// Kervadec's schedule: this epoch's weights of the region and boundary terms
			double[] tw = termWeights == null ? null : TrainingConfig.boundaryWeights((int) ((step - 1) / config.stepsPerEpoch()));
			try (TFloat32 twt = tw == null ? null : TFloat32.vectorOf((float) tw[0], (float) tw[1])) {
				if (twt != null) r.feed(termWeights, twt);
				try (Result res = r.run()) {
					return ((TFloat32) res.get(0)).getFloat();
				}
			}
		}
	}

	private static long[] withChannels(long[] shape, long channels) {
		long[] s = java.util.Arrays.copyOf(shape, shape.length + 1);
		s[shape.length] = channels;
		return s;
	}

	/**
	 * The current network's labels (argmax of the inference output, BN with its moving statistics) of
	 * a batch of patches, for the distance-transform loss's {@code d_S}.
	 *
	 * @param images {@code [batch, (z,) y, x, c]}, patches of the configured size
	 * @param batch patches
	 * @return class indices {@code [batch, (z,) y, x]}
	 */
	public short[] predictLabels(float[] images, int batch) {
		long[] patch = config.patchSize();
		int d = patch.length;
		long[] xs = new long[d + 2];
		xs[0] = batch;
		for (int i = 0; i < d; i++) xs[d - i] = patch[i];
		xs[d + 1] = arch.inputChannels();
		int k = arch.outputChannels();
		try (TFloat32 xt = TFloat32.tensorOf(Shape.of(xs), DataBuffers.of(images, true, false));
			Result res = session.runner().feed(inferInput, xt).fetch(inferOutput).run())
		{
			float[] p = new float[images.length / arch.inputChannels() * k];
			((TFloat32) res.get(0)).copyTo(DataBuffers.of(p, false, false));
			short[] out = new short[p.length / k];
			for (int i = 0; i < out.length; i++) {
				int best = 0;
				for (int c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
				out[i] = (short) best;
			}
			return out;
		}
	}

	/**
	 * The inference path as a {@link TileModel}, for validation with tiled prediction.
	 *
	 * @return a model sharing this trainer's session and current weights
	 */
	public TileModel inferenceModel() {
		return new SessionTileModel(session, inferInput.asOutput().op().name() + ":0", inferOutput.asOutput().op().name() + ":0",
			arch.inputChannels(), arch.outputChannels());
	}

	/**
	 * Writes the inference graph (batch normalisation folded, {@link UNetBuilder}) with the current
	 * weights as a SavedModel plus {@code model.json} into a folder, as {@link UNetExporter#write} does.
	 *
	 * @param target folder to write (created)
	 * @param spec the model's description, with this session's architecture
	 * @return the written model
	 * @throws io.github.unetseg.SegmentationException if it cannot be written
	 * @throws IllegalArgumentException if the spec describes another architecture
	 */
	public io.github.unetseg.model.ModelBundle exportInferenceModel(java.nio.file.Path target, io.github.unetseg.model.ModelSpec spec) {
		if (!arch.equals(spec.architecture()))
			throw new IllegalArgumentException("spec's architecture " + spec.architecture() + " is not this session's " + arch);
		return UNetExporter.write(target, spec, weights());
	}

	/** @return current values of all network variables by name (weights and batch-norm statistics) */
	public Map<String, float[]> weights() {
		Map<String, float[]> m = new LinkedHashMap<>();
		for (Map.Entry<String, Variable<TFloat32>> e : builder.variables().entrySet()) {
			try (Result r = session.runner().fetch(e.getValue()).run()) {
				TFloat32 t = (TFloat32) r.get(0);
				float[] v = new float[(int) t.shape().size()];
				t.copyTo(DataBuffers.of(v, false, false));
				m.put(e.getKey(), v);
			}
		}
		return m;
	}

	/**
	 * Saves every variable (weights, batch-norm statistics, Adam moments) in TensorFlow's checkpoint
	 * format.
	 *
	 * @param prefix checkpoint path prefix, e.g. {@code dir/ckpt}
	 */
	public void saveCheckpoint(Path prefix) {
		session.save(prefix.toString());
	}

	/**
	 * Restores every variable from {@link #saveCheckpoint}.
	 *
	 * @param prefix checkpoint path prefix
	 */
	public void restoreCheckpoint(Path prefix) {
		session.restore(prefix.toString());
	}

	/**
	 * Reads the network variables of a model folder written by unetseg, for fine-tuning.
	 *
	 * @param modelDir model folder (SavedModel)
	 * @return values by variable name (as in {@link UNetBuilder#variables()})
	 */
	public static Map<String, float[]> readWeights(Path modelDir) {
		Map<String, float[]> m = new LinkedHashMap<>();
		try (SavedModelBundle b = SavedModelBundle.load(modelDir.toString(), SavedModelBundle.DEFAULT_TAG)) {
			var it = b.graph().operations();
			while (it.hasNext()) {
				GraphOperation op = it.next();
				if (!op.type().startsWith("Variable") || !op.name().endsWith("/var")) continue;
				try (Result r = b.session().runner().fetch(op.name()).run()) {
					Tensor t = r.get(0);
					if (!(t instanceof TFloat32 f)) continue;
					float[] v = new float[(int) f.shape().size()];
					f.copyTo(DataBuffers.of(v, false, false));
					m.put(op.name().substring(0, op.name().length() - 4), v);
				}
			}
		}
		return m;
	}

	/** Closes the session and graph. */
	@Override
	public void close() {
		session.close();
		graph.close();
	}
}
