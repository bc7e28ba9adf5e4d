package io.github.unetseg.service;

import java.nio.file.Path;
import java.util.Objects;

import io.github.unetseg.tensorflow.EngineOptions;

/**
 * Keeps the most recently used model loaded, so that a Fiji macro calling a command once per image
 * does not reload the SavedModel (about a second) every time. The cache owns the service: callers
 * must not close what {@link #get} returns. Loading another model or other engine options closes the
 * previous one.
 */
public final class ModelCache {

	private static Path cachedPath;
	private static EngineOptions cachedOptions;
	private static SegmentationService cached;

	private ModelCache() {}

	/**
	 * @param modelDir model folder
	 * @param options device and threads
	 * @return a loaded service for that model, shared between callers; do not close it
	 * @throws io.github.unetseg.SegmentationException if the model cannot be loaded
	 */
	public static synchronized SegmentationService get(Path modelDir, EngineOptions options) {
		Path key = modelDir.toAbsolutePath().normalize();
		if (cached != null && key.equals(cachedPath) && Objects.equals(options, cachedOptions)) return cached;
		clear();
		cached = new SegmentationService(key, options);
		cachedPath = key;
		cachedOptions = options;
		return cached;
	}

	/** Closes and forgets the cached model, freeing its TensorFlow session. */
	public static synchronized void clear() {
		if (cached != null) cached.close();
		cached = null;
		cachedPath = null;
		cachedOptions = null;
	}
}
