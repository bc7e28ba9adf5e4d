package io.github.unetseg.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** What the user typed, as the facade's {@link io.github.unetseg.facade.Options} take it. */
final class GivenOptions {

	private GivenOptions() {}

	/**
	 * Adds the facade's options to a picocli command, so that the command line, macros and Fiji share
	 * their names, defaults and help.
	 *
	 * @param command the command's spec
	 * @param options the options, e.g. {@link io.github.unetseg.facade.Options#SEGMENT}
	 */
	static void addTo(CommandSpec command, List<io.github.unetseg.facade.Options.Option> options) {
		for (io.github.unetseg.facade.Options.Option o : options) {
			OptionSpec.Builder b = OptionSpec.builder("--" + o.name()).required(o.required()).description(o.description() +
				(o.defaultValue() != null && !o.isSwitch() ? " (default: " + o.defaultValue() + ")" : ""));
			if (o.isSwitch()) b.type(boolean.class).arity("0");
			else b.type(String.class).paramLabel("<" + o.name() + ">");
			command.addOption(b.build());
		}
	}

	/**
	 * Options given to a picocli command, by long name without dashes: only those on the command line
	 * (the rest take the defaults of {@link io.github.unetseg.facade.Options}), flags as {@code "true"}, repeated or split values joined by
	 * commas.
	 *
	 * @param parsed the command's parse result
	 * @param exclude names of options that are not settings (e.g. {@code "output"}), without dashes
	 * @return the options given
	 */
	static Map<String, String> of(ParseResult parsed, String... exclude) {
		Map<String, String> out = new LinkedHashMap<>();
		List<String> skip = List.of(exclude);
		for (OptionSpec o : parsed.matchedOptions()) {
			String name = o.longestName().replaceFirst("^--?", "");
			if (skip.contains(name) || o.usageHelp() || o.versionHelp()) continue;
			List<String> raw = o.originalStringValues();
			out.put(name, raw.isEmpty() ? "true" : String.join(",", raw));
		}
		return out;
	}
}
