package io.github.unetseg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.tensorflow.TrainingSession;

/**
 * The SLURM scripts (scripts/slurm) on a real one-node SLURM started by {@code test-cluster.sh}:
 * submitted as a user would, from the installation folder, with sbatch. Runs only where
 * {@code UNETSEG_IT_SLURM=1} (CI installs Debian's slurm-wlm and munge and sets it), as root, since it
 * starts daemons; skipped with the reason elsewhere, so a user's {@code mvn test} never does.
 */
class SlurmClusterTest {

	@TempDir
	static Path dir;

	static Path home, slurm, data;
	static Map<String, String> env;

	static final boolean ENABLED = "1".equals(System.getenv("UNETSEG_IT_SLURM"));

	/** Each test reports itself skipped, with the reason, where the cluster is not started. */
	@BeforeEach
	void onlyWithTheCluster() {
		Assumptions.assumeTrue(ENABLED, "a real one-node SLURM is started only with UNETSEG_IT_SLURM=1 (root, Debian's slurm-wlm " +
			"and munge installed; .ci/run sets it)");
	}

	@BeforeAll
	static void startCluster() throws Exception {
		if (!ENABLED) return;
		home = install(dir.resolve("unetseg"));
		slurm = dir.resolve("slurm");
		env = new HashMap<>();
		env.put("SLURM_CONF", slurm.resolve("slurm.conf").toString());
		env.put("UNETSEG_NATIVE_CACHE", dir.resolve("native-cache").toString());
		Result up = run(List.of("scripts/slurm/test-cluster.sh", "start", slurm.toString()), home, 60);
		assertEquals(0, up.code, up.output);
		// the native-library cache is unpacked once, before tasks run at the same time
		Result info = run(List.of("bash", "-c", "UNETSEG_JAVA_OPTS=-Dorg.bytedeco.javacpp.cachedir=$UNETSEG_NATIVE_CACHE bin/unetseg info"),
			home, 120);
		assertEquals(0, info.code, info.output);
		data = home.resolve("data");
		Path slice = Path.of("test-images/mri-t1-axial-z90.tif").toAbsolutePath();
		Path mask = Path.of("test-images/mri-t1-axial-z90-brainmask.tif").toAbsolutePath();
		for (String n : new String[] { "a", "b", "c", "d", "e", "f" }) {
			Files.createDirectories(data.resolve("in"));
			Files.createDirectories(data.resolve("truth"));
			Files.copy(slice, data.resolve("in/" + n + ".tif"));
			Files.copy(mask, data.resolve("truth/" + n + ".tif"));
		}
	}

	@AfterAll
	static void stopCluster() throws Exception {
		if (slurm != null) run(List.of("scripts/slurm/test-cluster.sh", "stop", slurm.toString()), home, 60);
	}

	@Test
	void arrayCancelResubmitAndEvaluationJob() throws Exception {
		String array = submit("--array=0-2", "--cpus-per-task=1", "--mem=3G", "scripts/slurm/segment-array.sh", "data/in", "out",
			"models/brain-mri-2d");
		// cancel the middle task (files b and e) as soon as it runs
		String middle = array + "_1";
		for (int i = 0; i < 600; i++) {
			String s = state(middle);
			if (s.equals("RUNNING") || FINISHED.contains(s)) break;
			Thread.sleep(50);
		}
		Result cancel = run(List.of("scancel", middle), home, 30);
		assertEquals(0, cancel.code, cancel.output);
		String evaluation = submit("--dependency=afterany:" + array, "--cpus-per-task=1", "--mem=3G", "scripts/slurm/evaluate.sh",
			"data/in", "out", "data/truth");
		awaitGone(array, 180);
		awaitGone(evaluation, 120);
		List<String> done = labels(home.resolve("out"));
		List<String> missing = Stream.of("a", "b", "c", "d", "e", "f").filter(n -> !done.contains(n)).toList();
		String report = Files.readString(home.resolve("out/run-report.txt"));
		for (String n : missing) assertTrue(report.contains("missing: " + n + ".tif"), report);
		assertTrue(report.contains("files: 6, segmented: " + done.size() + ", failed: 0, missing: " + missing.size()), report);
		assertTrue(List.of("b", "e").containsAll(missing), "only the cancelled task's files (b, e) can be missing: " + missing);

		// resubmitted as it was: only the missing files are segmented, each exactly once over both runs
		String again = submit("--array=0-2", "--cpus-per-task=1", "--mem=3G", "scripts/slurm/segment-array.sh", "data/in", "out",
			"models/brain-mri-2d");
		awaitGone(again, 180);
		assertEquals(List.of("a", "b", "c", "d", "e", "f"), labels(home.resolve("out")));
		String logs = log(again + "_0") + log(again + "_1") + log(again + "_2");
		for (String n : List.of("a", "b", "c", "d", "e", "f")) {
			long segmented = logs.lines().filter(l -> l.contains(n + ".tif: 181 x 217")).count();
			long skipped = logs.lines().filter(l -> l.contains(n + ".tif: outputs exist, skipped")).count();
			assertEquals(missing.contains(n) ? 1 : 0, segmented, n + " segmented by the resubmission: " + logs);
			assertEquals(missing.contains(n) ? 0 : 1, skipped, n + " skipped by the resubmission: " + logs);
		}
		String last = submit("--cpus-per-task=1", "--mem=3G", "scripts/slurm/evaluate.sh", "data/in", "out", "data/truth");
		awaitGone(last, 120);
		assertTrue(Files.readString(home.resolve("out/run-report.txt")).contains("files: 6, segmented: 6, failed: 0, missing: 0"));
		String csv = Files.readString(home.resolve("out/report_summary.csv"));
		assertTrue(csv.contains("1,1,dice,6,0.992"), csv);
	}

	@Test
	void trainingStoppedBySignalIsRequeuedAndEndsWithTheUninterruptedWeights() throws Exception {
		Path train = dir.resolve("unetseg/train");
		for (String n : new String[] { "a", "b", "c" }) {
			Files.createDirectories(train.resolve("images"));
			Files.createDirectories(train.resolve("labels"));
			Files.copy(data.resolve("in/" + n + ".tif"), train.resolve("images/" + n + ".tif"), StandardCopyOption.REPLACE_EXISTING);
			Files.copy(data.resolve("truth/" + n + ".tif"), train.resolve("labels/" + n + ".tif"), StandardCopyOption.REPLACE_EXISTING);
		}
		List<String> options = List.of("--images", "train/images", "--labels", "train/labels", "--dims", "2", "--classes",
			"background,brain", "--depth", "2", "--filters", "4", "--patch", "64,64", "--batch", "2", "--epochs", "2", "--steps", "1200",
			"--validation", "0.34");
		List<String> a = new ArrayList<>(List.of("--cpus-per-task=1", "--mem=3G", "scripts/slurm/train.sh", "run-whole"));
		a.addAll(options);
		String whole = submit(a.toArray(String[]::new));
		List<String> b = new ArrayList<>(List.of("--cpus-per-task=1", "--mem=3G", "scripts/slurm/train.sh", "run-stopped"));
		b.addAll(options);
		String stopped = submit(b.toArray(String[]::new));
		// the warning signal in the middle of the first epoch, as SLURM sends it before the time limit
		for (int i = 0; i < 2400 && !log(stopped).contains("train: epoch 1/2 step"); i++) Thread.sleep(50);
		Result signal = run(List.of("scancel", "--signal=USR1", "--batch", stopped), home, 30);
		assertEquals(0, signal.code, signal.output);
		for (int i = 0; i < 1200 && !log(stopped).contains("requeueing job"); i++) Thread.sleep(50);
		for (int i = 0; i < 1200 && !state(stopped).equals("PENDING"); i++) Thread.sleep(50);
		assertEquals("PENDING", state(stopped), "requeued: " + log(stopped) + job(stopped));
		// a requeued job waits until the old run's credential expires (test-cluster.sh sets cred_expire=10 s) before it starts
		// again: forcing it earlier makes slurmd refuse it ("Job credential revoked")
		awaitGone(whole, 240);
		awaitGone(stopped, 240);
		String log = log(stopped) + job(stopped);
		assertTrue(log.contains("stopped by SIGUSR1: checkpoint written"), log);
		assertTrue(log.contains("requeueing job " + stopped), log);
		assertTrue(log.contains("continuing the run in"), log);
		assertTrue(log.contains("best epoch"), log);
		Map<String, float[]> x = TrainingSession.readWeights(home.resolve("run-whole"));
		Map<String, float[]> y = TrainingSession.readWeights(home.resolve("run-stopped"));
		assertEquals(x.keySet(), y.keySet());
		for (String k : x.keySet()) assertArrayEquals(x.get(k), y.get(k), 1e-4f, k);
	}

	/** An installation as a user has one: bin/, scripts/, models/ and a jar, here one whose manifest names the build's classes. */
	private static Path install(Path to) throws IOException {
		Path repo = Path.of("").toAbsolutePath();
		Files.createDirectories(to.resolve("bin"));
		Files.createDirectories(to.resolve("scripts/slurm"));
		Files.createDirectories(to.resolve("target/lib"));
		Files.copy(repo.resolve("bin/unetseg"), to.resolve("bin/unetseg"), StandardCopyOption.COPY_ATTRIBUTES);
		try (Stream<Path> s = Files.list(repo.resolve("scripts/slurm"))) {
			for (Path p : s.toList()) Files.copy(p, to.resolve("scripts/slurm").resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
		}
		Files.createSymbolicLink(to.resolve("models"), repo.resolve("models"));
		Manifest m = new Manifest();
		m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
		String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		m.getMainAttributes().put(Attributes.Name.CLASS_PATH, Stream.of(cp.split(File.pathSeparator))
			.map(e -> Path.of(e).toAbsolutePath().toUri().toString()).collect(Collectors.joining(" ")));
		try (OutputStream o = Files.newOutputStream(to.resolve("target/unetseg-it.jar")); JarOutputStream j = new JarOutputStream(o, m)) {
			// the manifest alone
		}
		return to;
	}

	private static String submit(String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
		cmd.addAll(List.of(args));
		Result r = run(cmd, home, 30);
		assertEquals(0, r.code, r.output);
		return r.output.trim().split(";")[0];
	}

	/** The job's (or array's) states, one per line, including finished ones (kept MinJobAge, 300 s); empty when unknown. */
	private static String state(String job) throws Exception {
		Result r = run(List.of("squeue", "-h", "-j", job, "-o", "%T", "--states=all"), home, 30);
		return r.code == 0 ? r.output.trim() : "squeue failed: " + r.output.trim();
	}

	static final java.util.Set<String> FINISHED = java.util.Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
		"OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED");

	/** Waits until every task of the job has finished: a requeued job passes through states squeue hides by default. */
	private static void awaitGone(String job, int seconds) throws Exception {
		for (int i = 0; i < seconds * 5; i++) {
			String s = state(job);
			if (!s.startsWith("squeue failed") && s.lines().allMatch(FINISHED::contains)) return;
			Thread.sleep(200);
		}
		throw new AssertionError("job " + job + " still " + state(job) + " after " + seconds + " s" + job(job));
	}

	/** SLURM's record of a job (state, reason, restarts, exit code) and the controller's last lines, for failure messages. */
	private static String job(String id) throws Exception {
		String ctl = Files.exists(slurm.resolve("slurmctld.log")) ? String.join("\n", Files.readAllLines(slurm.resolve("slurmctld.log"))
			.stream().filter(l -> l.contains("JobId=" + id) || l.contains("job " + id) || l.contains("JobId=" + id + " ")).toList()) : "";
		return "\n--- scontrol show job " + id + ":\n" + run(List.of("scontrol", "show", "job", id), home, 30).output + "\n--- slurmctld.log:\n" + ctl;
	}

	/** A task's log: unetseg-JOB_TASK.log of an array, unetseg-train-JOB.log of a training job. */
	private static String log(String job) throws IOException {
		Path p = home.resolve(job.contains("_") ? "unetseg-" + job + ".log" : "unetseg-train-" + job + ".log");
		return Files.exists(p) ? Files.readString(p) : "";
	}

	private static List<String> labels(Path out) throws IOException {
		if (!Files.isDirectory(out)) return List.of();
		try (Stream<Path> s = Files.list(out)) {
			return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("_labels.tif")).map(n -> n.replace("_labels.tif", ""))
				.sorted().toList();
		}
	}

	private record Result(int code, String output) {}

	private static Result run(List<String> cmd, Path cwd, int seconds) throws Exception {
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
		pb.environment().putAll(env);
		// to a file, not a pipe: the daemons that test-cluster.sh starts would hold a pipe open
		Path log = Files.createTempFile(dir, "run", ".log");
		pb.redirectOutput(log.toFile());
		Process p = pb.start();
		if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError(cmd + " ran past " + seconds + " s: " + Files.readString(log));
		}
		return new Result(p.exitValue(), Files.readString(log));
	}
}
