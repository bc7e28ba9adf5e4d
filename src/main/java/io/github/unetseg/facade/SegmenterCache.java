package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.Objects;

import io.github.unetseg.tensorflow.EngineOptions;

/**
 * Keeps the most recently used model open, so that a macro calling a command once per image does not
 * reload the SavedModel (about a second) every time. The cache owns the {@link Segmenter}: callers must
 * not close what {@link #get} returns. Asking for another model or other engine options closes the
 * previous one; {@link #close()} frees it. Inside Fiji one cache lives in the SciJava service
 * {@code io.github.unetseg.command.SegmenterService}, which closes it when the context is disposed.
 */
public final class SegmenterCache implements AutoCloseable {

	private Path cachedPath;
	private EngineOptions cachedOptions;
	private Segmenter cached;

	/**
	 * @param modelDir model folder
	 * @param engine device, threads and precision
	 * @return an open segmenter for that model ({@link Engines#segmenter}), shared between callers; do
	 *     not close it
	 * @throws io.github.unetseg.SegmentationException if the model cannot be loaded
	 */
	public synchronized Segmenter get(Path modelDir, EngineOptions engine) {
		Path key = modelDir.toAbsolutePath().normalize();
		if (cached != null && key.equals(cachedPath) && Objects.equals(engine, cachedOptions)) return cached;
		close();
		cached = Engines.segmenter(key, engine);
		cachedPath = key;
		cachedOptions = engine;
		return cached;
	}

	/** Closes and forgets the open model, freeing its TensorFlow session. */
	@Override
	public synchronized void close() {
		if (cached != null) cached.close();
		cached = null;
		cachedPath = null;
		cachedOptions = null;
	}
}
