package io.github.unetseg.tiling;

/**
 * Receives progress of long work and tells it whether to stop. Fiji commands forward it to the
 * status bar, the CLI prints progress lines.
 */
public interface ProgressListener {

	/** A listener that reports nothing and never cancels. */
	ProgressListener NONE = (done, total, message) -> {};

	/**
	 * @param done units of work finished, in {@code [0, total]}
	 * @param total units of work in all, &gt;= 1
	 * @param message what is being done, for a status line
	 */
	void progress(long done, long total, String message);

	/**
	 * Polled between units of work (once per batch of tiles).
	 *
	 * @return true to stop the work as soon as possible; it then ends with a
	 *     {@link java.util.concurrent.CancellationException} and writes no output
	 */
	default boolean isCancelled() {
		return false;
	}
}
