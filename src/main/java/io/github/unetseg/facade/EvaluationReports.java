package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.metrics.ClassMetrics;

/**
 * The reports of an {@link Evaluator.Report}: the summary over images per class (mean, median, std,
 * worst case, non-finite count), the per-image CSV with its {@code _summary.csv}, and JSON; all files
 * written atomically.
 */
public final class EvaluationReports {

	private EvaluationReports() {}

	/**
	 * Summary over images per class and metric: count of finite values, mean, median and (population)
	 * standard deviation of the finite values, and the count of NaN/infinite values, which are reported
	 * rather than silently averaged.
	 *
	 * @param report the report
	 * @return rows {@code [class, metric index, n, mean, median, std, nonFinite, worst]} by class then
	 *     metric; worst is the lowest value of an overlap metric (Dice, IoU, precision, recall, surface
	 *     Dice), the highest of a distance (Hausdorff, HD95, ASSD) and of the absolute volume difference,
	 *     NaN for the volumes
	 */
	public static List<double[]> summary(Evaluator.Report report) {
		Map<Integer, List<double[]>> byClass = new TreeMap<>();
		for (Evaluator.PairResult r : report.results())
			for (ClassMetrics m : r.metrics()) byClass.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(Evaluator.values(m));
		List<double[]> rows = new ArrayList<>();
		for (Map.Entry<Integer, List<double[]>> e : byClass.entrySet()) {
			for (int k = 0; k < Evaluator.METRICS.size(); k++) {
				final int idx = k;
				double[] v = e.getValue().stream().mapToDouble(a -> a[idx]).filter(Double::isFinite).sorted().toArray();
				long nonFinite = e.getValue().size() - v.length;
				double mean = Arrays.stream(v).average().orElse(Double.NaN);
				double median = v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
				double var = 0;
				for (double x : v) var += (x - mean) * (x - mean);
				double std = v.length == 0 ? Double.NaN : Math.sqrt(var / v.length);
				String metric = Evaluator.METRICS.get(k);
				double worst = v.length == 0 || metric.startsWith("volume_") && !metric.equals("volume_difference") ? Double.NaN
					: metric.equals("volume_difference") ? Arrays.stream(v).map(Math::abs).max().getAsDouble()
					: metric.equals("hausdorff") || metric.equals("hd95") || metric.equals("assd") ? v[v.length - 1] : v[0];
				rows.add(new double[] { e.getKey(), k, v.length, mean, median, std, nonFinite, worst });
			}
		}
		return rows;
	}

	private static String num(double v) {
		return Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "Infinity" : "-Infinity") : String.format(Locale.ROOT, "%.6g", v);
	}

	/**
	 * Writes the per-image table as CSV ({@code path}) and the summary beside it
	 * ({@code <name>_summary.csv}), each atomically. Evaluator.Skipped pairs are rows with status {@code skipped}.
	 *
	 * @param report the report
	 * @param path CSV file
	 * @throws io.github.unetseg.SegmentationException if it cannot be written
	 */
	public static void writeCsv(Evaluator.Report report, Path path) {
		StringBuilder b = new StringBuilder("image,prediction,truth,class,class_name,status,unit," + String.join(",", Evaluator.METRICS) +
			",volume_prediction_ml,volume_truth_ml\n");
		for (Evaluator.PairResult r : report.results())
			for (ClassMetrics m : r.metrics()) {
				b.append(csv(r.name())).append(',').append(csv(r.prediction())).append(',').append(csv(r.truth())).append(',')
					.append(m.label()).append(',').append(csv(report.className(m.label()))).append(',').append(m.status()).append(',')
					.append(csv(r.unit()));
				for (double v : Evaluator.values(m)) b.append(',').append(num(v));
				double ml = millilitres(r.unit());
				b.append(',').append(num(m.predictedVolume() * ml)).append(',').append(num(m.trueVolume() * ml)).append('\n');
			}
		for (Evaluator.Skipped s : report.skipped())
			b.append(',').append(csv(String.valueOf(s.prediction()))).append(',').append(csv(String.valueOf(s.truth())))
				.append(",,,skipped: ").append(csv(s.reason())).append(",").append(",".repeat(Evaluator.METRICS.size() + 1)).append('\n');
		StringBuilder sum = new StringBuilder("class,class_name,metric,n,mean,median,std,non_finite,worst\n");
		for (double[] row : summary(report))
			sum.append((int) row[0]).append(',').append(csv(report.className((int) row[0]))).append(',').append(Evaluator.METRICS.get((int) row[1]))
				.append(',').append((long) row[2]).append(',').append(num(row[3])).append(',').append(num(row[4])).append(',')
				.append(num(row[5])).append(',').append((long) row[6]).append(',').append(num(row[7])).append('\n');
		write(path, b.toString());
		String name = path.getFileName().toString();
		int dot = name.lastIndexOf('.');
		write(path.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "_summary.csv"), sum.toString());
	}

	/**
	 * Writes the report (per image, summary, skipped pairs and the conventions) as JSON, atomically.
	 *
	 * @param report the report
	 * @param path JSON file
	 */
	public static void writeJson(Evaluator.Report report, Path path) {
		JsonObject o = new JsonObject();
		o.addProperty("tolerance", report.tolerance());
		o.addProperty("conventions", "HD95: 95th percentile of each directed boundary-distance set, then the maximum (MONAI). " +
			"Both masks empty: all metrics NaN. One mask empty: Dice/IoU/surface Dice 0, distances Infinity.");
		JsonArray images = new JsonArray();
		for (Evaluator.PairResult r : report.results()) {
			JsonObject ir = new JsonObject();
			ir.addProperty("image", r.name());
			ir.addProperty("prediction", r.prediction());
			ir.addProperty("truth", r.truth());
			ir.addProperty("unit", r.unit());
			JsonArray cls = new JsonArray();
			for (ClassMetrics m : r.metrics()) {
				JsonObject c = new JsonObject();
				c.addProperty("class", m.label());
				c.addProperty("class_name", report.className(m.label()));
				c.addProperty("status", m.status());
				double[] v = Evaluator.values(m);
				for (int k = 0; k < v.length; k++) c.addProperty(Evaluator.METRICS.get(k), v[k]);
				cls.add(c);
			}
			ir.add("classes", cls);
			images.add(ir);
		}
		o.add("images", images);
		JsonArray sum = new JsonArray();
		for (double[] row : summary(report)) {
			JsonObject s = new JsonObject();
			s.addProperty("class", (int) row[0]);
			s.addProperty("metric", Evaluator.METRICS.get((int) row[1]));
			s.addProperty("n", (long) row[2]);
			s.addProperty("mean", row[3]);
			s.addProperty("median", row[4]);
			s.addProperty("std", row[5]);
			s.addProperty("non_finite", (long) row[6]);
			s.addProperty("worst", row[7]);
			sum.add(s);
		}
		o.add("summary", sum);
		JsonArray sk = new JsonArray();
		for (Evaluator.Skipped s : report.skipped()) {
			JsonObject j = new JsonObject();
			j.addProperty("prediction", s.prediction());
			j.addProperty("truth", s.truth());
			j.addProperty("reason", s.reason());
			sk.add(j);
		}
		o.add("skipped", sk);
		write(path, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o) + "\n");
	}

	/**
	 * Millilitres per cubic unit of a report's length unit (mm: 0.001), NaN for pixels or unknown units.
	 *
	 * @param unit a length unit
	 * @return the factor
	 */
	public static double millilitres(String unit) {
		return switch (io.github.unetseg.image.Calibration.canonicalUnit(unit)) {
			case "mm" -> 1e-3;
			case "cm" -> 1;
			case "m" -> 1e6;
			case "um" -> 1e-12;
			default -> Double.NaN;
		};
	}

	private static String csv(String s) {
		return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
	}

	private static void write(Path path, String text) {
		AtomicFiles.writeString(path, text);
	}
}
