package io.github.unetseg.facade;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.tiling.ProgressListener;

/**
 * A child JVM that runs one {@link EngineJob} with {@link EngineMain}, for the process-backed
 * implementations of the facade ({@link ChildProcessSegmenter}, {@link ChildProcessTrainer}).
 *
 * <p>The job travels as one JSON file. The child writes {@code progress <done> <total> <message>} lines
 * and {@code error: <message>} lines on standard error and one event per line on standard output
 * ({@link EngineMain}); events are handed to the caller on the calling thread, progress from a reader
 * thread. Cancelling destroys the child; because every output is written to a temporary file and
 * renamed, nothing partial is left.
 *
 * <p>The child's class path is, in order of preference: the system property
 * {@code unetseg.engine.classpath}; the jars in {@code <ImageJ>/lib/unetseg/} (where an installation
 * with CSBDeep keeps TensorFlow Java 1.1.0 out of {@code jars/}) plus unetseg's own jar and the running
 * application's class path.
 */
final class ChildJvm {

	private ChildJvm() {}

	/**
	 * @return the class path for the child JVM
	 * @throws SegmentationException if none can be found, with where to put the engine's jars
	 */
	static String classPath() {
		String explicit = System.getProperty("unetseg.engine.classpath");
		if (explicit != null && !explicit.isBlank()) return explicit;
		List<String> cp = new ArrayList<>();
		try {
			cp.add(Path.of(ChildJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
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
	 * Runs a job in a child JVM and waits for it.
	 *
	 * @param job the job, written to a temporary JSON file that is deleted afterwards
	 * @param progress receives the child's progress; cancelling destroys the child
	 * @param events receives each line the child writes on standard output, on the calling thread
	 * @throws SegmentationException with the child's {@code error:} lines if it exits with an error
	 * @throws CancellationException if cancelled
	 */
	static void run(EngineJob job, ProgressListener progress, Consumer<String> events) {
		Path tmp = null;
		try {
			tmp = Files.createTempDirectory("unetseg-engine");
			Path jobFile = tmp.resolve("job.json");
			Files.writeString(jobFile, EngineJob.GSON.toJson(job), StandardCharsets.UTF_8);
			run(jobFile, progress, events);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot pass the job to the unetseg engine process: " + e.getMessage() +
				". Fix: check that the temporary folder (java.io.tmpdir) is writable and has room.", e);
		}
		finally {
			deleteQuietly(tmp);
		}
	}

	/** Deletes a temporary folder of ours; nothing of the user's is affected if that fails. */
	static void deleteQuietly(Path tmp) {
		if (tmp != null) try {
			AtomicFiles.deleteTree(tmp);
		}
		catch (IOException e) {
			// our own temporary folder, left for the system's cleaner
		}
	}

	private static void run(Path jobFile, ProgressListener progress, Consumer<String> events) {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Djava.awt.headless=true");
		cmd.add("-cp");
		cmd.add(classPath());
		cmd.add(EngineMain.class.getName());
		cmd.add(jobFile.toString());
		ProcessBuilder pb = new ProcessBuilder(cmd);
		pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p;
		try {
			p = pb.start();
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot start the unetseg engine process: " + e.getMessage(), e);
		}
		BlockingQueue<String> lines = new LinkedBlockingQueue<>();
		StringBuilder err = new StringBuilder();
		Thread stdout = new Thread(() -> pump(p.getInputStream(), lines::add, null), "unetseg-engine-out");
		Thread stderr = new Thread(() -> pump(p.getErrorStream(), line -> {
			synchronized (err) {
				err.append(line).append('\n');
			}
		}, progress), "unetseg-engine-err");
		stdout.start();
		stderr.start();
		try {
			while (true) {
				String line = lines.poll(200, TimeUnit.MILLISECONDS);
				if (line != null) events.accept(line);
				else if (!p.isAlive() && !stdout.isAlive()) break;
				if (progress.isCancelled()) {
					p.destroyForcibly().waitFor();
					throw new CancellationException("cancelled; the engine process was stopped");
				}
			}
			for (String line; (line = lines.poll()) != null;) events.accept(line);
			p.waitFor();
			stderr.join();
		}
		catch (InterruptedException e) {
			p.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new CancellationException("interrupted; the engine process was stopped");
		}
		catch (RuntimeException e) {
			p.destroyForcibly();
			throw e;
		}
		if (p.exitValue() != 0) {
			StringBuilder errors = new StringBuilder();
			for (String line : err.toString().split("\n")) if (line.startsWith("error: ")) errors.append(line.substring(7)).append('\n');
			throw new SegmentationException(errors.length() > 0 ? errors.toString().trim() : "The unetseg engine process failed (exit " +
				p.exitValue() + "): " + err.toString().trim());
		}
	}

	/** Reads lines; {@code progress <done> <total> <message>} lines go to {@code progress} when given. */
	private static void pump(InputStream in, Consumer<String> sink, ProgressListener progress) {
		try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
			String line;
			while ((line = r.readLine()) != null) {
				if (progress != null && line.startsWith("progress ")) {
					String[] f = line.split(" ", 4);
					try {
						progress.progress(Long.parseLong(f[1]), Long.parseLong(f[2]), f.length > 3 ? f[3] : "");
						continue;
					}
					catch (NumberFormatException e) {
						// not a progress line after all; keep it as output
					}
				}
				sink.accept(line);
			}
		}
		catch (IOException e) {
			// the child ended; what was read is kept
		}
	}
}
