package io.github.unetseg.tensorflow;

import java.util.Locale;

/**
 * The arithmetic of a network's convolutions, for inference ({@code unetseg segment --precision}) and
 * training ({@code unetseg train --precision}; measured on a Zen 4 CPU: a 2D U-Net trained 1.5-1.6x
 * faster with the same validation Dice, a 3D U-Net with batch normalisation 0.75x as fast, because
 * not every op of its backward pass has a bfloat16 kernel and casts are added around them).
 */
public enum Precision {

	/**
	 * float32 throughout (the default): tiled and whole-image predictions agree to about 1e-6, and so
	 * do other engines running the same weights.
	 */
	FLOAT32,

	/**
	 * TensorFlow's automatic mixed-precision graph rewrite: convolutions and matrix products run in
	 * bfloat16 on CPUs with AVX512_BF16 or AMX (oneDNN's {@code auto_mixed_precision_onednn_bfloat16})
	 * and in float16 on NVIDIA GPUs (tensor cores, {@code auto_mixed_precision}); the input, the
	 * output probabilities and numerically sensitive ops stay float32. About twice as fast on such
	 * hardware; probabilities differ from {@link #FLOAT32} by a few 1e-2 (measured: up to 0.074 on the
	 * shipped 2D model over 40 slices, labels on 0.014% of pixels, Dice unchanged to 1e-4; bfloat16 keeps 8
	 * significant bits). TensorFlow applies the CPU rewrite only on CPUs with AVX-512 (its
	 * {@code IsBF16SupportedByOneDNNOnThisCPU}) and leaves the graph in float32 elsewhere; AVX-512 CPUs
	 * without native bfloat16 (before Intel Cooper Lake or AMD Zen 4) emulate it and may be slower than
	 * float32, so measure before using it there.
	 */
	MIXED;

	/**
	 * @param name {@code "float32"} or {@code "mixed"}, any case
	 * @return the precision
	 * @throws IllegalArgumentException naming the accepted values otherwise
	 */
	public static Precision parse(String name) {
		for (Precision p : values())
			if (p.name().equalsIgnoreCase(name.trim())) return p;
		throw new IllegalArgumentException("precision must be 'float32' or 'mixed', got '" + name + "'");
	}

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}
}
