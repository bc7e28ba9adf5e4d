package io.github.unetseg.tensorflow;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * How TensorFlow runs: device choice and CPU threads.
 *
 * @param device where to run
 * @param threads intra-op threads for the CPU, or 0 for TensorFlow's default (all cores)
 */
public record EngineOptions(Device device, int threads) {

	/** @throws IllegalArgumentException if threads is negative */
	public EngineOptions {
		if (device == null) throw new IllegalArgumentException("device is required");
		if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0 = all cores), got " + threads);
	}

	/** @return automatic device, all cores */
	public static EngineOptions defaults() {
		return new EngineOptions(Device.AUTO, 0);
	}

	/**
	 * The session configuration: GPUs hidden for {@link Device#CPU}, GPU memory grown on demand
	 * (so that an out-of-memory error concerns the batch, not a pre-allocation), one inter-op thread
	 * (a U-Net is a chain of large ops; parallelism comes from intra-op threads).
	 *
	 * @return the protobuf for {@code Session} / {@code SavedModelBundle.Loader}
	 */
	public ConfigProto configProto() {
		ConfigProto.Builder b = ConfigProto.newBuilder().setAllowSoftPlacement(true).setInterOpParallelismThreads(1)
			.setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
		if (threads > 0) b.setIntraOpParallelismThreads(threads);
		if (device == Device.CPU) b.putDeviceCount("GPU", 0);
		return b.build();
	}
}
