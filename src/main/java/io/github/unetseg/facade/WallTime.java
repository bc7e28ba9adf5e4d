package io.github.unetseg.facade;

import java.util.Locale;

/**
 * A training run's clock: the wall-time budget ({@code --max-hours}) and the ETA shown with progress. Another epoch
 * starts where the time spent so far, one more epoch as long as the last one and the closing tuning (post-processing
 * or object thresholds, which segment the validation images once: about one validation pass) end within the
 * budget; an epoch of a run without any estimate (a new run's first) always starts.
 */
final class WallTime {

	private final long started = System.nanoTime();
	private final double maxHours;

	/** @param maxHours the budget in hours, &gt;= 0; 0 = none */
	WallTime(double maxHours) {
		this.maxHours = maxHours;
	}

	/** @return seconds since this run started */
	double elapsedSeconds() {
		return (System.nanoTime() - started) / 1e9;
	}

	/**
	 * @param lastEpochSeconds the last epoch's seconds (steps and validation), 0 where none is known
	 * @param closingSeconds seconds kept for the tuning after the last epoch, 0 where none runs
	 * @return true where another epoch may start now
	 */
	boolean nextEpochFits(double lastEpochSeconds, double closingSeconds) {
		return fits(elapsedSeconds(), lastEpochSeconds, closingSeconds, maxHours);
	}

	/**
	 * The rule of {@link #nextEpochFits}, for given times.
	 *
	 * @param elapsedSeconds seconds since the run started, &gt;= 0
	 * @param lastEpochSeconds the last epoch's seconds, 0 where none is known
	 * @param closingSeconds seconds kept for the closing tuning
	 * @param maxHours the budget in hours; 0 = none
	 * @return true where the epoch may start
	 */
	static boolean fits(double elapsedSeconds, double lastEpochSeconds, double closingSeconds, double maxHours) {
		return maxHours <= 0 || lastEpochSeconds == 0 || elapsedSeconds + lastEpochSeconds + closingSeconds <= maxHours * 3600;
	}

	/**
	 * @param seconds a duration, &gt;= 0
	 * @return it as {@code 1h05m} (an hour or more) or {@code 4m07s}
	 */
	static String eta(double seconds) {
		long s = Math.round(seconds);
		return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
			: String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
	}
}
