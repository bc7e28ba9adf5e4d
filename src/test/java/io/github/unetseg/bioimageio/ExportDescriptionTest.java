package io.github.unetseg.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.model.ModelSpec;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Every unetseg normalisation, exported as bioimage.io preprocessing and applied as bioimageio.core does
 * ({@link Processing}, checked against numpy), gives unetseg's own network input; and the axes carry the
 * spacing, sizes and halo.
 */
class ExportDescriptionTest {

	static final int NX = 24, NY = 20, NZ = 16, C = 2;

	@Test
	void eachNormalisationMapsToStepsThatReproduceIt() {
		Random r = new Random(3);
		float[] xyzc = new float[NX * NY * NZ * C];
		for (int i = 0; i < xyzc.length; i++) xyzc[i] = (float) (r.nextGaussian() * 300 + (i < xyzc.length / 2 ? 40 : -900));
		ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(xyzc, NX, NY, NZ, C);
		Volume<FloatType> volume = new Volume<>(img, Calibration.uncalibrated(3));
		// the tensor [1, z, y, x, c] the package receives
		float[] tensor = new float[xyzc.length];
		int voxels = NX * NY * NZ;
		for (int v = 0; v < voxels; v++) for (int c = 0; c < C; c++) tensor[v * C + c] = xyzc[c * voxels + v];
		long[] shape = { 1, NZ, NY, NX, C };
		List<String> axes = List.of("b", "z", "y", "x", "c");
		for (Normalization n : List.of(Normalization.percentile(), new Normalization(Normalization.Method.ZSCORE, 0, 0, 0, 1),
			new Normalization(Normalization.Method.FIXED, -100, 400, 0, 1), new Normalization(Normalization.Method.WINDOW, -160, 240, 0, 1),
			Normalization.ct(-500, 300, -20, 250), new Normalization(Normalization.Method.NONE, 0, 0, 0, 1)))
		{
			ModelSpec spec = spec(n);
			List<ModelDescription.Step> steps = new ArrayList<>();
			for (Map<String, Object> s : ExportDescription.preprocessing(spec))
				steps.add(new ModelDescription.Step((String) s.get("id"), cast(s.get("kwargs"))));
			float[] theirs = Processing.apply(steps, tensor.clone(), shape, axes);
			double[][] affine = n.affine(volume), clip = n.clipBounds(C);
			double max = 0;
			for (int i = 0; i < tensor.length; i++) {
				int c = i % C;
				double ours = Math.min(clip[1][c], Math.max(clip[0][c], tensor[i] * affine[0][c] + affine[1][c]));
				max = Math.max(max, Math.abs(ours - theirs[i]));
			}
			assertTrue(max < 1e-4, n + ": largest difference " + max);
		}
	}

	@Test
	void axesCarrySpacingSizesAndHalo() {
		ModelSpec spec = spec(Normalization.percentile());
		ModelDescription.FileRef f = new ModelDescription.FileRef("a.npy", "0".repeat(64));
		Map<String, Object> d = ExportDescription.of(spec, Map.of("name", spec.name()), new ExportDescription.Contents(List.of("A"), "MIT",
			List.of(), "README.md", "cover.png", f, f, f, "2.18.0", List.of(), "2026-11-30T00:00:00Z"));
		Map<String, Object> in = cast(((List<?>) d.get("inputs")).get(0)), out = cast(((List<?>) d.get("outputs")).get(0));
		List<?> inAxes = (List<?>) in.get("axes"), outAxes = (List<?>) out.get("axes");
		assertEquals(List.of("batch", "space", "space", "space", "channel"), inAxes.stream().map(a -> cast(a).get("type")).toList());
		Map<String, Object> z = cast(inAxes.get(1)), x = cast(inAxes.get(3));
		assertEquals("z", z.get("id"));
		assertEquals(2.5, z.get("scale"));
		assertEquals("millimeter", z.get("unit"));
		assertEquals(Map.of("min", 32, "step", 16), z.get("size"), "halo 8 along z: 16 is not enough beyond 2 x 8");
		assertEquals(Map.of("min", 64, "step", 16), x.get("size"), "halo 20 along x: 48 leaves 8 after cropping");
		Map<String, Object> ox = cast(outAxes.get(3));
		assertEquals(20L, ((Number) ox.get("halo")).longValue());
		assertEquals(Map.of("tensor_id", "input", "axis_id", "x"), ox.get("size"));
		assertEquals(List.of("background", "liver", "c_2nd"), cast(outAxes.get(4)).get("channel_names"));
		assertEquals(16, ExportDescription.minimumSize(16, 0));
		assertEquals(112, ExportDescription.minimumSize(8, 51));
	}

	static ModelSpec spec(Normalization n) {
		return new ModelSpec("test-model-3d", "a test", 3, C, List.of("background", "liver", "2nd"), "softmax", false, "serving_default", "input",
			"output", n, new double[] { 0.8, 0.8, 2.5 }, "mm", new long[] { 96, 96, 64 }, new long[] { 20, 20, 8 }, 16, null, null, null);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> cast(Object o) {
		return (Map<String, Object>) o;
	}
}
