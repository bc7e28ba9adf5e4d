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

	/**
	 * The listener of one of {@code parts} equal parts of a longer work (a plane of a stack, a frame of a
	 * time series): its progress becomes the whole's, {@code part * total + done} of {@code parts * total},
	 * its messages are prefixed with {@code "<name> <part + 1>/<parts>: "}, and it is cancelled with the whole.
	 *
	 * @param whole the whole work's listener
	 * @param part 0-based index of the part, in {@code [0, parts)}
	 * @param parts number of parts, &gt;= 1
	 * @param name what a part is called in messages, e.g. {@code "plane"} or {@code "frame"}
	 * @return the part's listener
	 */
	static ProgressListener part(ProgressListener whole, long part, long parts, String name) {
		return new ProgressListener() {
			@Override
			public void progress(long done, long total, String message) {
				long each = Math.max(1, total);
				whole.progress(part * each + done, parts * each, name + " " + (part + 1) + "/" + parts + ": " + message);
			}

			@Override
			public boolean isCancelled() {
				return whole.isCancelled();
			}
		};
	}
}
