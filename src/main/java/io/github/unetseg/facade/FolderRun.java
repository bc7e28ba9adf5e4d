package io.github.unetseg.facade;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tiling.ProgressListener;

/**
 * Folder orchestration of a segmentation run, engine-neutral: while one file is segmented, the next
 * one to do is read on one background thread and the previous one's outputs are written on another,
 * so reading, decompressing and compressing overlap with the network (nnU-Net's
 * {@code predict_from_raw_data} does the same with a bounded queue). At most two inputs and one result
 * are in memory at once. Outcomes are reported in input order from the calling thread, each after its
 * outputs are written: a file's outcome may come while the next file is in progress. Read, segment and
 * write failures, running out of memory included, are their own file's {@link FileStatus#FAILED} and the
 * run goes on; exceptions of the background threads surface through {@link Future#get()}. Two inputs
 * whose outputs would have the same name (e.g. {@code p1/t1.tif} and {@code p2/t1.tif}) are not both
 * segmented: the later one fails with the reason, so no result is ever replaced by another's. A time series
 * (an ImageJ hyperstack TIFF with frames, or an OME-TIFF with time points) is segmented frame by frame ({@link TimeSeriesFile}).
 */
final class FolderRun {

	/** What a folder run needs from the segmenter. */
	interface Work {

		/** @return whether the file is segmented without loading it (it writes its own outputs) */
		boolean streams(Path input);

		/** Segments a streamed file into {@code outputDir}. */
		FileResult stream(Path input, Path outputDir, SegmentationSettings settings, ProgressListener progress);

		/** Segments an image in memory. */
		SegmentationResult segment(Volume<?> volume, SegmentationSettings settings, ProgressListener progress, String source);

		/** @return number of classes, for the label files' type and lookup table */
		int labelClasses();

		/** @return whether the model is an instance model (its results are objects); false by default */
		default boolean instances() {
			return false;
		}

		/** @return the model's spatial dimensions (which names a streamed file's outputs get); 3 by default */
		default int dimensions() {
			return 3;
		}
	}

	private FolderRun() {}

	/**
	 * Runs the files; see {@link Segmenter#segmentFiles}.
	 *
	 * @return number of files per status
	 */
	static Map<FileStatus, Integer> run(List<Path> inputs, Path outputDir, SegmentationSettings settings, boolean overwrite,
		FileListener listener, Work work)
	{
		boolean[] todo = new boolean[inputs.size()];
		// decided once per file (it may open the file to learn its dimensions)
		boolean[] streamed = new boolean[inputs.size()];
		// time series (ImageJ hyperstacks with frames) are read and segmented frame by frame, writing their own outputs
		boolean[] series = new boolean[inputs.size()], inPlace = new boolean[inputs.size()];
		Map<Path, Path> collisions = OutputFiles.collisions(inputs, outputDir);
		List<Path> toDo = new java.util.ArrayList<>();
		for (int i = 0; i < todo.length; i++) {
			Path f = inputs.get(i);
			// a streamed file writes NIfTI outputs
			series[i] = ImageFiles.timePoints(f) > 1;
			boolean streams = streamed[i] = !series[i] && work.streams(f);
			inPlace[i] = series[i] || streams;
			todo[i] = !collisions.containsKey(f) && (overwrite || !(streams ? Streaming.done(f, outputDir, work.dimensions(), settings.probabilities())
				: OutputFiles.done(f, outputDir, settings.probabilities(), work.instances() && settings.objects().rois(), work.instances() &&
					settings.objects().measure())));
			if (todo[i]) toDo.add(f);
		}
		if (!toDo.isEmpty()) {
			checkWritable(outputDir);
			OutputFiles.removeStaleTemporaries(toDo, outputDir);
		}
		Outcomes outcomes = new Outcomes(listener);
		ExecutorService reader = daemonThread("unetseg-prefetch");
		ExecutorService writer = daemonThread("unetseg-writer");
		try {
			CompletableFuture<Volume<?>> next = prefetch(reader, inputs, todo, inPlace, 0);
			for (int i = 0; i < inputs.size(); i++) {
				Path f = inputs.get(i);
				if (collisions.containsKey(f)) {
					outcomes.report(i, f, FileStatus.FAILED, null, OutputFiles.collision(f, collisions.get(f), outputDir));
					continue;
				}
				if (!todo[i]) {
					outcomes.report(i, f, FileStatus.SKIPPED, null, null);
					continue;
				}
				CompletableFuture<Volume<?>> mine = next;
				next = prefetch(reader, inputs, todo, inPlace, i + 1);
				ProgressListener progress = outcomes.reportingWhenWritten(listener.progress(i, f));
				try {
					long t0 = System.nanoTime();
					ResidentMemory.resetPeak();
					if (mine == null) { // a streamed file or a time series writes its own outputs
						boolean frames = series[i];
						outcomes.report(i, f, FileStatus.DONE, guarded("segment", f, () -> frames ? TimeSeriesFile.segment(f, outputDir, settings, work,
							progress) : work.stream(f, outputDir, settings, progress)), null);
						continue;
					}
					Volume<?> v = await(mine);
					SegmentationResult r = guarded("segment", f, () -> work.segment(v, settings, progress, f.toString()));
					String size = v.describeSize();
					outcomes.writing(i, f, CompletableFuture.supplyAsync(() -> guarded("write the outputs of", f, () -> {
						Path[] written = OutputFiles.write(f, outputDir, v, r, work.labelClasses(), settings.objects());
						return new FileResult(f, written[0], written[1], r, size, (System.nanoTime() - t0) / 1e9, ResidentMemory.peakBytes());
					}), writer));
				}
				catch (SegmentationException e) {
					outcomes.report(i, f, FileStatus.FAILED, null, e);
				}
			}
			outcomes.flush();
		}
		finally {
			outcomes.flushQuietly(); // cancelled or failed: let the previous file's write finish, then report it
			reader.shutdownNow();
			writer.shutdown();
		}
		return outcomes.counts;
	}

	/**
	 * Creates the output folder and writes (and deletes) a probe file in it, so that a folder that
	 * cannot be written is reported before the first image is segmented, not after the last.
	 *
	 * @throws SegmentationException naming the folder and the fix
	 */
	static void checkWritable(Path outputDir) {
		try {
			Files.createDirectories(outputDir);
			Files.delete(Files.createTempFile(outputDir, ".unetseg-probe", ".tmp"));
		}
		catch (java.io.IOException | SecurityException e) {
			throw new SegmentationException("Cannot write into the output folder " + outputDir + " (" + e + "). Fix: choose a writable " +
				"--output folder, or check its permissions and free space.", e);
		}
	}

	private static ExecutorService daemonThread(String name) {
		return Executors.newSingleThreadExecutor(r -> {
			Thread t = new Thread(r, name);
			t.setDaemon(true);
			return t;
		});
	}

	/**
	 * Starts reading the first file from {@code from} on that is to be done, unless it reads itself (streamed, or
	 * a time series).
	 *
	 * @return its future, or {@code null} when the next file to do reads itself or there is none; a
	 *     future always belongs to the next file to do
	 */
	private static CompletableFuture<Volume<?>> prefetch(ExecutorService reader, List<Path> inputs, boolean[] todo, boolean[] inPlace,
		int from)
	{
		for (int j = from; j < inputs.size(); j++) {
			if (!todo[j]) continue;
			Path f = inputs.get(j);
			return inPlace[j] ? null : CompletableFuture.supplyAsync(() -> guarded("read", f, () -> ImageFiles.read(f)), reader);
		}
		return null;
	}

	/** Runs one step of a file, its out-of-memory error turned into that file's failure ({@link #outOfMemory}). */
	private static <V> V guarded(String step, Path file, java.util.function.Supplier<V> work) {
		try {
			return work.get();
		}
		catch (OutOfMemoryError e) {
			throw outOfMemory(step, file, e);
		}
	}

	/**
	 * An out-of-memory error as that file's failure, so the run goes on with the next file (the memory
	 * the failed step held is garbage once the error has unwound it).
	 */
	static SegmentationException outOfMemory(String step, Path file, OutOfMemoryError e) {
		long max = Runtime.getRuntime().maxMemory() >> 20;
		return new SegmentationException("Not enough memory to " + step + " " + file + " (" + e.getMessage() + "; Java heap at most " +
			max + " MiB). Fix: give Java more memory (UNETSEG_JAVA_OPTS=-Xmx<size> for the CLI, Edit > Options > Memory in Fiji)" +
			(step.equals("segment") ? ", or use a smaller --tile or --batch" : "") + (step.equals("read")
				? ", or convert a large volume to uncompressed .nii, which is segmented without loading it" : "") + ".", e);
	}

	/** The future's value, or its exception as if the work had been done here. */
	static <V> V await(Future<V> f) {
		try {
			return f.get();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new CancellationException("interrupted while waiting for a background read or write");
		}
		catch (ExecutionException e) {
			Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
			if (cause instanceof RuntimeException r) throw r;
			if (cause instanceof Error err) throw err;
			throw new SegmentationException("A background read or write failed: " + cause, cause);
		}
	}

	/**
	 * A run's outcomes, counted and passed to the listener in input order on the calling thread; at most
	 * one file's outputs are being written behind it and are reported before anything later.
	 */
	private static final class Outcomes {

		final Map<FileStatus, Integer> counts = new EnumMap<>(FileStatus.class);
		private final FileListener listener;
		private int pendingIndex;
		private Path pendingInput;
		private Future<FileResult> pending;

		Outcomes(FileListener listener) {
			this.listener = listener;
			for (FileStatus s : FileStatus.values()) counts.put(s, 0);
		}

		/** Reports a file, after the one being written. */
		void report(int index, Path input, FileStatus status, FileResult result, SegmentationException error) {
			flush();
			counts.merge(status, 1, Integer::sum);
			listener.file(index, input, status, result, error);
		}

		/** A file whose outputs are now being written; reported by the next {@link #flush}. */
		void writing(int index, Path input, Future<FileResult> write) {
			flush();
			pendingIndex = index;
			pendingInput = input;
			pending = write;
		}

		/** Waits for the file being written, if any, and reports it as done or failed. */
		void flush() {
			if (pending == null) return;
			Future<FileResult> f = pending;
			pending = null;
			FileResult r;
			try {
				r = await(f);
			}
			catch (SegmentationException e) {
				report(pendingIndex, pendingInput, FileStatus.FAILED, null, e);
				return;
			}
			report(pendingIndex, pendingInput, FileStatus.DONE, r, null);
		}

		/** {@link #flush} while another exception propagates: that one is the one reported. */
		void flushQuietly() {
			try {
				flush();
			}
			catch (RuntimeException e) {
				// the original exception is the one that propagates
			}
		}

		/**
		 * A file's progress that also reports the file being written as soon as its write has finished,
		 * so its outcome does not wait for the whole next file.
		 */
		ProgressListener reportingWhenWritten(ProgressListener progress) {
			return new ProgressListener() {
				@Override
				public void progress(long done, long total, String message) {
					if (pending != null && pending.isDone()) flush();
					progress.progress(done, total, message);
				}

				@Override
				public boolean isCancelled() {
					return progress.isCancelled();
				}
			};
		}
	}
}
