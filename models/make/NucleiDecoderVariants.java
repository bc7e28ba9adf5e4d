import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.InstanceMatching;
import io.github.unetseg.objects.InstanceDecoder;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Issue 13, session 15: seed splitting in the instance decoder, measured without retraining. Decodes saved
 * probability maps of models/nuclei-fluo-2d with the shipped decoder and with variants: face-connected seeds, and
 * seed components split where they hold two or more parts above a higher p(interior) level, each of at least a
 * minimum area (h-maxima with an area limit). Prints AP at IoU 0.5 and the mean AP over IoU 0.5-0.9 per set
 * (TP/FP/FN summed over the images, StarDist's matching_dataset). Uses the decoder's own steps by reflection, so it
 * runs against the built JAR:
 *
 *   for s in validation test-group test-random; do bin/unetseg segment --model models/nuclei-fluo-2d --probabilities \
 *     --output /work/nd/$s /work/nuclei-data/$s/images; done
 *   java -cp "target/unetseg-0.1.0-SNAPSHOT.jar:target/lib/*" models/make/NucleiDecoderVariants.java /work/nuclei-data /work/nd
 */
public class NucleiDecoderVariants {

	/** The shipped model's parameters (model.json). */
	static final double PROBABILITY = 0.7, SEED = 0.5;
	static final int MIN_SIZE = 44;

	static Method components, flood, relabel;

	record Variant(String name, boolean fullSeeds, double[] levels, int minPart) {}

	record Image(int[] truth, int[] size, float[] background, float[] interior) {}

	public static void main(String[] args) throws Exception {
		components = InstanceDecoder.class.getDeclaredMethod("components", byte[].class, int[].class, int[].class, boolean.class, int.class);
		flood = InstanceDecoder.class.getDeclaredMethod("flood", int[].class, boolean[].class, float[].class, int[].class);
		relabel = InstanceDecoder.class.getDeclaredMethod("relabel", int[].class, int.class, int.class);
		for (Method m : new Method[] { components, flood, relabel }) m.setAccessible(true);
		double[] four = { 0.6, 0.7, 0.8, 0.9 };
		List<Variant> variants = List.of(new Variant("shipped", true, null, 0), new Variant("face seeds", false, null, 0),
			new Variant("split .6-.9, 5 px", true, four, 5), new Variant("split .6-.9, 10 px", true, four, 10),
			new Variant("split .6-.9, 20 px", true, four, 20), new Variant("split .7,.9, 10 px", true, new double[] { 0.7, 0.9 }, 10),
			new Variant("face, split .6-.9, 10", false, four, 10));
		Map<String, List<Image>> sets = new LinkedHashMap<>();
		for (String set : new String[] { "validation", "test-group", "test-random" }) sets.put(set, read(Path.of(args[0], set, "labels"),
			Path.of(args[1], set)));
		for (Variant v : variants) {
			StringBuilder line = new StringBuilder(String.format("%-24s", v.name()));
			for (Map.Entry<String, List<Image>> e : sets.entrySet()) {
				List<InstanceMatching.Counts[]> perImage = new ArrayList<>();
				for (Image im : e.getValue())
					perImage.add(InstanceMatching.match(im.truth(), decode(im, v), InstanceMatching.THRESHOLDS));
				InstanceMatching.Counts[] c = InstanceMatching.sum(perImage);
				line.append(String.format("  %s AP@0.5 %.4f mean AP %.4f (TP %d FP %d FN %d)", e.getKey(), c[0].accuracy(),
					InstanceMatching.meanAccuracy(c), c[0].tp(), c[0].fp(), c[0].fn()));
			}
			System.out.println(line);
		}
	}

	static List<Image> read(Path labels, Path probabilities) throws Exception {
		List<Image> out = new ArrayList<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(labels)) {
			for (Path truth : files) {
				String base = truth.getFileName().toString().replaceFirst("\\.png$", "");
				@SuppressWarnings("unchecked")
				Volume<FloatType> p = (Volume<FloatType>) ImageFiles.read(probabilities.resolve(base + "_probabilities.tif"));
				float[][] maps = InstanceDecoder.maps(p, InstanceDecoder.Target.BOUNDARY);
				long[] s = p.spatialSize();
				out.add(new Image(values(ImageFiles.read(truth)), new int[] { (int) s[0], (int) s[1], 1 }, maps[0], maps[1]));
			}
		}
		return out;
	}

	static int[] values(Volume<?> v) {
		int[] out = new int[(int) v.voxelCount()];
		int i = 0;
		for (Object t : Views.flatIterable(v.image())) out[i++] = (int) Math.round(((RealType<?>) t).getRealDouble());
		return out;
	}

	/** The shipped decoder's steps (InstanceDecoder.decode), with the variant's seeds. */
	static int[] decode(Image im, Variant v) throws Exception {
		int n = im.background().length;
		float[] interior = im.interior();
		boolean[] fg = new boolean[n];
		byte[] seed = new byte[n];
		for (int i = 0; i < n; i++) {
			fg[i] = 1 - im.background()[i] > PROBABILITY;
			if (fg[i] && interior[i] > SEED) seed[i] = 1;
		}
		int[] labels = new int[n];
		int seeds = (int) components.invoke(null, seed, labels, im.size(), v.fullSeeds(), 1);
		for (double level : v.levels() == null ? new double[0] : v.levels()) seeds = split(labels, seeds, interior, level, v, im.size());
		flood.invoke(null, labels, fg, interior, im.size());
		byte[] rest = new byte[n];
		boolean any = false;
		for (int i = 0; i < n; i++) if (fg[i] && labels[i] == 0) {
			rest[i] = 1;
			any = true;
		}
		int total = seeds + (any ? (int) components.invoke(null, rest, labels, im.size(), false, seeds + 1) : 0);
		return ((InstanceDecoder.Instances) relabel.invoke(null, labels, total, MIN_SIZE)).labels();
	}

	/** Replaces each seed that holds two or more parts above {@code level} of {@code minPart} pixels or more by those parts. */
	static int split(int[] labels, int seeds, float[] interior, double level, Variant v, int[] size) throws Exception {
		int n = labels.length;
		byte[] high = new byte[n];
		for (int i = 0; i < n; i++) if (labels[i] > 0 && interior[i] > level) high[i] = 1;
		int[] parts = new int[n];
		int count = (int) components.invoke(null, high, parts, size, v.fullSeeds(), 1);
		int[] area = new int[count + 1], parent = new int[count + 1], big = new int[seeds + 1];
		for (int i = 0; i < n; i++) if (parts[i] > 0) {
			area[parts[i]]++;
			parent[parts[i]] = labels[i];
		}
		for (int h = 1; h <= count; h++) if (area[h] >= v.minPart()) big[parent[h]]++;
		int[] id = new int[count + 1];
		int next = seeds + 1;
		for (int h = 1; h <= count; h++) if (area[h] >= v.minPart() && big[parent[h]] >= 2) id[h] = next++;
		if (next == seeds + 1) return seeds;
		for (int i = 0; i < n; i++) {
			int l = labels[i];
			if (l > 0 && big[l] >= 2) labels[i] = parts[i] > 0 ? id[parts[i]] : 0;
		}
		// ids of the replaced seeds are left unused; relabel numbers the objects 1..N again
		return next - 1;
	}
}
