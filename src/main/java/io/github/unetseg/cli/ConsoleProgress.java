package io.github.unetseg.cli;

import java.io.PrintStream;

import io.github.unetseg.tiling.ProgressListener;

/**
 * Progress lines on standard error: rewritten in place on a terminal, otherwise printed at most once
 * per {@value #INTERVAL_MS} ms (so cluster logs stay short), and always when a file is done.
 */
final class ConsoleProgress implements ProgressListener {

	static final long INTERVAL_MS = 5000;

	private final PrintStream err;
	private final String prefix;
	private final boolean terminal;
	private final java.util.function.BooleanSupplier cancelled;
	private long last;

	ConsoleProgress(PrintStream err, String prefix) {
		this(err, prefix, () -> false);
	}

	/** @param cancelled asked between steps; true stops the work (e.g. after a signal, {@link StopSignals}) */
	ConsoleProgress(PrintStream err, String prefix, java.util.function.BooleanSupplier cancelled) {
		this.err = err;
		this.prefix = prefix;
		this.terminal = System.console() != null;
		this.cancelled = cancelled;
	}

	@Override
	public boolean isCancelled() {
		return cancelled.getAsBoolean();
	}

	@Override
	public void progress(long done, long total, String message) {
		long now = System.currentTimeMillis();
		boolean end = done >= total;
		if (terminal) {
			err.print("\r" + prefix + bar(done, total) + " " + message + (end ? "\n" : ""));
			err.flush();
		}
		else if (end || now - last >= INTERVAL_MS) {
			err.println(prefix + message);
			last = now;
		}
	}

	private static String bar(long done, long total) {
		int w = 30, f = (int) (w * done / Math.max(1, total));
		return "[" + "#".repeat(f) + " ".repeat(w - f) + "]";
	}
}
