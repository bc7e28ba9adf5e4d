package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.unetseg.SegmentationException;

/**
 * The values a front end gave for one of {@link Options}' lists, by canonical key ({@link Options.Option#key}),
 * defaults filled in and old names ({@link Options#ALIASES}) mapped, with typed readers whose errors name
 * the option.
 */
final class OptionValues {

	private final Map<String, String> values = new LinkedHashMap<>();

	/**
	 * @param given the front end's values by name (CLI names with or without dashes, macro and Fiji keys)
	 * @param options the options that may be given
	 * @param what the options' kind for the error message, e.g. {@code "training"}
	 * @throws SegmentationException naming unknown options and the known ones
	 */
	OptionValues(Map<String, String> given, List<Options.Option> options, String what) {
		Map<String, Options.Option> byKey = new LinkedHashMap<>();
		for (Options.Option o : options) byKey.put(o.key(), o);
		for (Options.Option o : options) if (o.defaultValue() != null) values.put(o.key(), o.defaultValue());
		List<String> unknown = new ArrayList<>();
		for (Map.Entry<String, String> e : given.entrySet()) {
			String key = Options.Option.key(e.getKey().replaceFirst("^--", ""));
			String value = e.getValue();
			String alias = Options.ALIASES.get(key);
			if (alias != null && !byKey.containsKey(key)) {
				if (key.equals("augment")) value = "" + !Boolean.parseBoolean(value);
				if ((key.equals("modelfolder") || key.equals("folder")) && given.keySet().stream().anyMatch(k -> Options.Option.key(k).equals(
					"model") && !isOtherChoice(given.get(k)))) continue; // a chosen catalog model wins over the folder field
				key = alias;
			}
			if (key.equals("model") && isOtherChoice(value)) continue;
			if (!byKey.containsKey(key)) {
				unknown.add(e.getKey());
				continue;
			}
			if (value != null && !value.isBlank()) values.put(key, value.trim());
		}
		if (!unknown.isEmpty()) {
			List<String> known = options.stream().map(Options.Option::key).toList();
			throw new SegmentationException("Unknown " + what + " option(s) " + unknown + ". Fix: use one of " + known + ".");
		}
	}

	/** Fiji's and the ImageJ 1 dialog's "use the folder field" model choices. */
	private static boolean isOtherChoice(String value) {
		return value != null && (value.equals("other folder") || value.equals("other folder..."));
	}

	String text(String name) {
		return values.get(Options.Option.key(name));
	}

	Path path(String name) {
		String t = text(name);
		return t == null ? null : Path.of(t);
	}

	boolean bool(String name) {
		String t = text(name);
		if (t == null) return false;
		if (t.equalsIgnoreCase("true") || t.equals("1") || t.equalsIgnoreCase("yes")) return true;
		if (t.equalsIgnoreCase("false") || t.equals("0") || t.equalsIgnoreCase("no")) return false;
		throw new IllegalArgumentException(name + " must be true or false, got '" + t + "'");
	}

	int integer(String name) {
		String t = text(name);
		try {
			return Integer.parseInt(t);
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(name + " must be a whole number, got '" + t + "'");
		}
	}

	double number(String name) {
		String t = text(name);
		try {
			return Double.parseDouble(t);
		}
		catch (NumberFormatException | NullPointerException e) {
			throw new IllegalArgumentException(name + " must be a number, got '" + t + "'");
		}
	}

	/** A number, or NaN for {@code model} (or nothing): the model's own value. */
	double numberOrModel(String name) {
		String t = text(name);
		return t == null || t.isBlank() || t.equalsIgnoreCase("model") ? Double.NaN : number(name);
	}

	double[] numbers(String name) {
		String t = text(name);
		if (t == null) return null;
		try {
			return Arrays.stream(t.split(",")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(name + " must be numbers separated by commas, got '" + t + "'");
		}
	}

	/** Sizes in pixels, one value or one per axis; {@code auto}, {@code model}, empty (and 0, but for the halo) mean "not given". */
	long[] sizes(String name) {
		String t = text(name);
		if (t == null || t.isBlank() || t.equalsIgnoreCase("auto") || t.equalsIgnoreCase("model")) return null;
		if (t.equals("0") && !name.equals("halo")) return null; // tile 0 and patch 0 have always meant automatic
		try {
			long[] v = Arrays.stream(t.split("[,x]")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
			for (long x : v) if (x < 0) throw new NumberFormatException();
			return v;
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(name + " must be auto or whole numbers of pixels (one, or one per axis), got '" + t + "'");
		}
	}
}
