package io.github.unetseg.tensorflow;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ConfigProto;

/**
 * The compute devices TensorFlow can use under a session configuration, as the C API's
 * {@code TF_SessionListDevices} reports them.
 *
 * @param name TensorFlow's device name, e.g. {@code /job:localhost/replica:0/task:0/device:GPU:0}
 * @param type {@code CPU} or {@code GPU}
 * @param memoryBytes memory TensorFlow may use on it, in bytes
 */
public record DeviceInfo(String name, String type, long memoryBytes) {

	/**
	 * Lists devices for a session configuration ({@link SessionConfigs#of}): with
	 * {@link Device#CPU} only the CPU is listed.
	 *
	 * @param config the session configuration
	 * @return devices, CPU first as TensorFlow orders them
	 * @throws IllegalStateException if TensorFlow cannot create a session
	 */
	public static List<DeviceInfo> list(ConfigProto config) {
		TensorFlow.version(); // loads the native library
		TF_Status status = tensorflow.TF_NewStatus();
		TF_Graph graph = tensorflow.TF_NewGraph();
		TF_SessionOptions opts = tensorflow.TF_NewSessionOptions();
		try {
			byte[] proto = config.toByteArray();
			try (BytePointer p = new BytePointer(proto)) {
				tensorflow.TF_SetConfig(opts, p, proto.length, status);
			}
			check(status);
			TF_Session session = tensorflow.TF_NewSession(graph, opts, status);
			check(status);
			try {
				TF_DeviceList devices = tensorflow.TF_SessionListDevices(session, status);
				check(status);
				try {
					List<DeviceInfo> list = new ArrayList<>();
					int n = tensorflow.TF_DeviceListCount(devices);
					for (int i = 0; i < n; i++) {
						String name = tensorflow.TF_DeviceListName(devices, i, status).getString();
						String type = tensorflow.TF_DeviceListType(devices, i, status).getString();
						long mem = tensorflow.TF_DeviceListMemoryBytes(devices, i, status);
						check(status);
						list.add(new DeviceInfo(name, type, mem));
					}
					return list;
				}
				finally {
					tensorflow.TF_DeleteDeviceList(devices);
				}
			}
			finally {
				tensorflow.TF_CloseSession(session, status);
				tensorflow.TF_DeleteSession(session, status);
			}
		}
		finally {
			tensorflow.TF_DeleteSessionOptions(opts);
			tensorflow.TF_DeleteGraph(graph);
			tensorflow.TF_DeleteStatus(status);
		}
	}

	private static void check(TF_Status status) {
		if (tensorflow.TF_GetCode(status) != tensorflow.TF_OK)
			throw new IllegalStateException("TensorFlow: " + tensorflow.TF_Message(status).getString());
	}

	/** @return e.g. {@code "GPU:0 (11.5 GiB)"} or {@code "CPU"} */
	public String shortName() {
		int i = name.lastIndexOf("device:");
		String s = i >= 0 ? name.substring(i + 7) : name;
		return "GPU".equals(type) ? String.format(java.util.Locale.ROOT, "%s (%.1f GiB)", s, memoryBytes / 1073741824.0)
			: s.replace(":0", "");
	}
}
