package io.github.unetseg.command;

import ij.ImagePlus;
import ij.macro.Interpreter;

/**
 * ImagePlus outputs of the commands for headless ImageJ2 macros ({@code ImageJ-linux64 --headless -batch
 * macro.ijm}), where the legacy layer hands a command's ImagePlus outputs to no ImageJ 1 window list, so that
 * a macro line after {@code run("Segment Image...")} would not find them ({@code selectImage}, {@code saveAs}).
 */
final class MacroOutputs {

	private MacroOutputs() {}

	/**
	 * Headless and inside a batch-mode macro, adds the images to the macro's images, as
	 * {@code ImagePlus.show()} does in batch mode; otherwise (with a display the legacy layer shows them
	 * itself, and outside macros nobody looks) does nothing.
	 *
	 * @param images the command's ImagePlus outputs; {@code null} entries are skipped
	 */
	static void showHeadless(ImagePlus... images) {
		if (!java.awt.GraphicsEnvironment.isHeadless() || !Interpreter.isBatchMode() || Interpreter.getInstance() == null) return;
		for (ImagePlus imp : images) if (imp != null) imp.show();
	}
}
