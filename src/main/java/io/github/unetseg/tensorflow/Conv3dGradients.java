package io.github.unetseg.tensorflow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.op.nn.Conv3dBackpropFilter;
import org.tensorflow.op.nn.Conv3dBackpropInput;
import org.tensorflow.types.family.TNumber;

/**
 * Registers the gradients that TensorFlow's C API lacks for 3D convolutions, so that 3D U-Nets can
 * be trained from Java: {@code Conv3D} (the convolution) and {@code Conv3DBackpropInputV2} (the
 * transposed convolution used for upsampling).
 *
 * <p>The formulas are those of TensorFlow's Python gradients in {@code tensorflow/python/ops/nn_grad.py}
 * ({@code _Conv3DGrad} and {@code _Conv3DBackpropInputGrad}):
 * <ul>
 * <li>{@code Conv3D(x, w)}: dx = {@code Conv3DBackpropInputV2(shape(x), w, dy)},
 * dw = {@code Conv3DBackpropFilterV2(x, shape(w), dy)};</li>
 * <li>{@code Conv3DBackpropInputV2(sizes, w, g)}: d sizes = none, dw =
 * {@code Conv3DBackpropFilterV2(dy, shape(w), g)}, dg = {@code Conv3D(dy, w)}.</li>
 * </ul>
 * Strides, padding, data format and dilations are taken from the forward op. A float64
 * finite-difference check of both is in {@code Conv3dGradientsTest}.
 */
public final class Conv3dGradients {

	private static boolean registered;

	private Conv3dGradients() {}

	/**
	 * Registers both gradients once per JVM; later calls do nothing. Must run before
	 * {@code Graph.addGradients} is called on a graph with 3D convolutions.
	 *
	 * @throws IllegalStateException if TensorFlow refuses the registration (a gradient for the op
	 *     already exists, which would mean a TensorFlow Java version that ships its own)
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public static synchronized void register() {
		if (registered) return;
		boolean a = TensorFlow.registerCustomGradient(Conv3d.Inputs.class, (tf, op, grads) -> {
			Operand dy = grads.get(0);
			List<Long> strides = list(op.strides);
			Operand dx = tf.nn.conv3dBackpropInput(tf.shape(op.input), (Operand) op.filter, dy, strides, op.padding,
				Conv3dBackpropInput.dataFormat(op.dataFormat), Conv3dBackpropInput.dilations(list(op.dilations)));
			Operand dw = tf.nn.conv3dBackpropFilter((Operand) op.input, tf.shape(op.filter), dy, strides, op.padding,
				Conv3dBackpropFilter.dataFormat(op.dataFormat), Conv3dBackpropFilter.dilations(list(op.dilations)));
			return new ArrayList<>(Arrays.asList(dx, dw));
		});
		boolean b = TensorFlow.registerCustomGradient(Conv3dBackpropInput.Inputs.class, (tf, op, grads) -> {
			Operand dy = grads.get(0);
			List<Long> strides = list(op.strides);
			Operand<? extends TNumber> sizes = op.inputSizes;
			Operand dw = tf.nn.conv3dBackpropFilter(dy, tf.shape(op.filter), (Operand) op.outBackprop, strides, op.padding,
				Conv3dBackpropFilter.dataFormat(op.dataFormat), Conv3dBackpropFilter.dilations(list(op.dilations)));
			Operand dg = tf.nn.conv3d(dy, (Operand) op.filter, strides, op.padding, Conv3d.dataFormat(op.dataFormat),
				Conv3d.dilations(list(op.dilations)));
			return new ArrayList<>(Arrays.asList(tf.zerosLike((Operand) sizes), dw, dg));
		});
		if (!a || !b) throw new IllegalStateException("TensorFlow refused to register the Conv3D gradients");
		registered = true;
	}

	private static List<Long> list(long[] v) {
		List<Long> l = new ArrayList<>(v.length);
		for (long x : v) l.add(x);
		return l;
	}
}
