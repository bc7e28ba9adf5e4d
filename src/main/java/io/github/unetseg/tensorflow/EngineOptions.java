package io.github.unetseg.tensorflow;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

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

	/**
	 * The session configuration: GPUs hidden for {@link Device#CPU}, GPU memory grown on demand
	 * (so that an out-of-memory error concerns the batch, not a pre-allocation), one inter-op thread
	 * (a U-Net is a chain of large ops; parallelism comes from intra-op threads), and for
	 * {@link Precision#MIXED} Grappler's mixed-precision rewrites (bfloat16 through oneDNN on the CPU;
	 * float16 on GPUs unless the device is {@link Device#CPU}).
	 *
	 * @return the protobuf for {@code Session} / {@code SavedModelBundle.Loader}
	 */
	public ConfigProto configProto() {
		ConfigProto.Builder b = ConfigProto.newBuilder().setAllowSoftPlacement(true).setInterOpParallelismThreads(1)
			.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
		if (threads > 0) b.setIntraOpParallelismThreads(threads);
		if (device == Device.CPU) b.putDeviceCount("GPU", 0);
		if (precision == Precision.MIXED) {
			RewriterConfig.Builder r = RewriterConfig.newBuilder().setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
			if (device != Device.CPU) r.setAutoMixedPrecision(RewriterConfig.Toggle.ON);
			b.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(r));
		}
		return b.build();
	}
}
