package io.github.unetseg.service;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Runs unetseg's TensorFlow engine in a separate JVM when the current one cannot: Fiji installations
 * with the CSBDeep, StarDist or DeepImageJ update sites carry TensorFlow 1.15's {@code org.tensorflow}
 * classes ({@code libtensorflow} 1.15), whose names clash with TensorFlow Java 1.1.0's. Whichever loads
 * first wins, so the other plugin breaks. unetseg therefore checks which {@code org.tensorflow} it sees
 * ({@link #inProcess()}) and, if it is not TensorFlow Java 1.x, runs {@code unetseg segment} in a child
 * JVM whose class path holds TensorFlow Java 1.1.0, leaving the other plugins' TensorFlow untouched.
 *
 * <p>The child's class path is, in order of preference: the system property
 * {@code unetseg.engine.classpath}; the jars in {@code <ImageJ>/lib/unetseg/} (where an installation
 * with CSBDeep keeps TensorFlow Java 1.1.0 out of {@code jars/}) plus unetseg's own jar. Progress lines
 * of the child are forwarded; cancelling destroys the child, and because every output is written to a
 * temporary file and renamed, nothing partial is left.
 */
public final class EngineProcess {

	private static Boolean inProcess;

	private EngineProcess() {}

	/**
	 * @return true if this JVM resolves {@code org.tensorflow} to TensorFlow Java 1.x (the engine can
	 *     run here), false if another TensorFlow (e.g. libtensorflow 1.15) shadows it or none is present
	 */
	public static synchronized boolean inProcess() {
		if (inProcess == null) {
			try {
				Class<?> tf = Class.forName("org.tensorflow.TensorFlow", false, EngineProcess.class.getClassLoader());
				boolean modern = false;
				for (var m : tf.getMethods()) modern |= m.getName().equals("registerCustomGradient");
				inProcess = modern;
			}
			catch (ClassNotFoundException | LinkageError e) {
				inProcess = false;
			}
		}
		return inProcess;
	}

	/**
	 * @return the class path for the child JVM
	 * @throws SegmentationException if none can be found, with where to put the engine's jars
	 */
	public static String engineClassPath() {
		String explicit = System.getProperty("unetseg.engine.classpath");
		if (explicit != null && !explicit.isBlank()) return explicit;
		List<String> cp = new ArrayList<>();
		try {
			cp.add(Path.of(EngineProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
		}
		catch (URISyntaxException | NullPointerException e) {
			// no code source: rely on the engine folder alone
		}
		String ij = System.getProperty("ij.dir");
		Path lib = ij == null ? null : Path.of(ij, "lib", "unetseg");
		if (lib == null || !Files.isDirectory(lib))
			throw new SegmentationException("Another plugin's TensorFlow (e.g. CSBDeep/StarDist/DeepImageJ's TensorFlow 1.15) is loaded, " +
				"so unetseg runs its engine in a separate process, but it cannot find TensorFlow Java 1.1.0. Fix: put unetseg's " +
				"TensorFlow jars (tensorflow-core-api, tensorflow-core-native and its platform jar, ndarray, javacpp, protobuf-java) " +
				"into Fiji.app/lib/unetseg/ (not jars/), or set -Dunetseg.engine.classpath.");
		try (Stream<Path> s = Files.list(lib)) {
			s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> cp.add(p.toString()));
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot list " + lib + ": " + e.getMessage(), e);
		}
		// ImageJ, ImgLib2, SciJava and the other shared jars come from the running application's class path
		cp.add(System.getProperty("java.class.path"));
		return String.join(File.pathSeparator, cp);
	}

	/**
	 * Runs {@code unetseg <args>} in a child JVM and waits for it.
	 *
	 * @param args CLI arguments, e.g. {@code segment --model M --output O file}
	 * @param progress receives the child's progress; cancelling destroys the child
	 * @return the child's standard output
	 * @throws SegmentationException with the child's error lines if it fails
	 * @throws CancellationException if cancelled
	 */
	public static String run(List<String> args, ProgressListener progress) {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Djava.awt.headless=true");
		cmd.add("-cp");
		cmd.add(engineClassPath());
		cmd.add("io.github.unetseg.cli.Main");
		cmd.addAll(args);
		ProcessBuilder pb = new ProcessBuilder(cmd);
		pb.environment().put("UNETSEG_PROGRESS", "lines");
		pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p;
		try {
			p = pb.start();
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot start the unetseg engine process: " + e.getMessage(), e);
		}
		StringBuilder out = new StringBuilder(), err = new StringBuilder();
		Thread stdout = new Thread(() -> copy(p.getInputStream(), out, null), "unetseg-engine-out");
		Thread stderr = new Thread(() -> copy(p.getErrorStream(), err, progress), "unetseg-engine-err");
		stdout.start();
		stderr.start();
		try {
			while (!p.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS))
				if (progress.isCancelled()) {
					p.destroyForcibly().waitFor();
					throw new CancellationException("segmentation cancelled");
				}
			stdout.join();
			stderr.join();
		}
		catch (InterruptedException e) {
			p.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new CancellationException("segmentation interrupted");
		}
		if (p.exitValue() != 0) {
			StringBuilder errors = new StringBuilder();
			for (String line : err.toString().split("\n")) if (line.startsWith("error: ")) errors.append(line.substring(7)).append('\n');
			throw new SegmentationException(errors.length() > 0 ? errors.toString().trim() : "The unetseg engine process failed (exit " +
				p.exitValue() + "): " + err.toString().trim());
		}
		return out.toString();
	}

	/**
	 * Outcome of {@link #segmentFiles}.
	 *
	 * @param statuses one per input, read off the output folder: {@code DONE} (outputs written by this
	 *     run), {@code SKIPPED} (they existed before and {@code overwrite} was off), {@code FAILED} (none)
	 * @param error the child's error lines if any file failed, else {@code null}
	 */
	public record BatchOutcome(List<SegmentationService.Status> statuses, String error) {}

	/**
	 * {@code unetseg segment} over files in a child JVM ({@link #run}), for callers that cannot run the
	 * engine here. Timings are not reported back; statuses come from the output folder.
	 *
	 * @param files the inputs, as {@link InputFiles#expand} lists them
	 * @param options further CLI options, e.g. {@code --model M --device cpu} (not the three below)
	 * @param outputDir the output folder ({@code --output})
	 * @param probabilities whether to write probability maps too ({@code --probabilities})
	 * @param overwrite whether to recompute files whose outputs exist ({@code --overwrite})
	 * @param progress receives the child's progress; cancelling destroys the child
	 * @return a status per input and the failure message
	 * @throws CancellationException if cancelled
	 */
	public static BatchOutcome segmentFiles(List<Path> files, List<String> options, Path outputDir, boolean probabilities,
		boolean overwrite, ProgressListener progress)
	{
		boolean[] existed = new boolean[files.size()];
		for (int i = 0; i < existed.length; i++) existed[i] = SegmentationService.isDone(files.get(i), outputDir, probabilities);
		List<String> args = new ArrayList<>(List.of("segment", "--output", outputDir.toAbsolutePath().toString()));
		args.addAll(options);
		if (probabilities) args.add("--probabilities");
		if (overwrite) args.add("--overwrite");
		for (Path f : files) args.add(f.toAbsolutePath().toString());
		String error = null;
		try {
			run(args, progress);
		}
		catch (SegmentationException e) {
			error = e.getMessage(); // some files failed; the statuses say which
		}
		List<SegmentationService.Status> statuses = new ArrayList<>();
		for (int i = 0; i < files.size(); i++) {
			boolean done = SegmentationService.isDone(files.get(i), outputDir, probabilities);
			statuses.add(!done ? SegmentationService.Status.FAILED
				: existed[i] && !overwrite ? SegmentationService.Status.SKIPPED : SegmentationService.Status.DONE);
		}
		return new BatchOutcome(List.copyOf(statuses), error);
	}

	/**
	 * Labels (and probabilities) of an image segmented by {@link #segmentImage}.
	 *
	 * @param labels label image, as {@code unetseg segment} wrote it (calibration and label LUT kept)
	 * @param probabilities probability map, or {@code null} if not asked for
	 */
	public record ImageOutcome(ij.ImagePlus labels, ij.ImagePlus probabilities) {}

	/**
	 * Segments an open image in a child JVM: the image goes out as a TIFF, {@code unetseg segment} runs
	 * on it, labels (and probabilities) come back as TIFFs; the temporary folder is deleted afterwards.
	 *
	 * @param image the image, 2D or a 3D stack
	 * @param options further CLI options, e.g. {@code --model M --device cpu} (not the two handled here)
	 * @param probabilities whether to return the probability map too ({@code --probabilities})
	 * @param progress receives the child's progress; cancelling destroys the child
	 * @return the results, untitled beyond the file names
	 * @throws SegmentationException if the child fails or the temporary files cannot be written
	 * @throws CancellationException if cancelled
	 */
	public static ImageOutcome segmentImage(ij.ImagePlus image, List<String> options, boolean probabilities, ProgressListener progress) {
		Path tmp = null;
		try {
			tmp = Files.createTempDirectory("unetseg-engine");
			Path in = tmp.resolve("image.tif"), out = tmp.resolve("out");
			io.github.unetseg.io.TiffIO.save(image, in);
			List<String> args = new ArrayList<>(List.of("segment", "--output", out.toString()));
			args.addAll(options);
			if (probabilities) args.add("--probabilities");
			args.add(in.toString());
			run(args, progress);
			return new ImageOutcome(io.github.unetseg.io.TiffIO.open(out.resolve("image_labels.tif")),
				probabilities ? io.github.unetseg.io.TiffIO.open(out.resolve("image_probabilities.tif")) : null);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot pass the image to the unetseg engine process: " + e.getMessage() +
				". Fix: check that the temporary folder (java.io.tmpdir) is writable and has room.", e);
		}
		finally {
			if (tmp != null) try {
				io.github.unetseg.AtomicFiles.deleteTree(tmp);
			}
			catch (IOException e) {
				// our own temporary folder; nothing of the user's is affected
			}
		}
	}

	private static void copy(java.io.InputStream in, StringBuilder sink, ProgressListener progress) {
		try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
			String line;
			while ((line = r.readLine()) != null) {
				if (progress != null && line.startsWith("progress ")) {
					String[] f = line.split(" ", 4);
					try {
						progress.progress(Long.parseLong(f[1]), Long.parseLong(f[2]), f.length > 3 ? f[3] : "");
					}
					catch (NumberFormatException e) {
						// not a progress line after all; keep it as output
						sink.append(line).append('\n');
					}
					continue;
				}
				sink.append(line).append('\n');
			}
		}
		catch (IOException e) {
			// the child ended; what was read is kept
		}
	}
}
