package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * A short CT training run through the options every front end uses: nnU-Net's CT normalisation from the
 * training set, partial labels from a class list, resampling to the median spacing, the anatomical
 * orientation recorded, no mirroring.
 */
class CtTrainingTest {

	@TempDir
	static Path dir;

	/** A 24^3 "CT" in OpenKBP's axes (PLI): air, a body at 0 HU, organ 1 at 40 HU and organ 2 at 300 HU. */
	static void write(Path root, String name, double slice, boolean drawOrgan2, long seed) {
		ArrayImg<ShortType, ?> ct = ArrayImgs.shorts(24, 24, 24, 1);
		ArrayImg<UnsignedByteType, ?> lab = ArrayImgs.unsignedBytes(24, 24, 24, 1);
		Random r = new Random(seed);
		Cursor<ShortType> c = ct.localizingCursor();
		Cursor<UnsignedByteType> l = lab.cursor();
		while (c.hasNext()) {
			c.fwd();
			l.fwd();
			double x = c.getDoublePosition(0), y = c.getDoublePosition(1), z = c.getDoublePosition(2);
			boolean body = Math.hypot(x - 12, y - 12) < 10;
			boolean o1 = Math.pow(x - 9, 2) + Math.pow(y - 8, 2) + Math.pow(z - 12, 2) < 12;
			boolean o2 = Math.pow(x - 15, 2) + Math.pow(y - 16, 2) + Math.pow(z - 12, 2) < 12;
			c.get().set((short) Math.round((o1 ? 40 : o2 ? 300 : body ? 0 : -1000) + r.nextGaussian() * 5));
			l.get().set(o1 ? 1 : o2 && drawOrgan2 ? 2 : 0);
		}
		double[] s = { 4, 4, slice };
		Calibration cal = new Calibration(s, "mm", new double[] { 0, -s[1], 0, 0, -s[0], 0, 0, 0, 0, 0, -s[2], 0 });
		ImageFiles.write(new Volume<>(ct, cal), root.resolve("images/" + name + ".nii.gz"), 0);
		ImageFiles.write(new Volume<>(lab, cal), root.resolve("labels/" + name + ".nii.gz"), 3);
	}

	/** Three cases, a with slices of {@code firstSlice} mm, b without organ 2 drawn; classes.csv says so. */
	static Path cases(String name, double firstSlice) throws java.io.IOException {
		Path data = dir.resolve(name);
		write(data, "a", firstSlice, true, 1);
		write(data, "b", 3.0, false, 2);
		write(data, "c", 3.0, true, 3);
		Files.writeString(data.resolve("classes.csv"), "image,classes\na,organ1;organ2\nb,organ1\nc,organ1;organ2\n");
		return data;
	}

	/** A short run of a depth-2, 4-filter 3D net on the cases in {@code data}, as every front end would ask for it. */
	static TrainingRequest request(Path data, Path out, Path classes, int steps, String loss, String... more) {
		Map<String, String> o = new java.util.HashMap<>(Map.ofEntries(Map.entry("images", data.resolve("images").toString()),
			Map.entry("labels", data.resolve("labels").toString()), Map.entry("output", out.toString()), Map.entry("dims", "3"),
			Map.entry("classes", "background,organ1,organ2"), Map.entry("depth", "2"), Map.entry("filters", "4"),
			Map.entry("normalization", "ct"), Map.entry("label-classes", classes.toString()), Map.entry("mirror", "false"),
			Map.entry("patch", "16"), Map.entry("batch", "2"), Map.entry("epochs", "2"), Map.entry("steps", Integer.toString(steps)),
			Map.entry("validation", "0.3"), Map.entry("threads", "2"), Map.entry("loss", loss)));
		for (int i = 0; i < more.length; i += 2) o.put(more[i], more[i + 1]);
		return Options.training(o);
	}

	@Test
	void ctNormalisationPartialLabelsSpacingAndOrientationReachTheModel() throws Exception {
		Path data = cases("ct", 2.0);
		Path out = dir.resolve("model");
		TrainingRequest r = request(data, out, data.resolve("classes.csv"), 2, "dice_ce");
		assertTrue(r.normalization().needsStatistics());
		assertEquals(false, r.mirror());
		TrainingOutcome o = new LocalTrainer().train(r, ProgressListener.NONE, null);
		assertTrue(Double.isFinite(o.history().get(1).loss()), "marginal loss is finite: " + o.history());
		ModelSpec spec = o.model().spec();
		assertEquals("PLI", spec.orientation());
		assertEquals(false, spec.mirrored(), "recorded: trained without mirroring, so --tta refuses it");
		// median of 2.0, 3.0, 3.0 mm slices
		assertArrayEquals(new double[] { 4, 4, 3 }, spec.spacing(), 1e-6);
		Normalization n = spec.normalization();
		assertEquals(Normalization.Method.CT, n.method());
		// foreground is organ 1 (about 40 HU) and organ 2 (about 300 HU) where drawn, plus values interpolated at their surfaces
		assertTrue(n.mean() > 40 && n.mean() < 300, "mean " + n.mean());
		assertTrue(n.low() > -1000 && n.low() < 40 && n.high() > 290 && n.high() < 320, n.toString());
		assertTrue(n.std() > 50, n.toString());
		// the post-processing chosen on the validation case after training (nnU-Net's determine_postprocessing), and said so
		assertTrue(spec.postprocessing() != null, "post-processing declared");
		assertTrue(spec.provenance().notes().matches("(?s).*post-processing chosen on 1 validation image\\(s\\): " +
			java.util.regex.Pattern.quote(spec.postprocessing().toString()) + " \\(mean Dice .*"), spec.provenance().notes());
		// written and read back in HU
		String json = Files.readString(out.resolve("model.json"));
		assertTrue(json.contains("\"orientation\": \"PLI\"") && json.contains("\"method\": \"CT\"") && json.contains("\"std\""), json);
	}

	/**
	 * {@code --mirror left-right}: training flips the patient's left-right axis (y in PLI) and swaps the
	 * paired classes, model.json records the pairs, and {@code --tta} then mirrors that axis alone.
	 */
	@Test
	void leftRightMirroringIsRecordedAndUsedAtTestTime() throws Exception {
		Path data = cases("ct-lr", 3.0);
		Map<String, String> options = new java.util.HashMap<>(Map.ofEntries(Map.entry("images", data.resolve("images").toString()),
			Map.entry("labels", data.resolve("labels").toString()), Map.entry("output", dir.resolve("model-lr").toString()),
			Map.entry("dims", "3"), Map.entry("classes", "background,organ1,organ2"), Map.entry("depth", "2"), Map.entry("filters", "4"),
			Map.entry("normalization", "ct"), Map.entry("label-classes", data.resolve("classes.csv").toString()),
			Map.entry("mirror", "left-right"), Map.entry("paired-classes", "organ1:organ2"), Map.entry("patch", "16"),
			Map.entry("batch", "2"), Map.entry("epochs", "1"), Map.entry("steps", "2"), Map.entry("validation", "0.3"),
			Map.entry("threads", "2")));
		TrainingRequest r = Options.training(options);
		assertEquals(false, r.mirror());
		TrainingOutcome o = new LocalTrainer().train(r, ProgressListener.NONE, null);
		ModelSpec spec = o.model().spec();
		assertEquals(List.of(List.of("organ1", "organ2")), spec.leftRight().pairs());
		assertEquals(false, spec.mirrored());
		assertTrue(Files.readString(dir.resolve("model-lr/model.json")).contains("\"mirroredLeftRight\": [\n    \"organ1:organ2\"\n  ]"));
		try (LocalSegmenter s = new LocalSegmenter(dir.resolve("model-lr"), io.github.unetseg.tensorflow.EngineOptions.defaults())) {
			Volume<?> ct = ImageFiles.read(data.resolve("images/a.nii.gz"));
			SegmentationSettings plain = SegmentationSettings.defaults().withProbabilities(true);
			float[] direct = io.github.unetseg.image.PixelArrays.floats(segment(s, ct, plain).probabilities().image());
			float[] tta = io.github.unetseg.image.PixelArrays.floats(segment(s, ct, plain.withTta(true)).probabilities().image());
			double differ = 0;
			for (int i = 0; i < direct.length; i++) differ = Math.max(differ, Math.abs(direct[i] - tta[i]));
			assertTrue(differ > 1e-4, "the mirrored run changed the probabilities: " + differ);
		}
		// refused before any work: pairs without left-right mirroring, and a pair naming an unknown class
		options.put("mirror", "false");
		assertTrue(org.junit.jupiter.api.Assertions.assertThrows(SegmentationException.class, () -> Options.training(options)).getMessage()
			.contains("paired-classes is for --mirror left-right"));
		options.put("mirror", "left-right");
		options.put("paired-classes", "organ1:organ9");
		options.put("output", dir.resolve("model-lr2").toString());
		String m = org.junit.jupiter.api.Assertions.assertThrows(SegmentationException.class, () -> new LocalTrainer().train(Options.training(
			options), ProgressListener.NONE, null)).getMessage();
		assertTrue(m.contains("'organ9'") && m.contains("[organ1, organ2]") && m.contains("Fix"), m);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static SegmentationResult segment(LocalSegmenter s, Volume<?> v, SegmentationSettings settings) {
		return s.segment((Volume) v, settings, ProgressListener.NONE, "ct");
	}

	@Test
	void boundaryAwareAndFocalLossesTrainWithPartialLabels() throws Exception {
		Path data = cases("ct-boundary", 3.0);
		Path classes = data.resolve("classes.csv");
		for (String loss : new String[] { "dice_ce_boundary", "dice_ce_hd", "lovasz", "dice_focal" }) {
			Path out = dir.resolve("model-" + loss);
			// the boundary loss with Kervadec's weight schedule, the Hausdorff loss with the auto weight
			TrainingRequest r = loss.equals("dice_ce_boundary") ? request(data, out, classes, 3, loss, "boundary-weight", "schedule")
				: request(data, out, classes, 3, loss);
			TrainingOutcome o = new LocalTrainer().train(r, ProgressListener.NONE, null);
			assertEquals(2, o.history().size(), loss);
			for (var e : o.history()) assertTrue(Double.isFinite(e.loss()), loss + ": " + o.history());
			assertTrue(o.model().spec().provenance().notes().contains("loss " + loss + (loss.equals("dice_ce_boundary") ? " (boundary weight " +
				"schedule)" : "")), o.model().spec().provenance().notes());
		}
		// a binary model has a sigmoid output: refused before any work, with the fix
		SegmentationException e = org.junit.jupiter.api.Assertions.assertThrows(SegmentationException.class, () -> new LocalTrainer().train(
			Options.training(Map.of("images", data.resolve("images").toString(), "labels", data.resolve("labels").toString(), "output",
				dir.resolve("binary").toString(), "dims", "3", "classes", "background,organ1", "loss", "dice_ce_hd", "patch", "16")),
			ProgressListener.NONE, null));
		assertTrue(e.getMessage().contains("3 or more classes"), e.getMessage());
	}
}
