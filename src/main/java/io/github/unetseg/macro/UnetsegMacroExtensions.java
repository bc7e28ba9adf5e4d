package io.github.unetseg.macro;

import ij.IJ;
import ij.macro.ExtensionDescriptor;
import ij.macro.Functions;
import ij.macro.MacroExtension;
import ij.plugin.PlugIn;

/**
 * ImageJ 1 macro extension, the pattern of CLIJ and MorphoLibJ: after
 * {@code run("unetseg Macro Extensions");} a macro can call
 * <ul>
 * <li>{@code Ext.segment(input, model, outputDir[, options])} - a file or folder, with {@code unetseg
 * segment}'s options such as {@code "tile=256 overlap=0.25 border=mirror"}, see
 * {@link UnetsegMacros#segment(String, String, String, String)};</li>
 * <li>{@code Ext.train(images, labels, output, options)} - see {@link UnetsegMacros#train};</li>
 * <li>{@code Ext.evaluate(prediction, truth, reportCsv)} - see {@link UnetsegMacros#evaluate}.</li>
 * </ul>
 * Each returns its result string; an error is returned as {@code "error: ..."} and logged. Registered
 * in ImageJ's menus by {@code plugins.config} as {@code Plugins > Segmentation > U-Net > unetseg Macro Extensions}.
 */
public class UnetsegMacroExtensions implements PlugIn, MacroExtension {

	private static final int S = ARG_STRING;

	@Override
	public void run(String arg) {
		if (!IJ.macroRunning()) {
			IJ.error("unetseg", "Call this from a macro: run(\"unetseg Macro Extensions\"); then Ext.segment(input, model, output);");
			return;
		}
		Functions.registerExtensions(this);
	}

	@Override
	public ExtensionDescriptor[] getExtensionFunctions() {
		return new ExtensionDescriptor[] { new ExtensionDescriptor("segment", new int[] { S, S, S, S | ARG_OPTIONAL }, this),
			new ExtensionDescriptor("train", new int[] { S, S, S, S }, this),
			new ExtensionDescriptor("evaluate", new int[] { S, S, S }, this) };
	}

	@Override
	public String handleExtension(String name, Object[] args) {
		String[] a = new String[args.length];
		for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
		return switch (name) {
			case "segment" -> UnetsegMacros.segment(a[0], a[1], a[2], a.length > 3 && args[3] != null ? a[3] : "");
			case "train" -> UnetsegMacros.train(a[0], a[1], a[2], a[3]);
			case "evaluate" -> UnetsegMacros.evaluate(a[0], a[1], a[2]);
			default -> "error: unknown function Ext." + name;
		};
	}
}
