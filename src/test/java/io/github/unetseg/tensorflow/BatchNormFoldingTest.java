package io.github.unetseg.tensorflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TiledInference;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * The inference graph folds batch normalisation into the convolutions. Known answer: the same
 * variables in the graph brain-mri-3d was first exported with (batch normalisation as separate
 * subtract/multiply/add ops; {@code src/test/resources/bn-unfolded-3d/saved_model.pb}) give the same
 * probabilities as the shipped, folded graph.
 */
class BatchNormFoldingTest {

	@TempDir
	Path dir;

	@Test
	void foldedAndUnfoldedBatchNormGiveTheSameProbabilities() throws Exception {
		Path shipped = Path.of("models/brain-mri-3d"), unfolded = dir.resolve("unfolded");
		Files.createDirectories(unfolded);
		Files.copy(Path.of("src/test/resources/bn-unfolded-3d/saved_model.pb"), unfolded.resolve("saved_model.pb"));
		Files.copy(shipped.resolve("model.json"), unfolded.resolve("model.json"));
		copyTree(shipped.resolve("variables"), unfolded.resolve("variables"));
		@SuppressWarnings({ "unchecked", "rawtypes" })
		Volume<FloatType> ch2 = (Volume) ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
		Volume<FloatType> block = new Volume<>(Views.zeroMin(Views.interval(ch2.image(), new long[] { 60, 70, 50, 0 },
			new long[] { 123, 133, 113, 0 })), ch2.calibration());
		float[][] p = new float[2][];
		int i = 0;
		for (Path m : new Path[] { shipped, unfolded }) {
			try (TensorFlowModel model = TensorFlowModel.load(ModelBundle.read(m), new EngineOptions(Device.CPU, 2))) {
				double[][] norm = model.spec().normalization().affine(block);
				TilePlan plan = TilePlan.whole(block.spatialSize(), model.spec().halo(), model.spec().alignment(), TilePlan.Border.SAME);
				p[i++] = Images.toFloats(TiledInference.run(block, norm[0], norm[1], model, plan, 1, 0.5, ProgressListener.NONE).result()
					.probabilities().image());
			}
		}
		double max = 0, spread = 0;
		for (int k = 0; k < p[0].length; k++) {
			max = Math.max(max, Math.abs(p[0][k] - p[1][k]));
			spread = Math.max(spread, Math.abs(p[0][k] - p[0][0]));
		}
		assertTrue(spread > 0.5, "the block holds brain and background, so the comparison can fail: " + spread);
		assertTrue(max < 1e-5, "folded and unfolded batch norm differ by " + max);
	}

	private static void copyTree(Path from, Path to) throws java.io.IOException {
		try (var s = Files.walk(from)) {
			for (Path f : (Iterable<Path>) s::iterator) Files.copy(f, to.resolve(from.relativize(f).toString()));
		}
	}
}
