package io.github.unetseg.guard;

import ij.IJ;
import ij.plugin.PlugIn;

/**
 * The ImageJ 1 menu entries of unetseg ({@code plugins.config}) go through this Java 8 class: on Java
 * {@link JavaVersion#REQUIRED} or newer it runs the ImageJ 1 plugin named by the argument, on an older Java
 * it shows {@link JavaVersion#message} instead of ImageJ 1's {@code UnsupportedClassVersionError} report.
 * The argument is {@code <plugin class>} or {@code <plugin class>(<its argument>)}.
 */
public class Launcher implements PlugIn {

	@Override
	public void run(String arg) {
		if (!JavaVersion.supported()) {
			IJ.error("unetseg", JavaVersion.message(JavaVersion.running()));
			return;
		}
		String cls = arg, sub = "";
		int open = arg.indexOf('(');
		if (open > 0 && arg.endsWith(")")) {
			cls = arg.substring(0, open);
			sub = arg.substring(open + 1, arg.length() - 1);
		}
		IJ.runPlugIn(cls, sub);
	}
}
