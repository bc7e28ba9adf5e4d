package io.github.unetseg.cli;

import java.util.concurrent.atomic.AtomicReference;

import sun.misc.Signal;

/**
 * Turns {@code SIGUSR1} and {@code SIGTERM} into a polite stop request instead of the JVM's immediate
 * exit, for long runs on a cluster: SLURM sends {@code USR1} some time before a job's limit when it is
 * submitted with {@code --signal=B:USR1@120} (forwarded by {@code scripts/slurm/train.sh}), and
 * {@code TERM} at the limit or on preemption. The work polls {@link #requested()} between steps, writes
 * its checkpoint and returns; the caller exits with {@link #EXIT_INTERRUPTED} so that the batch script
 * requeues the job.
 *
 * <p>Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in every OpenJDK); where a
 * signal cannot be handled (another platform), it keeps its default action.
 */
final class StopSignals {

	/** Exit status of a run that stopped at a signal after writing its checkpoint. */
	static final int EXIT_INTERRUPTED = 3;

	private final AtomicReference<String> received = new AtomicReference<>();

	private StopSignals() {}

	/** @return handlers installed for {@code USR1} and {@code TERM} (each where the platform allows) */
	static StopSignals install() {
		StopSignals s = new StopSignals();
		for (String name : new String[] { "USR1", "TERM" }) {
			try {
				Signal.handle(new Signal(name), sig -> s.received.compareAndSet(null, "SIG" + sig.getName()));
			}
			catch (IllegalArgumentException e) {
				// not available on this platform or reserved by the JVM: default action
			}
		}
		return s;
	}

	/** @return whether a stop signal arrived */
	boolean requested() {
		return received.get() != null;
	}

	/** @return the first signal's name, e.g. {@code SIGUSR1}, or {@code null} */
	String signal() {
		return received.get();
	}
}
