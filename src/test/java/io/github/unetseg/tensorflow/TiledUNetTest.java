package io.github.unetseg.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;
import io.github.unetseg.tiling.TilePlan.Border;
import io.github.unetseg.tiling.TiledInference;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Seam tests: tiled predictions of real TensorFlow U-Nets equal whole-image predictions with the same
 * image border (mirror-padded by the halo, or the network's own padding), on odd-sized 2D images and 3D
 * volumes, for several tile sizes.
 */
class TiledUNetTest {

	@TempDir
	static Path dir;

	static TensorFlowModel binary2d;
	static TensorFlowModel multi3d;

	static ModelSpec spec(String name, UNetConfig c, List<String> classes, long tile, long halo) {
		long[] t = new long[c.dimensions()], h = new long[c.dimensions()];
		java.util.Arrays.fill(t, tile);
		java.util.Arrays.fill(h, halo);
		double[] s = new double[c.dimensions()];
		java.util.Arrays.fill(s, 1);
		return ModelSpec.forUNet(name, c, classes, Normalization.percentile(), s, "pixel", t, h,
			new ModelSpec.Provenance("unetseg test", "2026-11-23", "", "random weights"));
	}

	@BeforeAll
	static void createModels() {
		EngineOptions cpu = new EngineOptions(Device.CPU, 2);
		UNetConfig c2 = new UNetConfig(2, 1, 1, 3, 16, false, 0);
		binary2d = TensorFlowModel.load(UNetExporter.writeRandom(dir.resolve("b2d"), spec("b2d", c2, List.of("bg", "fg"), 128, 32), 1),
			cpu);
		UNetConfig c3 = new UNetConfig(3, 1, 3, 2, 4, true, 0);
		multi3d = TensorFlowModel.load(UNetExporter.writeRandom(dir.resolve("m3d"), spec("m3d", c3, List.of("a", "b", "c"), 48, 12), 2),
			cpu);
	}

	@AfterAll
	static void close() {
		binary2d.close();
		multi3d.close();
	}

	record Agreement(double maxProbabilityDifference, double labelAgreement) {}

	static Agreement compare(TiledInference.Output a, TiledInference.Output b) {
		float[] pa = Images.toFloats(a.result().probabilities().image());
		float[] pb = Images.toFloats(b.result().probabilities().image());
		assertEquals(pa.length, pb.length);
		double max = 0;
		for (int i = 0; i < pa.length; i++) max = Math.max(max, Math.abs(pa[i] - pb[i]));
		float[] la = Images.toFloats(cast(a.result().labels()).image());
		float[] lb = Images.toFloats(cast(b.result().labels()).image());
		long same = 0;
		for (int i = 0; i < la.length; i++) if (la[i] == lb[i]) same++;
		return new Agreement(max, (double) same / la.length);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<FloatType> cast(Volume<?> v) {
		return (Volume) v;
	}

	static TiledInference.Output run(TensorFlowModel m, Volume<FloatType> v, TilePlan plan, int batch) {
		double[][] norm = m.spec().normalization().affine(v);
		return TiledInference.run(v, norm[0], norm[1], m, plan, batch, 0.5, ProgressListener.NONE);
	}

	@ParameterizedTest
	@EnumSource(Border.class)
	void tiled2dEqualsWholeImageOnAnOddSize(Border border) {
		Volume<FloatType> v = Images.blobs(11, 517, 389);
		int align = binary2d.spec().alignment();
		long rf = binary2d.spec().architecture().receptiveFieldRadius();
		long[] halo = { rf, rf };
		TiledInference.Output whole = run(binary2d, v, TilePlan.whole(v.spatialSize(), halo, align, border), 1);
		for (long tile : new long[] { 160, 256 }) {
			for (double overlap : new double[] { 0, 0.25 }) {
				TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { tile, tile }, halo, overlap, align, border);
				Agreement a = compare(whole, run(binary2d, v, plan, 4));
				System.out.printf(Locale.ROOT, border + " 2D tile %d halo RF overlap %.2f: %d tiles, overhead %.2f, max |dp| %.2e, labels %.6f%n",
					tile, overlap, plan.tiles().size(), plan.computeOverhead(), a.maxProbabilityDifference(), a.labelAgreement());
				assertTrue(a.maxProbabilityDifference() <= 1e-3, "probabilities differ by " + a.maxProbabilityDifference());
				assertTrue(a.labelAgreement() >= 0.9999, "labels agree on " + a.labelAgreement());
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Border.class)
	void tiled3dMulticlassEqualsWholeVolume(Border border) {
		Volume<FloatType> v = Images.blobs(12, 61, 130, 97);
		int align = multi3d.spec().alignment();
		long rf = multi3d.spec().architecture().receptiveFieldRadius();
		long[] halo = { rf, rf, rf };
		TiledInference.Output whole = run(multi3d, v, TilePlan.whole(v.spatialSize(), halo, align, border), 1);
		for (long tile : new long[] { 80, 96 }) {
			TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { tile, tile, tile }, halo, 0, align, border);
			Agreement a = compare(whole, run(multi3d, v, plan, 2));
			System.out.printf(Locale.ROOT, border + " 3D tile %d halo RF: %d tiles, overhead %.2f, max |dp| %.2e, labels %.6f%n", tile,
				plan.tiles().size(), plan.computeOverhead(), a.maxProbabilityDifference(), a.labelAgreement());
			assertTrue(a.maxProbabilityDifference() <= 1e-3, "probabilities differ by " + a.maxProbabilityDifference());
			assertTrue(a.labelAgreement() >= 0.9999, "labels agree on " + a.labelAgreement());
		}
	}

	@ParameterizedTest
	@EnumSource(Border.class)
	void shippedTrainedModelsTileWithoutSeams(Border border) {
		for (String[] c : new String[][] { { "models/brain-mri-2d", "test-images/mri-t1-axial-z90.tif", "160" },
			{ "models/brain-mri-3d", "test-images/ch2.nii.gz", "96" } })
		{
			try (TensorFlowModel m = TensorFlowModel.load(ModelBundle.read(Path.of(c[0])), new EngineOptions(Device.CPU, 2))) {
				Volume<FloatType> v = cast(io.github.unetseg.io.ImageFiles.read(Path.of(c[1])));
				if (v.spatialDims() == 3) // an odd-sized block of the volume: 61 x 130 x 97
					v = new Volume<>(net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.interval(v.image(), new long[] { 60, 40, 40, 0 },
						new long[] { 120, 169, 136, 0 })), v.calibration());
				int n = v.spatialDims();
				long[] halo = m.spec().halo(), tile = new long[n];
				java.util.Arrays.fill(tile, Long.parseLong(c[2]));
				TiledInference.Output whole = run(m, v, TilePlan.whole(v.spatialSize(), halo, m.spec().alignment(), border), 1);
				TilePlan plan = TilePlan.create(v.spatialSize(), tile, halo, 0, m.spec().alignment(), border);
				Agreement a = compare(whole, run(m, v, plan, 2));
				System.out.printf(Locale.ROOT, border + " %s tile %s halo %s: %d tiles, overhead %.2f, max |dp| %.2e, labels %.6f%n", c[0],
					java.util.Arrays.toString(tile), java.util.Arrays.toString(halo), plan.tiles().size(), plan.computeOverhead(),
					a.maxProbabilityDifference(), a.labelAgreement());
				assertTrue(plan.tiles().size() > 1);
				assertTrue(a.maxProbabilityDifference() <= 1e-3, c[0] + ": probabilities differ by " + a.maxProbabilityDifference());
				assertTrue(a.labelAgreement() >= 0.9999, c[0] + ": labels agree on " + a.labelAgreement());
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Border.class)
	void withoutHaloTheSeamsAreVisibleAndAHaloOfTheReceptiveFieldRemovesThem(Border border) {
		Volume<FloatType> v = Images.blobs(13, 300, 260);
		int align = binary2d.spec().alignment();
		long rf = binary2d.spec().architecture().receptiveFieldRadius();
		double[] errors = new double[2];
		long[] halos = { 0, rf };
		for (int i = 0; i < 2; i++) {
			long[] halo = { halos[i], halos[i] };
			TiledInference.Output whole = run(binary2d, v, TilePlan.whole(v.spatialSize(), halo, align, border), 1);
			TilePlan plan = TilePlan.create(v.spatialSize(), new long[] { 256, 256 }, halo, 0, align, border);
			errors[i] = compare(whole, run(binary2d, v, plan, 4)).maxProbabilityDifference();
		}
		assertTrue(errors[0] > 1e-2, "a test that cannot see seams proves nothing: " + errors[0]);
		assertTrue(errors[1] < 1e-5, "halo = receptive field must be exact up to rounding: " + errors[1]);
	}
}
