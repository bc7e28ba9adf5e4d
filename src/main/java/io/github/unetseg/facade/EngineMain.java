package io.github.unetseg.facade;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.tiling.ProgressListener;
import io.github.unetseg.tiling.TilePlan;

/**
 * The child JVM's entry ({@link ChildJvm}): runs one {@link EngineJob} JSON file with the in-process
 * engine ({@link LocalSegmenter}, {@link LocalTrainer}).
 *
 * <p>Standard error carries {@code progress <done> <total> <message>} lines (a segmentation's messages
 * start with {@code #<file index> }) and {@code error: <message>} lines. Standard output carries one
 * event per line: {@code file <EngineJob.FileEvent JSON>}, {@code epoch <EpochRecord JSON>},
 * {@code trained <EngineJob.TrainedEvent JSON>}. Exit code 0 when the job ran (a segmentation's failed
 * files are events, not an exit code), 1 when it could not, 2 for a bad job file.
 */
public final class EngineMain {

	private EngineMain() {}

	/**
	 * @param args the job file
	 */
	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		EngineJob job;
		try {
			if (args.length != 1) throw new IOException("usage: EngineMain <job.json>");
			job = EngineJob.GSON.fromJson(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8), EngineJob.class);
		}
		catch (IOException | RuntimeException e) {
			err.println("error: cannot read the engine job: " + e.getMessage());
			return 2;
		}
		try {
			if (job.segment() != null) segment(job.segment(), out, err);
			else if (job.train() != null) train(job.train(), out, err);
			else throw new SegmentationException("The engine job names no work.");
			out.flush();
			return 0;
		}
		catch (SegmentationException e) {
			err.println("error: " + e.getMessage());
			return 1;
		}
	}

	private static ProgressListener lines(PrintStream err, String prefix) {
		return (done, total, message) -> {
			synchronized (err) {
				err.println("progress " + done + " " + total + " " + prefix + message);
			}
		};
	}

	private static void segment(EngineJob.Segment s, PrintStream out, PrintStream err) {
		try (LocalSegmenter segmenter = new LocalSegmenter(s.model(), s.engine())) {
			segmenter.segmentFiles(s.inputs(), s.output(), s.settings(), s.overwrite(), new FileListener() {
				@Override
				public void file(int index, Path input, FileStatus status, FileResult r, SegmentationException error) {
					EngineJob.FileEvent e;
					if (r == null) e = new EngineJob.FileEvent(index, status, error == null ? null : error.getMessage(), null, null, null, 0, null, 0,
						0, 0, 0, null, java.util.List.of(), -1);
					else {
						SegmentationResult res = r.result();
						TilePlan p = res.plan();
						e = new EngineJob.FileEvent(index, status, null, r.labelsFile(), r.probabilitiesFile(), r.size(), r.seconds(),
							new EngineJob.PlanSummary(p.imageSize(), p.tileSize(), p.halo(), p.overlap(), p.border()), res.batchSize(),
							res.stats().modelSeconds(), res.stats().totalSeconds(), res.seconds(), res.device(), res.warnings(), res.objectCount());
					}
					synchronized (out) {
						out.println("file " + EngineJob.GSON.toJson(e));
						out.flush();
					}
				}

				@Override
				public ProgressListener progress(int index, Path input) {
					return lines(err, "#" + index + " ");
				}
			});
		}
	}

	private static void train(TrainingRequest r, PrintStream out, PrintStream err) {
		TrainingOutcome o = new LocalTrainer().train(r, lines(err, ""), e -> {
			synchronized (out) {
				out.println("epoch " + EngineJob.GSON.toJson(e));
				out.flush();
			}
		});
		out.println("trained " + EngineJob.GSON.toJson(new EngineJob.TrainedEvent(o.bestEpoch(), o.bestDice(), o.stoppedEarly(),
			o.cancelled(), o.warnings())));
	}
}
