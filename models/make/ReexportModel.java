import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.tensorflow.TrainingSession;
import io.github.unetseg.tensorflow.UNetExporter;

/**
 * Rewrites a unetseg model folder's SavedModel graph with the current UNetBuilder, keeping every
 * variable's value (and model.json, history.*): how the shipped models got the inference graph with
 * batch normalisation folded into the convolutions. Refuses if any variable of the new graph has no
 * value in the old model.
 *
 * <p>Usage, from the repository root after {@code mvn package}:
 * {@code java -cp "target/classes:target/lib/*" models/make/ReexportModel.java models/brain-mri-3d}
 */
public class ReexportModel {

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		ModelBundle old = ModelBundle.read(dir);
		Map<String, float[]> weights = TrainingSession.readWeights(dir);
		Path tmp = Files.createTempDirectory("reexport");
		Path out = tmp.resolve("model");
		UNetExporter.write(out, old.spec(), weights);
		Files.move(dir.resolve("saved_model.pb"), tmp.resolve("old_saved_model.pb"));
		Files.move(dir.resolve("variables"), tmp.resolve("old_variables"));
		Files.move(out.resolve("saved_model.pb"), dir.resolve("saved_model.pb"), StandardCopyOption.ATOMIC_MOVE);
		Files.move(out.resolve("variables"), dir.resolve("variables"), StandardCopyOption.ATOMIC_MOVE);
		AtomicFiles.deleteTree(tmp);
		System.out.println("rewrote the graph of " + dir + " with " + weights.size() + " variables unchanged");
	}
}
