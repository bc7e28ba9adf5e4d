package io.github.unetseg.command;

import org.scijava.Cancelable;
import org.scijava.app.StatusService;

import io.github.unetseg.tiling.ProgressListener;

/**
 * Forwards progress to SciJava's {@link StatusService} (Fiji's status bar and progress bar) and
 * cancellation from the command's {@link Cancelable} state. Public for the ImageJ2 commands
 * ({@code io.github.unetseg.imagej2}).
 */
public final class FijiProgress implements ProgressListener {

	private final StatusService status;
	private final Cancelable command;
	private final String prefix;

	/**
	 * @param status the status service, or {@code null} for no progress display
	 * @param command whose cancellation stops the work
	 * @param prefix put before every message, e.g. {@code "U-Net: "}
	 */
	public FijiProgress(StatusService status, Cancelable command, String prefix) {
		this.status = status;
		this.command = command;
		this.prefix = prefix;
	}

	@Override
	public void progress(long done, long total, String message) {
		if (status == null) return;
		status.showStatus((int) Math.min(Integer.MAX_VALUE, done), (int) Math.min(Integer.MAX_VALUE, total), prefix + message);
	}

	@Override
	public boolean isCancelled() {
		return command.isCanceled();
	}
}
