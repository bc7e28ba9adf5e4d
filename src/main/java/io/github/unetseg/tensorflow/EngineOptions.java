package io.github.unetseg.tensorflow;


/**
 * How TensorFlow runs: device choice, CPU threads and arithmetic precision.
 *
 * @param device where to run
 * @param threads intra-op threads for the CPU, or 0 for TensorFlow's default (all cores)
 * @param precision float32, or mixed precision (bfloat16 on capable CPUs, float16 on GPUs)
 */
public record EngineOptions(Device device, int threads, Precision precision) {

	/** @throws IllegalArgumentException if threads is negative or a value is missing */
	public EngineOptions {
		if (device == null) throw new IllegalArgumentException("device is required");
		if (precision == null) throw new IllegalArgumentException("precision is required");
		if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0 = all cores), got " + threads);
	}

	/**
	 * float32 options.
	 *
	 * @param device where to run
	 * @param threads intra-op threads, or 0 for all cores
	 */
	public EngineOptions(Device device, int threads) {
		this(device, threads, Precision.FLOAT32);
	}

	/** @return automatic device, all cores */
	public static EngineOptions defaults() {
		return new EngineOptions(Device.AUTO, 0);
	}
}
