package io.github.unetseg.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.TrainingOutcome;
import io.github.unetseg.facade.TrainingRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code unetseg train}: trains or fine-tunes a U-Net from {@code images/} and {@code labels/} folders
 * and writes a model folder with the best model by validation Dice, its history and a checkpoint. On
 * {@code SIGUSR1} or {@code SIGTERM} it writes a checkpoint within the epoch and exits with status
 * {@value StopSignals#EXIT_INTERRUPTED} ({@code scripts/slurm/train.sh} requeues the job; {@code --resume}
 * continues it to the same weights as an uninterrupted run).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
	description = "Train a U-Net on image/label folders (labels = class indices, 0 = background).")
final class TrainCommand implements Callable<Integer> {

	@Spec
	CommandSpec spec;

	// every option (--images, --labels, --output, --dims, ...) comes from Options.TRAIN, see Main

	@Override
	public Integer call() {
		PrintWriter out = spec.commandLine().getOut();
		PrintWriter err = spec.commandLine().getErr();
		TrainingRequest request;
		try {
			request = Options.training(GivenOptions.of(spec.commandLine().getParseResult()));
		}
		catch (IllegalArgumentException | SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 2;
		}
		StopSignals stop = StopSignals.install();
		try {
			TrainingOutcome o = Engines.trainer().train(request, new ConsoleProgress(System.err, "train: ", stop::requested), e -> out.printf(
				Locale.ROOT, "epoch %3d  loss %.4f  lr %.2e  validation Dice %s (mean %.4f)%s  %.1f s  %.1f patches/s%n", e.epoch(),
				e.loss(), e.learningRate(), fmt(e.validationDice()), e.meanDice(), Double.isNaN(e.validationAp()) ? ""
					: String.format(Locale.ROOT, "  AP@0.5 %.4f", e.validationAp()), e.seconds(), e.patchesPerSecond()));
			o.warnings().forEach(w -> err.println("warning: " + w));
			out.printf(Locale.ROOT, "best epoch %d, %s %.4f%s; model written to %s%n", o.bestEpoch(), request.instances()
				? "validation AP@0.5" : "mean validation Dice", o.bestDice(),
				o.stoppedEarly() ? " (stopped early)" : o.cancelled() ? " (cancelled)" : "", o.model().directory());
			out.flush();
			return interrupted(stop, err, request) ? StopSignals.EXIT_INTERRUPTED : 0;
		}
		catch (CancellationException e) {
			if (interrupted(stop, err, request)) return StopSignals.EXIT_INTERRUPTED;
			err.println("error: " + e.getMessage());
			return 1;
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 1;
		}
	}

	/** After a stop signal: says where the checkpoint is and how to continue. */
	private static boolean interrupted(StopSignals stop, PrintWriter err, TrainingRequest request) {
		if (!stop.requested()) return false;
		err.println("stopped by " + stop.signal() + ": checkpoint written in " + request.output().resolve("training") +
			"; the same command with --resume continues (exit status " + StopSignals.EXIT_INTERRUPTED + ")");
		err.flush();
		return true;
	}

	private static String fmt(double[] v) {
		StringBuilder b = new StringBuilder("[");
		for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
		return b.append("]").toString();
	}
}
