package io.github.unetseg.guard;

import org.scijava.command.Command;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.ui.DialogPrompt;
import org.scijava.ui.UIService;

/**
 * Stands in for each unetseg command on a Java older than {@link JavaVersion#REQUIRED}
 * ({@link JavaVersionGuard}): shows {@link JavaVersion#message} in a dialog (or the log, headless).
 * Compiled for Java 8. Not a plugin of its own: the guard registers it under the commands' menu paths.
 */
public class JavaTooOldCommand implements Command {

	@Parameter(required = false)
	private UIService ui;

	@Parameter(required = false)
	private LogService log;

	/** The message last shown (for tests). */
	static volatile String shown;

	@Override
	public void run() {
		String m = JavaVersion.message(JavaVersion.running());
		shown = m;
		if (ui != null && !ui.isHeadless()) ui.showDialog(m, "unetseg", DialogPrompt.MessageType.ERROR_MESSAGE);
		else if (log != null) log.error(m);
	}
}
