package io.github.unetseg.testutil;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import io.github.unetseg.facade.LocalTrainer;
import io.github.unetseg.facade.Options;
import io.github.unetseg.facade.TrainingOutcome;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.img.array.ArrayImgs;

/**
 * A small instance model trained once per test JVM on synthetic touching discs ({@link Discs}): three
 * noisy 512 x 512 images of 60 discs each, a U-Net of depth 2 with 8 filters, 8 epochs of 20 steps
 * (about 30 s on 2 cores).
 */
public final class InstanceModels {

	/** Edge of the training images in pixels. */
	public static final int SIZE = 512;

	private static final Map<String, TrainingOutcome> TRAINED = new HashMap<>();
	private static Path dir, data;

	private InstanceModels() {}

	/**
	 * The model with the three-class (boundary) target, trained on the first call into a temporary folder of
	 * its own that lives as long as the JVM (test classes' {@code @TempDir}s are deleted after each class).
	 *
	 * @return the training's outcome (the model folder is {@code outcome.model().directory()})
	 */
	public static TrainingOutcome trained() {
		return trained("boundary");
	}

	/**
	 * A model with the given instance target ({@code --instance-target}), trained once per JVM on the same
	 * images with the same settings.
	 *
	 * @param target {@code boundary} or {@code distance}
	 * @return the training's outcome
	 */
	public static synchronized TrainingOutcome trained(String target) {
		TrainingOutcome done = TRAINED.get(target);
		if (done != null) return done;
		if (dir == null) {
			try {
				dir = java.nio.file.Files.createTempDirectory("unetseg-discs");
			}
			catch (java.io.IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
			Path root = dir;
			Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
			data = dir.resolve("discs");
			Random r = new Random(5);
			for (int k = 0; k < 3; k++) {
				int[] ids = Discs.touching(SIZE, k);
				short[] img = new short[ids.length], lab = new short[ids.length];
				for (int i = 0; i < ids.length; i++) {
					img[i] = (short) Math.max(0, (ids[i] > 0 ? 160 : 40) + r.nextGaussian() * 15);
					lab[i] = (short) ids[i];
				}
				Calibration cal = Calibration.uncalibrated(2);
				ImageFiles.write(new Volume<>(ArrayImgs.unsignedShorts(img, SIZE, SIZE, 1), cal), data.resolve("images/d" + k + ".tif"), 0);
				ImageFiles.write(new Volume<>(ArrayImgs.unsignedShorts(lab, SIZE, SIZE, 1), cal), data.resolve("labels/d" + k + ".tif"), 0);
			}
		}
		Map<String, String> options = new HashMap<>(Map.of("images", data.resolve("images").toString(), "labels",
			data.resolve("labels").toString(), "output", dir.resolve("discs-" + target).toString(), "task", "instances", "depth", "2",
			"filters", "8", "epochs", "8", "steps", "20", "batch", "4", "patch", "64"));
		options.putAll(Map.of("validation", "0.34", "patience", "0", "threads", "2", "instance-target", target));
		done = new LocalTrainer().train(Options.training(options), ProgressListener.NONE, null);
		TRAINED.put(target, done);
		return done;
	}

	private static void deleteTree(Path dir) {
		try (var s = java.nio.file.Files.walk(dir)) {
			s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (java.io.IOException e) {
			// a temporary folder left behind is harmless
		}
	}

	/**
	 * @param name {@code images} or {@code labels}
	 * @param k image 0, 1 or 2
	 * @return the file of the training data (after {@link #trained})
	 */
	public static Path file(String name, int k) {
		return data.resolve(name + "/d" + k + ".tif");
	}
}
