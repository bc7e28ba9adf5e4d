package io.github.unetseg.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code unetseg} command line: {@code segment}, {@code train}, {@code evaluate} and {@code info}, for headless and cluster runs.
 * {@code segment} and {@code train} take their options from {@link io.github.unetseg.facade.Options}, as the Fiji
 * commands and the macros do, and every subcommand calls the same facade ({@code facade.Engines}, {@code Evaluator}).
 *
 * <p>Exit codes: 0 success, 1 when any file failed (the others are still processed), 2 for a usage
 * error.
 */
@Command(name = "unetseg", mixinStandardHelpOptions = true, version = "unetseg 0.1.0",
	description = "Tiled U-Net segmentation of 2D images and 3D volumes (TensorFlow Java).",
	subcommands = { SegmentCommand.class, TrainCommand.class, EvaluateCommand.class, TuneCommand.class, InfoCommand.class,
		TestModelCommand.class, ExportCommand.class, InstallFijiCommand.class })
public final class Main {

	/**
	 * Runs the CLI and exits with its code.
	 *
	 * @param args command-line arguments
	 */
	public static void main(String[] args) {
		System.exit(run(args));
	}

	/**
	 * Runs the CLI without exiting, for tests and embedding.
	 *
	 * @param args command-line arguments
	 * @return the exit code
	 */
	public static int run(String... args) {
		CommandLine cl = new CommandLine(new Main());
		cl.setUseSimplifiedAtFiles(true); // @list.txt: one argument per line, so paths may contain spaces
		GivenOptions.addTo(cl.getSubcommands().get("segment").getCommandSpec(), io.github.unetseg.facade.Options.SEGMENT);
		GivenOptions.addTo(cl.getSubcommands().get("train").getCommandSpec(), io.github.unetseg.facade.Options.TRAIN);
		cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
			cmd.getErr().println("error: " + e.getMessage());
			return 1;
		});
		return cl.execute(args);
	}
}
