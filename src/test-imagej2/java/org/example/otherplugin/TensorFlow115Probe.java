package org.example.otherplugin;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * Stands in for another Fiji plugin that uses TensorFlow 1.15 (CSBDeep, StarDist, DeepImageJ) in
 * {@code io.github.unetseg.imagej2.FijiInstallTest} (in a package of its own, as another plugin's): builds and runs a one-constant graph with TensorFlow 1.15's API
 * ({@code FijiWithTensorFlow115.constant}, by reflection: it differs from TensorFlow Java 1.1.0's) and prints
 * {@code tensorflow 1.15: <version> computed <value>}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>TensorFlow 1.15 Probe", headless = true)
public class TensorFlow115Probe implements Command {

	private static int runs;

	@Override
	public void run() {
		try {
			System.out.println("tensorflow 1.15: " + io.github.unetseg.command.FijiWithTensorFlow115.constant(++runs + 2));
		}
		catch (Exception e) {
			System.out.println("tensorflow 1.15: failed: " + e);
		}
	}
}
