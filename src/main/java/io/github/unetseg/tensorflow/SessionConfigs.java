package io.github.unetseg.tensorflow;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * TensorFlow's session configuration for {@link EngineOptions}. Kept out of the {@code EngineOptions}
 * record, which travels to the engine's child JVM as JSON from a JVM that may have no TensorFlow Java on
 * its class path (Fiji with the engine in {@code lib/unetseg/}): reflecting on a record with a
 * {@code ConfigProto} method there fails with {@code NoClassDefFoundError}.
 */
public final class SessionConfigs {

	private SessionConfigs() {}

	/**
	 * The session configuration: GPUs hidden for {@link Device#CPU}, GPU memory grown on demand
	 * (so that an out-of-memory error concerns the batch, not a pre-allocation), one inter-op thread
	 * (a U-Net is a chain of large ops; parallelism comes from intra-op threads), and for
	 * {@link Precision#MIXED} Grappler's mixed-precision rewrites (bfloat16 through oneDNN on the CPU;
	 * float16 on GPUs unless the device is {@link Device#CPU}).
	 *
	 * @param options device, threads and precision
	 * @return the protobuf for {@code Session} / {@code SavedModelBundle.Loader}
	 */
	public static ConfigProto of(EngineOptions options) {
		Device device = options.device();
		int threads = options.threads();
		Precision precision = options.precision();
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
