package io.github.unetseg.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Segments one file several times in one JVM (the first run includes graph set-up and JIT warm-up),
 * printing each run's wall time and plan: the "warm" segmentation time of a model (issue 14's 128³ CT).
 *
 * <pre>java -cp "bench/out/classes:target/classes:target/lib/*" io.github.unetseg.bench.WarmSegment MODEL IMAGE [RUNS]</pre>
 */
public final class WarmSegment {

	private WarmSegment() {}

	/** @param args model folder or package, image file, optional run count (default 4) */
	public static void main(String[] args) {
		var image = ImageFiles.read(Path.of(args[1]));
		int runs = args.length > 2 ? Integer.parseInt(args[2]) : 4;
		try (Segmenter s = Engines.segmenter(Path.of(args[0]), new EngineOptions(Device.CPU, 0))) {
			for (int i = 0; i < runs; i++) {
				long t = System.nanoTime();
				SegmentationResult r = s.segment(image, SegmentationSettings.defaults(), ProgressListener.NONE, args[1]);
				System.out.printf(Locale.ROOT, "run %d: %.2f s (%d tile(s) of %s)%n", i + 1, (System.nanoTime() - t) / 1e9,
					r.plan().tiles().size(), Arrays.toString(r.plan().tileSize()));
			}
		}
	}
}
