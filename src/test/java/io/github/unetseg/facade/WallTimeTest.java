package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The wall-time budget's rule with given times (no clock), and the ETA's format. */
class WallTimeTest {

	@Test
	void anEpochStartsOnlyWhereItAndTheClosingTuningEndWithinTheBudget() {
		// 1 h budget, 40 min spent, epochs of 15 min: the next ends at 55 min; with 6 min of tuning after it, at 61
		assertTrue(WallTime.fits(2400, 900, 0, 1));
		assertFalse(WallTime.fits(2400, 900, 360, 1));
		assertTrue(WallTime.fits(2400, 900, 300, 1), "ends exactly at the budget");
		// no budget, or no estimate yet (a new run's first epoch): always
		assertTrue(WallTime.fits(1e6, 900, 360, 0));
		assertTrue(WallTime.fits(7200, 0, 360, 1));
	}

	@Test
	void etaReadsInHoursAndMinutesOrMinutesAndSeconds() {
		assertEquals("4m07s", WallTime.eta(247));
		assertEquals("1h05m", WallTime.eta(3900.4));
		assertEquals("0m00s", WallTime.eta(0));
	}
}
