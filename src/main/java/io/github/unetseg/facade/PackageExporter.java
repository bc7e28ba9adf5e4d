package io.github.unetseg.facade;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.tensorflow.TensorFlow;

import com.google.gson.GsonBuilder;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.bioimageio.ExportDescription;
import io.github.unetseg.bioimageio.ModelDescription.FileRef;
import io.github.unetseg.image.PixelArrays;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.Npy;
import io.github.unetseg.model.ModelBundle;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.TensorFlowModel;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * {@code unetseg export --format bioimageio}: a unetseg model folder as a bioimage.io model package
 * (format {@value ExportDescription#FORMAT_VERSION}, {@link ExportDescription}), written as a zip or a
 * folder: {@code bioimageio.yaml}, the SavedModel zipped as {@code tensorflow_saved_model_bundle}, test
 * tensors computed by unetseg, a cover (input and labels side by side), a README generated from
 * {@code model.json} and the model card, and the training history. Every file's SHA-256 is in the
 * description; {@code model.json} is kept under {@code config.unetseg}, so {@code segment --model} on
 * the package runs the original model and gives identical labels.
 *
 * <p>The test input is the centre of a sample image the user gives, cropped to at most
 * {@value #TEST_SIZE_2D} pixels (2D) or {@value #TEST_SIZE_3D} voxels (3D) per axis on the network's grid;
 * the test output is the network's probabilities for that crop, normalised with the crop's own
 * statistics as bioimageio.core does with a sample. The package is built in a temporary folder and moved
 * into place only when complete.
 */
public final class PackageExporter {

	/** Largest test tensor side in pixels. */
	public static final int TEST_SIZE_2D = 256, TEST_SIZE_3D = 64;

	/**
	 * What to put in the package besides the model.
	 *
	 * @param authors author names, at least one
	 * @param license SPDX identifier of the weights' licence
	 * @param tags extra tags
	 */
	public record Options(List<String> authors, String license, List<String> tags) {}

	private PackageExporter() {}

	/**
	 * Writes the package.
	 *
	 * @param modelDir a unetseg model folder
	 * @param sample an image the model segments (file readable by {@link ImageFiles}), its raw intensities
	 *     at the model's spacing and orientation; its centre becomes the test input
	 * @param output the package: a {@code .zip} file, or a folder (created; must not exist or be empty)
	 * @param o authors, licence, tags
	 * @return the description written
	 * @throws SegmentationException naming the file and the fix for an unreadable model or sample, a sample
	 *     of the wrong dimensions or channels or smaller than the network's smallest input, or an output
	 *     that cannot be written
	 */
	public static Map<String, Object> export(Path modelDir, Path sample, Path output, Options o) {
		ModelBundle bundle = ModelBundle.read(modelDir);
		ModelSpec spec = bundle.spec();
		if (o.authors().isEmpty()) throw new SegmentationException("export needs at least one author. Fix: give --author NAME.");
		Volume<?> image = ImageFiles.read(sample);
		if (image.spatialDims() != spec.dimensions() || image.channels() != spec.inputChannels())
			throw new SegmentationException("--sample " + sample + " has " + image.spatialDims() + " dimensions and " + image.channels() +
				" channel(s); " + spec.name() + " takes " + spec.dimensions() + " and " + spec.inputChannels() + ". Fix: give an image the " +
				"model segments.");
		Path dir = null;
		try {
			Path parent = output.toAbsolutePath().getParent();
			Files.createDirectories(parent);
			dir = Files.createTempDirectory(parent, "." + output.getFileName() + ".");
			Map<String, Object> description = write(bundle, crop(image, spec, sample), dir, o);
			if (output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
				Path zip = Files.createTempFile(parent, "." + output.getFileName(), ".tmp");
				zip(dir, zip);
				AtomicFiles.move(zip, output);
			}
			else {
				if (Files.isDirectory(output)) {
					try (Stream<Path> s = Files.list(output)) {
						if (s.findAny().isPresent())
							throw new SegmentationException("--output " + output + " is a folder that is not empty. Fix: give a new folder or a .zip.");
					}
					Files.delete(output);
				}
				AtomicFiles.move(dir, output);
				dir = null;
			}
			return description;
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + output + ": " + e.getMessage() + ". Fix: check that the folder is writable and " +
				"the disk is not full.", e);
		}
		finally {
			if (dir != null) try {
				AtomicFiles.deleteTree(dir);
			}
			catch (IOException e) {
				// our temporary folder; the original outcome stands
			}
		}
	}

	/** A sample's centre on the network's grid, raw values {@code [(z,) y, x, c]} (channels last, C order). */
	record Crop(float[] values, long[] size, int channels, Volume<?> volume) {}

	private static <T extends RealType<T>> Crop crop(Volume<T> image, ModelSpec spec, Path sample) {
		int n = spec.dimensions(), cap = n == 3 ? TEST_SIZE_3D : TEST_SIZE_2D;
		long[] size = new long[n], min = new long[n + 1], max = new long[n + 1];
		for (int d = 0; d < n; d++) {
			int smallest = ExportDescription.minimumSize(spec.alignment(), spec.halo()[d]);
			long s = Math.min(image.spatialSize()[d], Math.max(cap, smallest)) / spec.alignment() * spec.alignment();
			if (s < smallest)
				throw new SegmentationException("--sample " + sample + " is " + image.spatialSize()[d] + " pixels along axis " + "xyz".charAt(d) +
					"; the test input needs at least " + smallest + " (the network's grid " + spec.alignment() + " beyond twice the halo " +
					spec.halo()[d] + "). Fix: give a larger sample.");
			size[d] = s;
			min[d] = (image.spatialSize()[d] - s) / 2;
			max[d] = min[d] + s - 1;
		}
		int channels = image.channels();
		max[n] = channels - 1;
		RandomAccessibleInterval<T> view = Views.zeroMin(Views.interval(image.image(), min, max));
		float[] flat = PixelArrays.floats(view); // [x, y(, z), c], x fastest
		long voxels = flat.length / channels;
		float[] values = new float[flat.length];
		for (long v = 0; v < voxels; v++)
			for (int c = 0; c < channels; c++) values[(int) (v * channels + c)] = flat[(int) (c * voxels + v)];
		Volume<T> cropped = new Volume<>(view, image.calibration());
		return new Crop(values, size, channels, cropped);
	}

	private static Map<String, Object> write(ModelBundle bundle, Crop crop, Path dir, Options o) throws IOException {
		ModelSpec spec = bundle.spec();
		int n = spec.dimensions();
		float[] probabilities;
		try (TensorFlowModel model = TensorFlowModel.load(bundle, new EngineOptions(Device.CPU, 0))) {
			double[][] norm = spec.normalization().affine(crop.volume()), clip = spec.normalization().clipBounds(crop.channels());
			float[] in = crop.values().clone();
			for (int i = 0; i < in.length; i++) {
				int c = i % crop.channels();
				double v = Float.isFinite(in[i]) ? in[i] * norm[0][c] + norm[1][c] : 0;
				in[i] = (float) Math.min(clip[1][c], Math.max(clip[0][c], v));
			}
			probabilities = model.predict(in, 1, crop.size());
		}
		long[] inShape = tensorShape(crop.size(), crop.channels()), outShape = tensorShape(crop.size(), spec.outputChannels());
		Path testIn = dir.resolve("test_input.npy"), testOut = dir.resolve("test_output.npy");
		Npy.write(testIn, new Npy.Array(inShape, "f4", doubles(crop.values())));
		Npy.write(testOut, new Npy.Array(outShape, "f4", doubles(probabilities)));
		Path cover = dir.resolve("cover.png");
		ImageIO.write(cover(crop, probabilities, spec), "png", cover.toFile());
		Path weights = dir.resolve(spec.name() + "-savedmodel.zip");
		zipSavedModel(bundle.directory(), weights);
		List<FileRef> attachments = new ArrayList<>();
		for (String f : new String[] { "history.csv", "history.png" })
			if (Files.isRegularFile(bundle.directory().resolve(f))) {
				Files.copy(bundle.directory().resolve(f), dir.resolve(f));
				attachments.add(ref(dir, f));
			}
		Files.writeString(dir.resolve("README.md"), readme(bundle, crop), StandardCharsets.UTF_8);
		Map<String, Object> modelJson = new GsonBuilder().setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create()
			.fromJson(Files.readString(bundle.modelJson()), new TypeToken<Map<String, Object>>() {}.getType());
		ExportDescription.Contents c = new ExportDescription.Contents(o.authors(), o.license(), o.tags(), "README.md", "cover.png",
			ref(dir, "test_input.npy"), ref(dir, "test_output.npy"), ref(dir, weights.getFileName().toString()), TensorFlow.version(),
			attachments, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
		Map<String, Object> d = ExportDescription.of(spec, modelJson, c);
		DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setWidth(120).build();
		Files.writeString(dir.resolve("bioimageio.yaml"), "# bioimage.io model description written by unetseg\n" +
			new Dump(settings).dumpToString(d), StandardCharsets.UTF_8);
		return d;
	}

	/** {@code [1, (z,) y, x, channels]} of a crop {@code [x, y(, z)]}. */
	private static long[] tensorShape(long[] size, int channels) {
		long[] s = new long[size.length + 2];
		s[0] = 1;
		for (int d = 0; d < size.length; d++) s[size.length - d] = size[d];
		s[size.length + 1] = channels;
		return s;
	}

	private static double[] doubles(float[] f) {
		double[] d = new double[f.length];
		for (int i = 0; i < f.length; i++) d[i] = f[i];
		return d;
	}

	private static FileRef ref(Path dir, String name) {
		return new FileRef(name, io.github.unetseg.bioimageio.Descriptions.sha256(dir.resolve(name)));
	}

	/**
	 * The input's first channel (middle slice in 3D, 1-99.8 percentile window) beside its labels (class
	 * colours), at most 256 pixels high.
	 */
	static BufferedImage cover(Crop crop, float[] probabilities, ModelSpec spec) {
		long[] s = crop.size();
		int w = (int) s[0], h = (int) s[1], z = s.length > 2 ? (int) (s[2] / 2) : 0, ch = crop.channels(), k = spec.outputChannels();
		float[] grey = new float[w * h];
		for (int i = 0; i < grey.length; i++) grey[i] = crop.values()[(z * w * h + i) * ch];
		float[] sorted = grey.clone();
		Arrays.sort(sorted);
		float lo = sorted[(int) (0.01 * (sorted.length - 1))], hi = sorted[(int) (0.998 * (sorted.length - 1))];
		int[] colours = { 0x000000, 0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4, 0x46F0F0, 0xF032E6, 0xBCF60C };
		BufferedImage img = new BufferedImage(2 * w, h, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int i = y * w + x, g = (int) Math.max(0, Math.min(255, 255 * (grey[i] - lo) / Math.max(1e-12f, hi - lo)));
				img.setRGB(x, y, g * 0x010101);
				int at = (z * w * h + i) * k, label = 0;
				if (k == 1) label = probabilities[at] > 0.5 ? 1 : 0;
				else for (int c = 1; c < k; c++) if (probabilities[at + c] > probabilities[at + label]) label = c;
				img.setRGB(w + x, y, label == 0 ? g / 3 * 0x010101 : colours[1 + (label - 1) % (colours.length - 1)]);
			}
		return img;
	}

	private static String readme(ModelBundle bundle, Crop crop) throws IOException {
		ModelSpec spec = bundle.spec();
		StringBuilder b = new StringBuilder();
		b.append("# ").append(spec.name()).append("\n\n").append(spec.description()).append("\n\n");
		b.append("A U-Net (").append(spec.dimensions()).append("D) trained with unetseg, exported as a bioimage.io package.\n\n");
		b.append("- Classes: ").append(String.join(", ", spec.classNames())).append(" (").append(spec.output()).append(" output)\n");
		b.append("- Input: ").append(spec.inputChannels()).append(" channel(s), channels last; normalisation ")
			.append(spec.normalization()).append(" (as the package's preprocessing)\n");
		b.append("- Voxel spacing the model expects: ").append(Arrays.toString(spec.spacing())).append(' ').append(spec.spacingUnit())
			.append(" [x, y(, z)]").append(spec.orientation() == null ? "" : "; array orientation " + spec.orientation()).append('\n');
		b.append("- Tile sizes: multiples of ").append(spec.alignment()).append(" pixels; halo ").append(Arrays.toString(spec.halo())).append('\n');
		if (spec.instances() != null)
			b.append("- Instance model: the outputs are the probabilities of ").append(spec.instances().targetKind() == io.github.unetseg.objects
				.InstanceDecoder.Target.BOUNDARY ? "background, interior and boundary" : "background and levels of the normalised distance to the " +
				"object's border").append("; unetseg turns them into objects by a seeded watershed (parameters under config.unetseg.instances)\n");
		if (spec.postprocessing() != null)
			b.append("- unetseg post-processing of the labels: ").append(spec.postprocessing()).append('\n');
		if (spec.provenance() != null) {
			b.append("\n## Training\n\n").append(spec.provenance().trainingData()).append("\n\n").append(spec.provenance().notes()).append('\n');
			b.append("\nSoftware: ").append(spec.provenance().software()).append(", created ").append(spec.provenance().created()).append('\n');
		}
		b.append("\n## Use\n\nWith unetseg (Fiji or `unetseg segment --model PACKAGE.zip`) the package runs exactly as the original model ")
			.append("(its model.json is kept under config.unetseg), including ")
			.append("resampling to the model's spacing and reorientation, which the bioimage.io description cannot express: other consumers ")
			.append("must give inputs at the spacing in the axes' scale. The test tensors are the centre ")
			.append(Arrays.toString(crop.size())).append(" of a sample image and unetseg's probabilities for it.\n");
		Path card = bundle.directory().resolve("README.md");
		if (Files.isRegularFile(card)) b.append("\n## Model card\n\n").append(Files.readString(card, StandardCharsets.UTF_8));
		return b.toString();
	}

	/**
	 * Zips a SavedModel's files ({@code saved_model.pb}, {@code fingerprint.pb}, {@code variables/}, {@code assets/}). Each
	 * entry carries its file's modification time, so exporting the same model twice gives the same zip (and SHA-256).
	 */
	private static void zipSavedModel(Path model, Path zip) throws IOException {
		try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> s = Files.walk(model)) {
			for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
				String rel = model.relativize(p).toString().replace('\\', '/');
				if (!(rel.equals("saved_model.pb") || rel.equals("fingerprint.pb") || rel.startsWith("variables/") || rel.startsWith("assets/")))
					continue;
				ZipEntry e = new ZipEntry(rel);
				e.setTime(Files.getLastModifiedTime(p).toMillis());
				out.putNextEntry(e);
				Files.copy(p, out);
				out.closeEntry();
			}
		}
	}

	/** Zips a folder's files with paths relative to it. */
	private static void zip(Path dir, Path zip) throws IOException {
		try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(os); Stream<Path> s = Files.walk(dir)) {
			for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
				out.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
				Files.copy(p, out);
				out.closeEntry();
			}
		}
	}
}
