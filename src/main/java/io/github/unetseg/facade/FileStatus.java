package io.github.unetseg.facade;

/** What happened to one file of a folder run. */
public enum FileStatus {
	/** Segmented and written. */
	DONE,
	/** Its outputs already existed (and overwriting was off). */
	SKIPPED,
	/** It failed; the error says why. */
	FAILED
}
