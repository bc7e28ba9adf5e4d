package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;

/**
 * A training's per-epoch history in its model folder: {@code history.csv} (columns {@code epoch, loss,
 * learning_rate, mean_validation_dice, validation_dice_class1.., seconds, patches_per_second}, and
 * {@code validation_ap50} last for an instance model) and the
 * plot {@code history.png}. Written after every epoch, atomically; read back by callers that ran the
 * training in another process.
 */
public final class TrainingHistory {

	private TrainingHistory() {}

	/**
	 * Writes {@code history.csv} and {@code history.png} into a model folder.
	 *
	 * @param modelDir the model folder
	 * @param history the epochs so far, at least one
	 * @throws SegmentationException if a file cannot be written
	 */
	public static void write(Path modelDir, List<EpochRecord> history) {
		StringBuilder csv = new StringBuilder("epoch,loss,learning_rate,mean_validation_dice");
		int k = history.get(0).validationDice().length;
		for (int c = 1; c <= k; c++) csv.append(",validation_dice_class").append(c);
		boolean ap = !Double.isNaN(history.get(0).validationAp());
		csv.append(",seconds,patches_per_second").append(ap ? ",validation_ap50\n" : "\n");
		for (EpochRecord e : history) {
			csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6g,%.6f", e.epoch(), e.loss(), e.learningRate(), e.meanDice()));
			for (double d : e.validationDice()) csv.append(String.format(Locale.ROOT, ",%.6f", d));
			csv.append(String.format(Locale.ROOT, ",%.2f,%.2f", e.seconds(), e.patchesPerSecond()));
			csv.append(ap ? String.format(Locale.ROOT, ",%.6f%n", e.validationAp()) : "\n");
		}
		AtomicFiles.writeString(modelDir.resolve("history.csv"), csv);
		HistoryPlot.write(history, modelDir.resolve("history.png"));
	}

	/**
	 * Reads the {@code history.csv} a training wrote into its model folder.
	 *
	 * @param modelDir the trained model folder
	 * @return one record per epoch, in file order
	 * @throws SegmentationException naming the file if it is missing or not a training history
	 */
	public static List<EpochRecord> read(Path modelDir) {
		Path file = modelDir.resolve("history.csv");
		try {
			List<String> lines = Files.readAllLines(file);
			List<String> header = List.of(lines.get(0).split(","));
			int classes = (int) header.stream().filter(h -> h.startsWith("validation_dice_class")).count();
			int dice = header.indexOf("mean_validation_dice");
			List<EpochRecord> records = new ArrayList<>();
			for (String line : lines.subList(1, lines.size())) {
				String[] v = line.split(",");
				double[] perClass = new double[classes];
				for (int c = 0; c < classes; c++) perClass[c] = Double.parseDouble(v[dice + 1 + c]);
				records.add(new EpochRecord(Integer.parseInt(v[header.indexOf("epoch")]), Double.parseDouble(v[header.indexOf("loss")]),
					Double.parseDouble(v[header.indexOf("learning_rate")]), perClass, Double.parseDouble(v[dice]),
					Double.parseDouble(v[header.indexOf("seconds")]), Double.parseDouble(v[header.indexOf("patches_per_second")]),
					header.contains("validation_ap50") ? Double.parseDouble(v[header.indexOf("validation_ap50")]) : Double.NaN));
			}
			return records;
		}
		catch (IOException | RuntimeException e) {
			throw new SegmentationException("Cannot read the training history " + file + " (" + e.getMessage() + "). Fix: check that the " +
				"training finished at least one epoch.", e);
		}
	}

	/**
	 * @param history epochs
	 * @return the first epoch with the highest {@link EpochRecord#score()} (as training picks the best
	 *     model), or {@code null} for none
	 */
	public static EpochRecord best(List<EpochRecord> history) {
		EpochRecord best = null;
		for (EpochRecord e : history) if (best == null || e.score() > best.score()) best = e;
		return best;
	}
}
