package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.ClassMetrics;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;

class EvaluatorTest {

	@TempDir
	Path dir;

	static Volume<UnsignedByteType> square(int x0, int size, Calibration cal) {
		ArrayImg<UnsignedByteType, ?> img = ArrayImgs.unsignedBytes(40, 30, 1);
		var ra = img.randomAccess();
		for (int y = 5; y < 5 + size; y++) for (int x = x0; x < x0 + size; x++) {
			ra.setPosition(new long[] { x, y, 0 });
			ra.get().set(1);
		}
		return new Volume<>(img, cal);
	}

	@Test
	void realBrainMaskAgainstItselfAndAShiftedCopy() {
		Volume<?> mask = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90-brainmask.tif"));
		Evaluator.PairResult same = Evaluator.evaluate(mask, mask, null, null, 1, "a", "b");
		ClassMetrics m = same.metrics().get(0);
		assertEquals(1.0, m.dice());
		assertEquals(0.0, m.hausdorff());
		assertEquals("mm", same.unit());
	}

	@Test
	void foldersAreMatchedByNameAndBadPairsSkippedWithBothFilesNamed() throws Exception {
		Calibration mm = Calibration.of("mm", 0.5, 2.0);
		Path pred = dir.resolve("pred"), truth = dir.resolve("truth");
		ImageFiles.write(square(10, 8, mm), pred.resolve("a_labels.tif"), 2);
		ImageFiles.write(square(12, 8, mm), truth.resolve("a.tif"), 2);
		ImageFiles.write(square(10, 8, mm), pred.resolve("b.tif"), 2);
		ImageFiles.write(square(10, 8, Calibration.of("mm", 1, 1)), truth.resolve("b.tif"), 2);
		ImageFiles.write(square(10, 8, mm), truth.resolve("c.tif"), 2);
		ArrayImg<FloatType, ?> prob = ArrayImgs.floats(40, 30, 1);
		prob.firstElement().set(0.25f);
		ImageFiles.write(new Volume<>(prob, mm), pred.resolve("d.tif"), 0);
		ImageFiles.write(square(10, 8, mm), truth.resolve("d.tif"), 2);

		Evaluator.Report r = Evaluator.evaluateFiles(pred, truth, null, null, 1.0);
		assertEquals(1, r.results().size());
		ClassMetrics a = r.results().get(0).metrics().get(0);
		// 8 x 8 squares shifted by 2 pixels of 0.5 mm: overlap 6 x 8
		assertEquals(2 * 48.0 / 128, a.dice(), 1e-12);
		assertEquals(1.0, a.hausdorff(), 1e-9);
		assertEquals(64 * 0.5 * 2.0, a.trueVolume(), 1e-9);
		assertEquals(3, r.skipped().size());
		String reasons = r.skipped().toString();
		assertTrue(reasons.contains("different voxel spacings") && reasons.contains("b.tif"), reasons);
		assertTrue(reasons.contains("no prediction named c_labels"), reasons);
		assertTrue(reasons.contains("0.25") && reasons.contains("not a class index"), reasons);

		Path csv = dir.resolve("report.csv");
		EvaluationReports.writeCsv(r, csv);
		List<String> lines = Files.readAllLines(csv);
		assertEquals(1 + 1 + 3, lines.size());
		assertTrue(lines.get(1).startsWith("a,") && lines.get(1).contains(",1,ok,mm,0.750000"), lines.get(1));
		List<String> summary = Files.readAllLines(dir.resolve("report_summary.csv"));
		assertTrue(summary.contains("1,1,dice,1,0.750000,0.750000,0.00000,0,0.750000"), summary.toString());
		Path json = dir.resolve("report.json");
		EvaluationReports.writeJson(r, json);
		JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
		assertEquals(3, o.getAsJsonArray("skipped").size());
		assertEquals(0.75, o.getAsJsonArray("images").get(0).getAsJsonObject().getAsJsonArray("classes").get(0).getAsJsonObject()
			.get("dice").getAsDouble(), 1e-12);
	}

	@Test
	void organsAreNamedInMillilitresAndNotScoredWhereTheyWereNotContoured() throws Exception {
		Calibration mm = Calibration.of("mm", 2, 2);
		Path pred = dir.resolve("organs-pred"), truth = dir.resolve("organs-truth");
		// class 1 an 8 x 8 square, class 2 another; in b the truth has no class 2 because nobody drew it
		for (String n : List.of("a", "b")) {
			ArrayImg<UnsignedByteType, ?> p = ArrayImgs.unsignedBytes(40, 30, 1), t = ArrayImgs.unsignedBytes(40, 30, 1);
			var rp = p.randomAccess();
			var rt = t.randomAccess();
			for (int y = 0; y < 8; y++)
				for (int x = 0; x < 8; x++) {
					rp.setPositionAndGet(x + 2, y + 2, 0).set(1);
					rt.setPositionAndGet(x + 2, y + 2, 0).set(1);
					rp.setPositionAndGet(x + 20, y + 10, 0).set(2);
					if (n.equals("a")) rt.setPositionAndGet(x + 20 + (y < 4 ? 0 : 1), y + 10, 0).set(2);
				}
			ImageFiles.write(new Volume<>(p, mm), pred.resolve(n + ".tif"), 3);
			ImageFiles.write(new Volume<>(t, mm), truth.resolve(n + ".tif"), 3);
		}
		Path classes = Files.writeString(dir.resolve("organs.csv"), "image,classes\na,Parotid;Larynx\nb,Parotid\n");
		Evaluator.Report r = Evaluator.evaluateFiles(pred, truth, null, null, 1, List.of("background", "Parotid", "Larynx"),
			io.github.unetseg.data.LabelClasses.read(classes));
		assertEquals(2, r.results().get(0).metrics().size());
		assertEquals(1, r.results().get(1).metrics().size(), "Larynx is not scored in b");
		assertEquals("Larynx", r.className(2));
		Path csv = dir.resolve("organs.csv.out.csv");
		EvaluationReports.writeCsv(r, csv);
		List<String> lines = Files.readAllLines(csv);
		assertEquals(1 + 3, lines.size());
		assertTrue(lines.get(0).endsWith(",volume_prediction_ml,volume_truth_ml"), lines.get(0));
		// 64 pixels of 2 x 2 mm "volume" 256 mm^2 (2D: area) -> 0.256 in the mL column's factor
		assertTrue(lines.get(1).contains(",Parotid,ok,mm,") && lines.get(1).endsWith(",0.256000,0.256000"), lines.get(1));
		double[] larynxDice = EvaluationReports.summary(r).stream().filter(row -> row[0] == 2 && row[1] == 0).findFirst().orElseThrow();
		assertEquals(1, larynxDice[2], "one image scored");
		// 4 of 8 rows shifted by one pixel: 60 of 64 pixels overlap
		assertEquals(2 * 60.0 / 128, larynxDice[7], 1e-12, "worst Dice");
		assertThrows(io.github.unetseg.SegmentationException.class, () -> Evaluator.evaluateFiles(pred, truth, null, null, 1, List.of(),
			io.github.unetseg.data.LabelClasses.read(classes)));
	}

	@Test
	void summaryKeepsNonFiniteValuesVisible() {
		Calibration c = Calibration.uncalibrated(2);
		Volume<UnsignedByteType> emptyImg = new Volume<>(ArrayImgs.unsignedBytes(40, 30, 1), c);
		Evaluator.PairResult one = Evaluator.evaluate(square(10, 8, c), square(10, 8, c), new int[] { 1 }, null, 1, "p", "t");
		Evaluator.PairResult two = Evaluator.evaluate(emptyImg, square(10, 8, c), new int[] { 1 }, null, 1, "p2", "t2");
		Evaluator.Report r = new Evaluator.Report(List.of(one, two), List.of(), 1);
		double[] hd = EvaluationReports.summary(r).stream().filter(row -> Evaluator.METRICS.get((int) row[1]).equals("hausdorff"))
			.findFirst().orElseThrow();
		assertEquals(1, hd[2], "one finite value");
		assertEquals(1, hd[6], "one infinite value reported");
		double[] dice = EvaluationReports.summary(r).stream().filter(row -> (int) row[1] == 0).findFirst().orElseThrow();
		assertEquals(0.5, dice[3], 1e-12, "mean of 1 and 0");
	}

	@Test
	void differentSizesAreRejectedNamingBothImages() {
		Calibration c = Calibration.uncalibrated(2);
		SegmentationException e = assertThrows(SegmentationException.class, () -> Evaluator.evaluate(
			new Volume<>(ArrayImgs.unsignedBytes(10, 10, 1), c), new Volume<>(ArrayImgs.unsignedBytes(10, 11, 1), c), null, null, 1,
			"pred.tif", "truth.tif"));
		assertTrue(e.getMessage().contains("pred.tif and truth.tif differ in size"), e.getMessage());
	}
}
