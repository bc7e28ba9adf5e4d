package io.github.unetseg.tiling;

/**
 * Thrown by a {@link TileModel} when a batch does not fit in memory (TensorFlow's
 * {@code ResourceExhausted}, or a Java {@link OutOfMemoryError} while allocating buffers).
 * {@link TiledInference} halves the batch size and retries the same tiles.
 */
public class BatchMemoryException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * @param message what ran out of memory, with the batch and tile size
	 * @param cause the engine's exception
	 */
	public BatchMemoryException(String message, Throwable cause) {
		super(message, cause);
	}
}
