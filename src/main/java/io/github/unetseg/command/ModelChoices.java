package io.github.unetseg.command;

import java.util.ArrayList;
import java.util.List;

import org.scijava.module.MutableModuleItem;
import org.scijava.module.ModuleInfo;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.facade.ModelCatalog;

/** Shared parameter helpers of the commands: model choices and the mapping of parameters onto the facade's options. */
final class ModelChoices {

	/** The model choice that means "use the model folder parameter". */
	static final String OTHER = "other folder";

	private ModelChoices() {}

	/** Sets the choices of a String model parameter to the catalog's model names and {@link #OTHER}. */
	static void offer(ModuleInfo info, String item) {
		if (!(info.getInput(item) instanceof MutableModuleItem<?> m)) return;
		@SuppressWarnings("unchecked")
		MutableModuleItem<String> s = (MutableModuleItem<String>) m;
		List<String> names = new ArrayList<>(ModelCatalog.models().keySet());
		names.add(OTHER);
		s.setChoices(names);
	}

	/**
	 * The initializer of a command's model parameter: offers the catalog's models, and where one is chosen
	 * marks the folder parameter resolved (SciJava would otherwise ask for it; headless it would cancel).
	 *
	 * @param command the command, with String parameter {@code model} and File parameter {@code modelFolder}
	 * @param choice the current model choice
	 */
	static void offerModels(org.scijava.command.DynamicCommand command, String choice) {
		offer(command.getInfo(), "model");
		if (!OTHER.equals(choice)) command.resolveInput("modelFolder");
	}

	/**
	 * @param choice a catalog model name or {@link #OTHER}
	 * @param folder the model folder parameter, used for {@link #OTHER}
	 * @return the model folder
	 * @throws SegmentationException if nothing usable was chosen
	 */
	static java.nio.file.Path resolve(String choice, java.io.File folder) {
		if (choice == null || OTHER.equals(choice)) {
			if (folder == null) throw new SegmentationException("No model chosen. Fix: choose a model, or choose \"" + OTHER +
				"\" and a model folder.");
			return folder.toPath();
		}
		return ModelCatalog.resolve(choice);
	}

	/**
	 * A command's parameters as the facade's options ({@link io.github.unetseg.facade.Options}): pairs of
	 * option key and value; {@code null} values are left out, files become their paths.
	 *
	 * @param keyValues key, value, key, value, ...
	 * @return the options
	 */
	static java.util.Map<String, String> options(Object... keyValues) {
		java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			Object v = keyValues[i + 1];
			if (v != null) m.put((String) keyValues[i], v instanceof java.io.File f ? f.getPath() : String.valueOf(v));
		}
		return m;
	}
}
