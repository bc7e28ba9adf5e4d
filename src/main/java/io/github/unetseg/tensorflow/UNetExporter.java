package io.github.unetseg.tensorflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;

/**
 * Writes model folders: a TensorFlow SavedModel with a {@code serving_default} signature
 * ({@code input} to {@code output}, loadable by Python's {@code tf.saved_model.load}) plus
 * {@code model.json}.
 *
 * <p>The folder is assembled under a temporary name beside the target and moved into place at the
 * end, so a failure never leaves a half-written model.
 */
public final class UNetExporter {

	private UNetExporter() {}

	/**
	 * Builds a U-Net with He-normal random weights and writes it as a model folder.
	 *
	 * @param target folder to create; must not exist
	 * @param spec model description with a non-null {@link ModelSpec#architecture()}
	 * @param seed weight seed: the same seed gives the same weights
	 * @return the written bundle
	 * @throws SegmentationException if the target exists or cannot be written
	 * @throws IllegalArgumentException if the spec has no architecture
	 */
	public static ModelBundle writeRandom(Path target, ModelSpec spec, long seed) {
		if (spec.architecture() == null) throw new IllegalArgumentException("spec has no architecture to build");
		try (Graph g = new Graph(); Session s = new Session(g)) {
			UNetBuilder builder = new UNetBuilder(Ops.create(g), spec.architecture());
			UNetBuilder.Network net = builder.build();
			builder.initialize(s, seed);
			return write(target, spec, s, net);
		}
	}

	/**
	 * Builds the spec's U-Net (the inference graph, batch normalisation folded) with given weights and writes it as
	 * a model folder: how training exports its models, and how {@code models/make} scripts rewrite one.
	 *
	 * @param target folder to create; must not exist
	 * @param spec model description with a non-null {@link ModelSpec#architecture()}
	 * @param weights every network variable by name ({@link TrainingSession#weights()},
	 *     {@link TrainingSession#readWeights})
	 * @return the written bundle
	 * @throws SegmentationException if the target exists or cannot be written
	 * @throws IllegalArgumentException if the spec has no architecture, or a variable has no value in {@code weights}
	 */
	public static ModelBundle write(Path target, ModelSpec spec, java.util.Map<String, float[]> weights) {
		if (spec.architecture() == null) throw new IllegalArgumentException("spec has no architecture to build");
		try (Graph g = new Graph(); Session s = new Session(g)) {
			UNetBuilder builder = new UNetBuilder(Ops.create(g), spec.architecture());
			UNetBuilder.Network net = builder.build();
			java.util.List<String> missing = builder.initialize(s, 0, weights);
			if (!missing.isEmpty()) throw new IllegalArgumentException("no weights given for " + missing);
			return write(target, spec, s, net);
		}
	}

	/**
	 * Exports a session's graph and variables as a model folder.
	 *
	 * @param target folder to create; must not exist
	 * @param spec model description
	 * @param session session holding the trained variables
	 * @param net the network's tensors
	 * @return the written bundle
	 * @throws SegmentationException if the target exists or cannot be written
	 */
	public static ModelBundle write(Path target, ModelSpec spec, Session session, UNetBuilder.Network net) {
		if (Files.exists(target))
			throw new SegmentationException("Model folder " + target + " already exists. Fix: choose a new folder or delete it.");
		Path parent = target.toAbsolutePath().getParent();
		Path tmp = null;
		try {
			Files.createDirectories(parent);
			tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp");
			Signature sig = Signature.builder().key(spec.signature()).input(spec.inputName(), net.input())
				.output(spec.outputName(), net.output()).build();
			SavedModelBundle.exporter(tmp.toString()).withSession(session).withSignature(sig).export();
			ModelBundle.writeSpec(tmp, spec);
			AtomicFiles.move(tmp, target);
			tmp = null;
			return ModelBundle.read(target);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write model folder " + target + ": " + e.getMessage() +
				". Fix: check that the parent folder is writable and the disk is not full.", e);
		}
		finally {
			if (tmp != null) try {
				AtomicFiles.deleteTree(tmp);
			}
			catch (IOException e) {
				// our own temporary folder; the original error is the one reported
			}
		}
	}
}
