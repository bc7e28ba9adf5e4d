package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory (RSS) and its peak, from Linux's {@code /proc/self/status} ({@code VmRSS},
 * {@code VmHWM}); the peak is reset per file by writing {@code 5} to {@code /proc/self/clear_refs}
 * (Linux 4.0 and later). Java heap, TensorFlow's and ONNX Runtime's native memory are all in it. Elsewhere
 * (macOS, Windows, or a kernel that refuses the reset) the figures are unknown ({@code -1}).
 */
public final class ResidentMemory {

	private static final Path STATUS = Path.of("/proc/self/status"), CLEAR_REFS = Path.of("/proc/self/clear_refs");

	private ResidentMemory() {}

	/** Starts a new peak: the next {@link #peakBytes()} counts from now. Does nothing where Linux's reset is not available. */
	public static void resetPeak() {
		try {
			Files.writeString(CLEAR_REFS, "5");
		}
		catch (IOException | RuntimeException e) {
			// not Linux, or not allowed: the peak then counts from the start of the process
		}
	}

	/** @return the peak resident memory in bytes since the process started or the last {@link #resetPeak()}, or -1 if unknown */
	public static long peakBytes() {
		return status("VmHWM:");
	}

	/** @return the resident memory now in bytes, or -1 if unknown */
	public static long currentBytes() {
		return status("VmRSS:");
	}

	private static long status(String key) {
		try {
			for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII))
				if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).replace("kB", "").trim()) * 1024;
		}
		catch (IOException | RuntimeException e) {
			// not Linux
		}
		return -1;
	}
}
