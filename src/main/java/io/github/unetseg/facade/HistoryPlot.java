package io.github.unetseg.facade;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import ij.gui.Plot;
import ij.io.FileSaver;
import io.github.unetseg.AtomicFiles;

/** Draws the training history (loss and validation Dice per epoch) with ImageJ's {@link Plot} as PNG. */
final class HistoryPlot {

	private HistoryPlot() {}

	static void write(List<EpochRecord> history, Path png) {
		int n = history.size();
		double[] epochs = new double[n], loss = new double[n], dice = new double[n];
		for (int i = 0; i < n; i++) {
			epochs[i] = history.get(i).epoch();
			loss[i] = history.get(i).loss();
			dice[i] = history.get(i).meanDice();
		}
		Plot plot = new Plot("Training history", "epoch", "loss (black), mean validation Dice (blue)");
		plot.setSize(600, 360);
		double maxLoss = 1;
		for (double l : loss) maxLoss = Math.max(maxLoss, l);
		plot.setLimits(0, Math.max(1, n) + 0.5, 0, maxLoss * 1.05);
		plot.setColor(java.awt.Color.BLACK);
		plot.add("line", epochs, loss);
		plot.setColor(java.awt.Color.BLUE);
		plot.add("connected circle", epochs, dice);
		plot.setColor(java.awt.Color.BLACK);
		plot.addLegend("training loss\nmean validation Dice");
		AtomicFiles.write(png, tmp -> {
			if (!new FileSaver(plot.getImagePlus()).saveAsPng(tmp.toString())) throw new IOException("ImageJ could not write the plot");
		});
	}
}
