package io.github.unetseg.model;

import java.util.Arrays;
import java.util.List;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.objects.InstanceDecoder;

/**
 * Everything {@code model.json} says about a model: what goes in, what comes out, how to normalise,
 * how to tile, and where it came from. Schema version {@value #SCHEMA_VERSION}.
 *
 * <p>Tensor layout is TensorFlow's channels-last: input {@code [batch, y, x, channel]} (axes
 * {@code "byxc"}) in 2D and {@code [batch, z, y, x, channel]} ({@code "bzyxc"}) in 3D. Sizes given
 * here ({@code tile}, {@code halo}, {@code spacing}) use ImgLib2's order {@code [x, y(, z)]}.
 *
 * @param name short model name
 * @param description what the model segments, for people
 * @param dimensions 2 or 3
 * @param inputChannels channels the network expects, &gt;= 1
 * @param classNames class names, background first; 2 names for a binary model
 * @param output {@code "sigmoid"} (one channel, probability of class 1) or {@code "softmax"} (one
 *     channel per class)
 * @param outputIsLogits true if the graph outputs logits, to which the sigmoid/softmax is then applied
 *     in Java (for exported models without a final activation)
 * @param signature SavedModel signature key, usually {@code "serving_default"}
 * @param inputName input key of that signature
 * @param outputName output key of that signature
 * @param normalization intensity normalisation
 * @param spacing voxel spacing the model was trained at, {@code [x, y(, z)]}, in {@code spacingUnit}
 * @param spacingUnit unit of {@code spacing}, e.g. {@code "mm"}, {@code "µm"}, {@code "pixel"}
 * @param tile recommended tile size {@code [x, y(, z)]} in pixels, multiples of {@code alignment}
 * @param halo recommended halo {@code [x, y(, z)]} in pixels
 * @param alignment tile sizes must be multiples of this (2<sup>depth</sup> for a U-Net)
 * @param architecture the U-Net that built the graph, or {@code null} for an external model
 * @param provenance software, date, training data and notes
 * @param instances for an instance model ({@code "task": "instances"} in {@code model.json}), its
 *     post-processing parameters; {@code null} for a semantic model
 * @param orientation the anatomical axis codes of the arrays the model was trained on, one letter per
 *     axis {@code [x, y, z]} ({@code image.Orientation}, e.g. {@code "PLI"}); inputs whose orientation
 *     is known are reoriented to it and the labels back; {@code null} when it does not apply
 *     (microscopy, 2D) or is unknown
 * @param postprocessing label clean-up applied to a semantic model's result by default
 *     ({@code image.LabelCleanup}); {@code null} for none
 * @param mirrored whether training augmented by mirroring along every axis ({@code model.json}'s
 *     {@code "trainedWithMirroring"}); test-time mirroring ({@code --tta}) mirrors only what training
 *     mirrored, as nnU-Net does; {@code null} when unknown (models made before it was recorded, external
 *     models)
 * @param leftRight whether training mirrored the patient's left-right axis, swapping paired classes
 *     ({@code model.json}'s {@code "mirroredLeftRight"}: {@code ["RightParotid:LeftParotid"]}); test-time
 *     mirroring then mirrors that axis alone; {@code null} when it did not; needs {@code orientation}
 */
public record ModelSpec(String name, String description, int dimensions, int inputChannels, List<String> classNames,
	String output, boolean outputIsLogits, String signature, String inputName, String outputName,
	Normalization normalization, double[] spacing, String spacingUnit, long[] tile, long[] halo, int alignment,
	UNetConfig architecture, Provenance provenance, Instances instances, String orientation, PostProcessing postprocessing,
	Boolean mirrored, LeftRightMirroring leftRight)
{

	/**
	 * A semantic model's default post-processing (nnU-Net's, chosen per class by measurement on validation
	 * data: its {@code determine_postprocessing}).
	 *
	 * @param largestComponent keep only the largest connected component of foreground classes
	 * @param fillHoles fill background regions enclosed by one class
	 * @param largestComponentClasses the classes (names from {@code classNames}, not background) whose
	 *     largest component alone is kept; {@code null} for every foreground class; only with
	 *     {@code largestComponent}
	 */
	public record PostProcessing(boolean largestComponent, boolean fillHoles, List<String> largestComponentClasses) {

		/**
		 * @throws IllegalArgumentException if classes are named without {@code largestComponent}, or none is named
		 */
		public PostProcessing {
			if (largestComponentClasses != null) {
				if (!largestComponent) throw new IllegalArgumentException("largestComponentClasses is given but largestComponent is false");
				if (largestComponentClasses.isEmpty()) throw new IllegalArgumentException("largestComponentClasses is empty; leave it out " +
					"for every class, or set largestComponent to false for none");
				largestComponentClasses = List.copyOf(largestComponentClasses);
			}
		}

		/**
		 * Post-processing whose largest-component step applies to every foreground class.
		 *
		 * @param largestComponent keep only the largest connected component of each foreground class
		 * @param fillHoles fill background regions enclosed by one class
		 */
		public PostProcessing(boolean largestComponent, boolean fillHoles) {
			this(largestComponent, fillHoles, null);
		}

		/** @return nothing to do */
		public static PostProcessing none() {
			return new PostProcessing(false, false);
		}

		/**
		 * The classes whose largest component alone is kept, by index.
		 *
		 * @param classNames the model's classes, background first
		 * @return per class index, {@code [classNames.size()]}; background is always false
		 * @throws IllegalArgumentException naming a class of {@code largestComponentClasses} that is not among them
		 */
		public boolean[] largestComponentOf(List<String> classNames) {
			boolean[] keep = new boolean[classNames.size()];
			if (!largestComponent) return keep;
			if (largestComponentClasses == null) {
				Arrays.fill(keep, 1, keep.length, true);
				return keep;
			}
			for (String c : largestComponentClasses) keep[foregroundClass(classNames, c, "post-processing")] = true;
			return keep;
		}

		/**
		 * Parses {@code none}, {@code largest}, {@code largest=A:B} (only classes {@code A} and {@code B}),
		 * {@code holes}, or a largest choice and {@code holes} separated by a comma.
		 *
		 * @param text the choice
		 * @return the post-processing
		 * @throws IllegalArgumentException naming the accepted values
		 */
		public static PostProcessing parse(String text) {
			boolean largest = false, holes = false;
			List<String> classes = null;
			for (String part : text.split(",")) {
				String p = part.trim(), key = p.toLowerCase(java.util.Locale.ROOT);
				if (key.startsWith("largest=")) {
					largest = true;
					classes = Arrays.stream(p.substring(8).split(":")).map(String::trim).filter(c -> !c.isEmpty()).toList();
					if (classes.isEmpty()) throw new IllegalArgumentException("postprocess " + text + " names no class after 'largest='; " +
						"write e.g. largest=Brainstem:Mandible, or largest for every class");
					continue;
				}
				switch (key) {
					case "largest" -> largest = true;
					case "holes" -> holes = true;
					case "none", "" -> {}
					default -> throw new IllegalArgumentException("postprocess must be model, none, largest, largest=CLASS:CLASS..., holes, or a " +
						"largest choice and holes separated by a comma; got '" + text + "'");
				}
			}
			return new PostProcessing(largest, holes, classes);
		}

		@Override
		public String toString() {
			String l = !largestComponent ? null : largestComponentClasses == null ? "largest" : "largest=" + String.join(":",
				largestComponentClasses);
			return l != null && fillHoles ? l + ",holes" : l != null ? l : fillHoles ? "holes" : "none";
		}
	}

	/**
	 * What an instance model's probabilities (background, interior, boundary: three softmax classes)
	 * become: objects by a seeded watershed ({@code objects.InstanceDecoder}), with these defaults that a
	 * user may override per run.
	 *
	 * @param probabilityThreshold foreground where {@code 1 - p_background} exceeds it, in {@code (0, 1)}
	 * @param seedThreshold seeds where {@code p_interior} exceeds it, in {@code (0, 1)}
	 * @param minSize smallest object kept, in voxels at the model's scale, &gt;= 0
	 * @param objectDiameter median equivalent diameter of the training objects, in pixels (voxels), &gt; 0;
	 *     an input whose objects are of another size is rescaled by {@code objectDiameter / diameter}
	 * @param target what the classes encode ({@link InstanceDecoder.Target}): {@code "boundary"} (background,
	 *     interior, boundary; the default, also for models written without it) or {@code "distance"}
	 *     (background and distance levels)
	 */
	public record Instances(double probabilityThreshold, double seedThreshold, int minSize, double objectDiameter, String target) {

		/** @throws IllegalArgumentException naming the parameter out of range */
		public Instances {
			if (!(probabilityThreshold > 0 && probabilityThreshold < 1))
				throw new IllegalArgumentException("instances.probabilityThreshold must be in (0, 1), got " + probabilityThreshold);
			if (!(seedThreshold > 0 && seedThreshold < 1))
				throw new IllegalArgumentException("instances.seedThreshold must be in (0, 1), got " + seedThreshold);
			if (minSize < 0) throw new IllegalArgumentException("instances.minSize must be >= 0, got " + minSize);
			if (!(objectDiameter > 0) || Double.isInfinite(objectDiameter))
				throw new IllegalArgumentException("instances.objectDiameter must be > 0 pixels, got " + objectDiameter);
			target = InstanceDecoder.Target.parse(target).key();
		}

		/** The parameters of a three-class (boundary) model. */
		public Instances(double probabilityThreshold, double seedThreshold, int minSize, double objectDiameter) {
			this(probabilityThreshold, seedThreshold, minSize, objectDiameter, null);
		}

		/** @return {@link #target} parsed */
		public InstanceDecoder.Target targetKind() {
			return InstanceDecoder.Target.parse(target);
		}

		/**
		 * The decoding parameters of a run: the user's where given, the model's otherwise.
		 *
		 * @param probabilityThreshold the user's, or NaN for the model's
		 * @param seedThreshold the user's, or NaN for the model's
		 * @param minSize the user's, or -1 for the model's
		 * @return the parameters with this model's target
		 */
		public InstanceDecoder.Parameters parameters(double probabilityThreshold, double seedThreshold, int minSize) {
			return new InstanceDecoder.Parameters(Double.isNaN(probabilityThreshold) ? this.probabilityThreshold : probabilityThreshold,
				Double.isNaN(seedThreshold) ? this.seedThreshold : seedThreshold, minSize >= 0 ? minSize : this.minSize, targetKind());
		}
	}

	/**
	 * A spec without an anatomical orientation.
	 *
	 * @see #ModelSpec(String, String, int, int, List, String, boolean, String, String, String, Normalization, double[], String,
	 *     long[], long[], int, UNetConfig, Provenance, Instances, String)
	 */
	public ModelSpec(String name, String description, int dimensions, int inputChannels, List<String> classNames, String output,
		boolean outputIsLogits, String signature, String inputName, String outputName, Normalization normalization, double[] spacing,
		String spacingUnit, long[] tile, long[] halo, int alignment, UNetConfig architecture, Provenance provenance, Instances instances)
	{
		this(name, description, dimensions, inputChannels, classNames, output, outputIsLogits, signature, inputName, outputName,
			normalization, spacing, spacingUnit, tile, halo, alignment, architecture, provenance, instances, null, null, null, null);
	}

	/**
	 * A spec without post-processing whose training mirroring is unknown.
	 *
	 * @see #ModelSpec(String, String, int, int, List, String, boolean, String, String, String, Normalization, double[], String,
	 *     long[], long[], int, UNetConfig, Provenance, Instances, String, PostProcessing, Boolean, LeftRightMirroring)
	 */
	public ModelSpec(String name, String description, int dimensions, int inputChannels, List<String> classNames, String output,
		boolean outputIsLogits, String signature, String inputName, String outputName, Normalization normalization, double[] spacing,
		String spacingUnit, long[] tile, long[] halo, int alignment, UNetConfig architecture, Provenance provenance, Instances instances,
		String orientation)
	{
		this(name, description, dimensions, inputChannels, classNames, output, outputIsLogits, signature, inputName, outputName,
			normalization, spacing, spacingUnit, tile, halo, alignment, architecture, provenance, instances, orientation, null, null, null);
	}

	/** The schema version this code writes and reads. */
	public static final int SCHEMA_VERSION = 1;

	/**
	 * Where a model came from.
	 *
	 * @param software program and version that made the bundle
	 * @param created ISO-8601 date and time
	 * @param trainingData description of the training data, or {@code ""}
	 * @param notes free text, or {@code ""}
	 */
	public record Provenance(String software, String created, String trainingData, String notes) {}

	/**
	 * @throws IllegalArgumentException naming the field that is inconsistent
	 */
	public ModelSpec {
		if (dimensions != 2 && dimensions != 3) throw new IllegalArgumentException("dimensions must be 2 or 3, got " + dimensions);
		if (inputChannels < 1) throw new IllegalArgumentException("inputChannels must be >= 1, got " + inputChannels);
		if (classNames == null || classNames.size() < 2)
			throw new IllegalArgumentException("classNames must list at least 2 classes (background first)");
		if (!"sigmoid".equals(output) && !"softmax".equals(output))
			throw new IllegalArgumentException("output must be \"sigmoid\" or \"softmax\", got " + output);
		if ("sigmoid".equals(output) && classNames.size() != 2)
			throw new IllegalArgumentException("a sigmoid (binary) model has exactly 2 classNames, got " + classNames.size());
		if (spacing == null || spacing.length != dimensions)
			throw new IllegalArgumentException("spacing must have " + dimensions + " values (x, y[, z])");
		for (double s : spacing)
			if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("spacing must be > 0: " + Arrays.toString(spacing));
		if (postprocessing != null) postprocessing.largestComponentOf(classNames);
		if (leftRight != null) {
			LeftRightMirroring.axis(orientation);
			leftRight.classMap(classNames);
		}
		if (alignment < 1) throw new IllegalArgumentException("alignment must be >= 1, got " + alignment);
		if (tile == null || tile.length != dimensions) throw new IllegalArgumentException("tile must have " + dimensions + " values");
		if (halo == null || halo.length != dimensions) throw new IllegalArgumentException("halo must have " + dimensions + " values");
		for (int d = 0; d < dimensions; d++) {
			if (tile[d] < 1) throw new IllegalArgumentException("tile " + Arrays.toString(tile) + " must be positive sizes in pixels");
			if (tile[d] < alignment || tile[d] % alignment != 0)
				throw new IllegalArgumentException("tile " + Arrays.toString(tile) + " must be multiples of alignment " + alignment);
			if (halo[d] < 0 || tile[d] - 2 * halo[d] < alignment)
				throw new IllegalArgumentException("halo " + Arrays.toString(halo) + " must be >= 0 and leave a core of at least " +
					alignment + " in tile " + Arrays.toString(tile));
		}
		if (architecture != null) {
			int outputs = "sigmoid".equals(output) ? 1 : classNames.size();
			if (architecture.dimensions() != dimensions)
				throw new IllegalArgumentException("architecture.dimensions is " + architecture.dimensions() + " but dimensions is " + dimensions);
			if (architecture.inputChannels() != inputChannels)
				throw new IllegalArgumentException("architecture.inputChannels is " + architecture.inputChannels() + " but inputChannels is " +
					inputChannels);
			if (architecture.outputChannels() != outputs)
				throw new IllegalArgumentException("architecture has " + architecture.outputChannels() + " output channel(s) (classes " +
					architecture.classes() + ") but classNames and output \"" + output + "\" need " + outputs);
			if (alignment % architecture.alignment() != 0)
				throw new IllegalArgumentException("alignment must be a multiple of 2^depth = " + architecture.alignment());
		}
		if (normalization == null) throw new IllegalArgumentException("normalization is required");
		if (signature == null || inputName == null || outputName == null)
			throw new IllegalArgumentException("signature, inputName and outputName are required");
		if (spacingUnit == null || spacingUnit.isBlank()) throw new IllegalArgumentException("spacingUnit is required");
		if (instances != null) {
			if (!"softmax".equals(output)) throw new IllegalArgumentException("an instance model has a softmax output, got " + output);
			instances.targetKind().check(classNames.size());
		}
		if (orientation != null) {
			if (dimensions != 3) throw new IllegalArgumentException("orientation applies to 3D models only");
			orientation = io.github.unetseg.image.Orientation.parse(orientation);
		}
		classNames = List.copyOf(classNames);
		spacing = spacing.clone();
		tile = tile.clone();
		halo = halo.clone();
	}

	/** @return the number of output channels: 1 for sigmoid, else the class count */
	public int outputChannels() {
		return "sigmoid".equals(output) ? 1 : classNames.size();
	}

	/** @return true for a binary (sigmoid) model */
	public boolean binary() {
		return "sigmoid".equals(output);
	}

	/** @return {@code "instances"} for an instance model, else {@code "semantic"} */
	public String task() {
		return instances != null ? "instances" : "semantic";
	}

	/** @return {@code "byxc"} or {@code "bzyxc"} */
	public String axes() {
		return dimensions == 2 ? "byxc" : "bzyxc";
	}

	@Override
	public double[] spacing() {
		return spacing.clone();
	}

	@Override
	public long[] tile() {
		return tile.clone();
	}

	@Override
	public long[] halo() {
		return halo.clone();
	}

	/**
	 * The index of a foreground class named in a model's settings.
	 *
	 * @param classNames the model's classes, background first
	 * @param name a class name, matched without regard to case
	 * @param what what names it, for the message (e.g. {@code "post-processing"})
	 * @return its index, &gt;= 1
	 * @throws IllegalArgumentException naming the class and the model's foreground classes when there is none of that name
	 */
	public static int foregroundClass(List<String> classNames, String name, String what) {
		for (int k = 1; k < classNames.size(); k++) if (classNames.get(k).equalsIgnoreCase(name)) return k;
		throw new IllegalArgumentException(what + " names class '" + name + "', which is not a foreground class of the model " +
			classNames.subList(1, classNames.size()));
	}

	/** @return a copy with other provenance */
	public ModelSpec withProvenance(Provenance p) {
		return with(p, instances, orientation, postprocessing, mirrored, leftRight);
	}

	/**
	 * @param note text to add to the provenance notes (after a {@code "; "} where there are notes)
	 * @return a copy with the note added; the same spec where it has no provenance
	 */
	public ModelSpec withNote(String note) {
		Provenance p = provenance;
		return p == null ? this : withProvenance(new Provenance(p.software(), p.created(), p.trainingData(), p.notes().isEmpty() ? note
			: p.notes() + "; " + note));
	}

	/** @return a copy with another default post-processing ({@code null}: none) */
	public ModelSpec withPostProcessing(PostProcessing p) {
		return with(provenance, instances, orientation, p, mirrored, leftRight);
	}

	/** @return a copy with other anatomical axis codes ({@code null}: none) */
	public ModelSpec withOrientation(String codes) {
		return with(provenance, instances, codes, postprocessing, mirrored, leftRight);
	}

	/** @return a copy that records whether training mirrored ({@code null}: unknown) */
	public ModelSpec withMirrored(Boolean m) {
		return with(provenance, instances, orientation, postprocessing, m, leftRight);
	}

	/** @return a copy that is an instance model with these parameters ({@code null}: a semantic model) */
	public ModelSpec withInstances(Instances i) {
		return with(provenance, i, orientation, postprocessing, mirrored, leftRight);
	}

	/** @return a copy that records left-right mirroring in training ({@code null}: none) */
	public ModelSpec withLeftRight(LeftRightMirroring lr) {
		return with(provenance, instances, orientation, postprocessing, mirrored, lr);
	}

	/** A copy with the fields that describe a model's training and use replaced; the network's fields stay. */
	private ModelSpec with(Provenance p, Instances i, String codes, PostProcessing pp, Boolean m, LeftRightMirroring lr) {
		return new ModelSpec(name, description, dimensions, inputChannels, classNames, output, outputIsLogits, signature,
			inputName, outputName, normalization, spacing, spacingUnit, tile, halo, alignment, architecture, p, i, codes, pp, m, lr);
	}

	/**
	 * The spec of a U-Net built by this project, with the default tile and a halo covering most of
	 * the receptive field.
	 *
	 * @param name model name
	 * @param config architecture
	 * @param classNames class names, background first ({@code 2} for binary)
	 * @param normalization intensity normalisation
	 * @param spacing trained spacing {@code [x, y(, z)]}
	 * @param unit unit of the spacing
	 * @param tile recommended tile per axis
	 * @param halo recommended halo per axis
	 * @param provenance where the model came from
	 * @return the spec with signature {@code serving_default}, keys {@code input} and {@code output}
	 */
	public static ModelSpec forUNet(String name, UNetConfig config, List<String> classNames, Normalization normalization,
		double[] spacing, String unit, long[] tile, long[] halo, Provenance provenance)
	{
		return new ModelSpec(name, "U-Net " + config.dimensions() + "D, depth " + config.depth() + ", " + config.baseFilters() +
			" base filters", config.dimensions(), config.inputChannels(), classNames, config.classes() == 1 ? "sigmoid" : "softmax",
			false, "serving_default", "input", "output", normalization, spacing, unit, tile, halo, config.alignment(), config,
			provenance, null);
	}
}
