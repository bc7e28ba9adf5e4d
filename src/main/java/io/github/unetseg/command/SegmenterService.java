package io.github.unetseg.command;

import java.nio.file.Path;

import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.SciJavaService;
import org.scijava.service.Service;

import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.SegmenterCache;
import io.github.unetseg.tensorflow.EngineOptions;

/**
 * The models open in a Fiji (SciJava) context: the commands get their {@link Segmenter} here, so a macro
 * over a folder loads its model once, and disposing the context (closing Fiji, or a headless run ending)
 * closes the TensorFlow session. The pattern of scijava-common's {@code DefaultCacheService}.
 */
@Plugin(type = Service.class)
public class SegmenterService extends AbstractService implements SciJavaService {

	private final SegmenterCache cache = new SegmenterCache();

	/**
	 * @param modelDir model folder
	 * @param engine device, threads and precision
	 * @return an open segmenter owned by this service; do not close it
	 * @throws io.github.unetseg.SegmentationException if the model cannot be loaded
	 */
	public Segmenter segmenter(Path modelDir, EngineOptions engine) {
		return cache.get(modelDir, engine);
	}

	/** Closes the open model, if any; the next request loads it again. */
	public void release() {
		cache.close();
	}

	@Override
	public void dispose() {
		release();
	}
}
