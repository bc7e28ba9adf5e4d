package io.github.unetseg;

/**
 * The one exception type for failures a user can fix: a missing or corrupt model folder, an image
 * that does not fit the model, an unreadable file, an output folder that cannot be written.
 *
 * <p>Its message names the file or parameter, the reason and the fix, so that the CLI can print it as
 * it is and exit non-zero, and a Fiji command can show it in an error dialog. Programming errors stay
 * {@link IllegalArgumentException} or {@link IllegalStateException}.
 */
public class SegmentationException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/** @param message what failed, with the file or parameter, the reason and the fix */
	public SegmentationException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, with the file or parameter, the reason and the fix
	 * @param cause the underlying exception, kept for the stack trace
	 */
	public SegmentationException(String message, Throwable cause) {
		super(message, cause);
	}
}
