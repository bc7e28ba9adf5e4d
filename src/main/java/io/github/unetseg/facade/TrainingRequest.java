package io.github.unetseg.facade;

import java.nio.file.Path;
import java.util.List;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.LeftRightMirroring;
import io.github.unetseg.model.TrainingConfig;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.EngineOptions;

/**
 * What to train; built by every front end through {@link Options#training}.
 *
 * @param images training images folder
 * @param labels training labels folder (same file names)
 * @param validationImages validation images folder, or {@code null} to split off
 *     {@link TrainingConfig#validationFraction()} of the training pairs
 * @param validationLabels validation labels folder, or {@code null}
 * @param output model folder to write (created; must be new unless resuming)
 * @param name model name for {@code model.json}
 * @param architecture the U-Net (dimensions, channels, classes, depth, filters)
 * @param classNames class names, background first (2 for a binary model)
 * @param normalization intensity normalisation
 * @param config hyperparameters
 * @param initFrom model folder whose weights start the training (fine-tuning), or {@code null}
 * @param resume continue from {@code output/training/} if it holds a checkpoint
 * @param engine device, threads and precision
 * @param instances whether this is an instance model ({@code --task instances}): the labels are object
 *     ids (0 = background, 1..N) and the network learns background, interior and boundary
 *     ({@code data.InstanceTargets}); false for class-index labels
 * @param labelClasses CSV of the classes annotated per image ({@code data.LabelClasses}), for partially
 *     labelled data: the loss becomes marginal; {@code null} when every image has every class
 * @param targetSpacing voxel spacing {@code [x, y(, z)]} in the images' unit that every case is
 *     resampled to before training (images linear, labels nearest); {@code null} for the median spacing
 *     of the training and validation images per axis (as nnU-Net), an empty array to keep each case's
 *     grid
 * @param mirror whether augmentation may flip axes and turn by 90 degrees; false for anatomy with a
 *     left and a right side (paired organs)
 * @param leftRight with {@code mirror} false: flip the patient's left-right axis in half of the patches,
 *     swapping these paired classes ({@link LeftRightMirroring}); {@code null} for no such flips
 * @param maxHours wall-time budget of this run in hours: no epoch is started that would end, with the tuning that
 *     follows the last epoch (about one validation pass), after it (the run then stops with its checkpoint, to be
 *     continued with {@code resume}); 0 for none
 */
public record TrainingRequest(Path images, Path labels, Path validationImages, Path validationLabels, Path output, String name,
	UNetConfig architecture, List<String> classNames, Normalization normalization, TrainingConfig config, Path initFrom,
	boolean resume, EngineOptions engine, boolean instances, Path labelClasses, double[] targetSpacing, boolean mirror,
	double maxHours, LeftRightMirroring leftRight) {

	/**
	 * A request without left-right mirroring.
	 *
	 * @see #TrainingRequest(Path, Path, Path, Path, Path, String, UNetConfig, List, Normalization, TrainingConfig, Path, boolean,
	 *     EngineOptions, boolean, Path, double[], boolean, double, LeftRightMirroring)
	 */
	public TrainingRequest(Path images, Path labels, Path validationImages, Path validationLabels, Path output, String name,
		UNetConfig architecture, List<String> classNames, Normalization normalization, TrainingConfig config, Path initFrom,
		boolean resume, EngineOptions engine, boolean instances, Path labelClasses, double[] targetSpacing, boolean mirror,
		double maxHours)
	{
		this(images, labels, validationImages, validationLabels, output, name, architecture, classNames, normalization, config, initFrom,
			resume, engine, instances, labelClasses, targetSpacing, mirror, maxHours, null);
	}

	/**
	 * @throws IllegalArgumentException if left-right mirroring is asked for together with {@code mirror}
	 */
	public TrainingRequest {
		if (mirror && leftRight != null)
			throw new IllegalArgumentException("mirror left-right flips only the patient's left-right axis; it excludes mirroring every axis");
	}

	/**
	 * A request without partial labels and time budget, resampled to the median spacing, with mirroring.
	 *
	 * @see #TrainingRequest(Path, Path, Path, Path, Path, String, UNetConfig, List, Normalization, TrainingConfig, Path, boolean,
	 *     EngineOptions, boolean, Path, double[], boolean, double)
	 */
	public TrainingRequest(Path images, Path labels, Path validationImages, Path validationLabels, Path output, String name,
		UNetConfig architecture, List<String> classNames, Normalization normalization, TrainingConfig config, Path initFrom,
		boolean resume, EngineOptions engine, boolean instances)
	{
		this(images, labels, validationImages, validationLabels, output, name, architecture, classNames, normalization, config, initFrom,
			resume, engine, instances, null, null, true, 0);
	}

	/** @return this request with absolute paths, for a child JVM with another working folder */
	TrainingRequest absolute() {
		return new TrainingRequest(abs(images), abs(labels), abs(validationImages), abs(validationLabels), abs(output), name,
			architecture, classNames, normalization, config, abs(initFrom), resume, engine, instances, abs(labelClasses), targetSpacing,
			mirror, maxHours, leftRight);
	}

	private static Path abs(Path p) {
		return p == null ? null : p.toAbsolutePath();
	}
}
