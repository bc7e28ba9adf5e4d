package io.github.unetseg.tensorflow;

import java.util.Locale;

/**
 * Where the network runs: {@code AUTO} uses a GPU when TensorFlow sees one and the CPU otherwise,
 * {@code CPU} hides all GPUs, {@code GPU} requires one and fails with a clear message where there is
 * none (the GPU build is the Maven profile {@code gpu}).
 */
public enum Device {
	/** GPU where one is visible, else CPU. */
	AUTO,
	/** CPU only, GPUs hidden from TensorFlow. */
	CPU,
	/** A GPU is required. */
	GPU;

	/**
	 * @param text {@code auto}, {@code cpu} or {@code gpu}, any case
	 * @return the device choice
	 * @throws IllegalArgumentException naming the accepted values
	 */
	public static Device parse(String text) {
		try {
			return valueOf(text.trim().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException | NullPointerException e) {
			throw new IllegalArgumentException("device must be auto, cpu or gpu, got " + text);
		}
	}
}
