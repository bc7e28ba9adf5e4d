import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.TrainingSession;
import io.github.unetseg.tensorflow.UNetExporter;

/**
 * Logit adjustment of one class (Menon et al., "Long-tail learning via logit adjustment", ICLR 2021): writes a copy of
 * a unetseg softmax model whose output bias for that class is raised by DELTA, so that its probability before
 * renormalisation is multiplied by e^DELTA. Issue 14 uses it twice: post hoc (the argmax then gives the class where
 * the network ranks it high but below background; DELTA chosen on the selection patients, models/make/shift_sweep_ct.sh),
 * and to revive a class whose probability has collapsed before a further training stage (--init from the copy): the
 * CT model localised the oesophagus at probabilities of 0.0003-0.002 inside it, where the softmax gradient all but
 * vanishes; raised by 4, the next Dice + focal epoch learnt it (selection Dice 0 -> 0.41). The shift is recorded in
 * model.json's provenance notes.
 *
 * <p>Usage, from the repository root after {@code mvn package}:
 * {@code java -cp "target/unetseg-0.1.0-SNAPSHOT.jar:target/lib/*" models/make/ShiftClassLogit.java MODEL CLASS DELTA OUT}
 * (CLASS a class name of model.json, DELTA in logits, OUT a new folder).
 */
public class ShiftClassLogit {

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]), out = Path.of(args[3]);
		double delta = Double.parseDouble(args[2]);
		ModelBundle model = ModelBundle.read(dir);
		ModelSpec spec = model.spec();
		int k = spec.classNames().indexOf(args[1]);
		if (k < 0 || spec.binary() || spec.architecture() == null)
			throw new IllegalArgumentException(args[1] + " is not a class of the softmax U-Net " + dir + ": " + spec.classNames());
		Map<String, float[]> weights = TrainingSession.readWeights(dir);
		// the output convolution is the last one: its bias has one value per class
		String bias = null;
		for (String name : weights.keySet())
			if (name.endsWith(".bias") && weights.get(name).length == spec.classNames().size()) bias = name;
		if (bias == null) throw new IllegalStateException("no output bias in " + dir);
		weights.get(bias)[k] += (float) delta;
		spec = spec.withNote(String.format(Locale.ROOT, "output logit of %s raised by %.2f after training (logit adjustment)", args[1], delta));
		UNetExporter.write(out, spec, weights);
		for (String extra : new String[] { "history.csv", "history.png", "README.md" })
			if (Files.exists(dir.resolve(extra))) Files.copy(dir.resolve(extra), out.resolve(extra));
		System.out.println("wrote " + out + ": " + bias + "[" + k + "] (" + args[1] + ") + " + delta);
	}
}
