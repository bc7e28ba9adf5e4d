package io.github.unetseg.command;

import org.scijava.ItemVisibility;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.process.AbstractPreprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.plugin.Plugin;

/**
 * A macro line that leaves out some of an unetseg command's inputs runs with their defaults, as an ImageJ 1
 * dialog does in a macro, instead of opening the command's dialog. SciJava's macro support
 * (imagej-legacy's {@code MacroPreprocessor}) fills only the keys a line names and leaves the others to the
 * input harvester, which in Fiji's user interface opens the dialog: a macro recorded with one version would
 * stop at a dialog in the next, which adds an input, and a macro over a folder would wait for a click on
 * each image.
 *
 * <p>Runs in macros only ({@code IJ.isMacro()}), for unetseg's commands only, after the macro's keys
 * (priority 20,000), the active image (10,001) and the initializers (100), before persisted values (-9,999)
 * and the harvester (-10,000): each input still unresolved then is marked resolved with its documented
 * default (the field's value) when it has one or is optional. The last dialog's values are not used, so a
 * macro gives the same result whatever was clicked before. A required input without a value (an image when
 * none is open, a required file) stays unresolved, and the harvester asks for it as before.
 */
@Plugin(type = PreprocessorPlugin.class, priority = MacroDefaults.PRIORITY)
public class MacroDefaults extends AbstractPreprocessorPlugin {

	/** After imagej-legacy's macro keys and active image and SciJava's initializers, before persisted values. */
	public static final double PRIORITY = -9000;

	@Override
	public void process(Module module) {
		if (!module.getInfo().getDelegateClassName().startsWith("io.github.unetseg.") || !ij.IJ.isMacro()) return;
		for (ModuleItem<?> input : module.getInfo().inputs()) {
			String name = input.getName();
			if (module.isInputResolved(name) || input.getVisibility() == ItemVisibility.MESSAGE) continue;
			if (!input.isRequired() || (module.getInput(name) != null && isValue(input.getType()))) module.resolveInput(name);
		}
	}

	/** Text, numbers and switches: the inputs whose field default is a usable value. */
	private static boolean isValue(Class<?> type) {
		return type == String.class || type == java.io.File.class || type.isPrimitive() || Number.class.isAssignableFrom(type) ||
			type == Boolean.class;
	}
}
