/*
 * Prepares OpenKBP's head-and-neck CTs for unetseg (issue 14): values HU + 1000 become Hounsfield units,
 * each file gets the affine of its true orientation (the source headers' diagonal affines are wrong;
 * ../shared/data/README.md: axis 0 anterior -> posterior, axis 1 patient's right -> left, axis 2
 * head -> feet), image and labels get the same base name, and the patients are split by patient into
 * train / select (checkpoint selection) / test (OpenKBP's validation patients, never used to select).
 *
 * Run from the repository root after 'mvn -q -B package -DskipTests':
 *   java -cp "target/unetseg-0.1.0-SNAPSHOT.jar:target/lib/*" models/make/PrepareOpenKbp.java ../shared/data/openkbp /work/ct-data
 * It writes <out>/{train,select,test}/{images,labels}/<split>_<patient>.nii.gz and prints split.csv.
 */
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.NiftiIO;
import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

public class PrepareOpenKbp {

	/** Patients of the training split held out to select checkpoints. */
	static final int SELECT = 20;
	static final long SEED = 14;

	public static void main(String[] args) throws Exception {
		Path data = Path.of(args[0]), out = Path.of(args[1]);
		List<String[]> rows = new ArrayList<>();
		for (String line : Files.readAllLines(data.resolve("index.csv")).subList(1, Files.readAllLines(data.resolve("index.csv")).size())) {
			String[] f = line.split(",");
			if (f[2].equals("True")) rows.add(f);
		}
		List<String[]> train = new ArrayList<>(rows.stream().filter(f -> f[0].equals("train-pats")).toList());
		Collections.shuffle(train, new Random(SEED));
		System.out.println("image,patient,set,spacing_mm,rois");
		for (String[] f : rows) {
			String set = f[0].equals("validation-pats") ? "test" : train.indexOf(f) < SELECT ? "select" : "train";
			String name = f[0] + "_" + f[1];
			Volume<?> ct = ImageFiles.read(data.resolve("ct").resolve(name + "_ct.nii.gz"));
			Volume<?> oar = ImageFiles.read(data.resolve("labels").resolve(name + "_oar.nii.gz"));
			String[] sp = f[3].split(" ");
			double[] spacing = { Double.parseDouble(sp[0]), Double.parseDouble(sp[1]), Double.parseDouble(sp[2]) };
			Calibration cal = new Calibration(spacing, "mm", affine(spacing));
			Path dir = out.resolve(set);
			Files.createDirectories(dir.resolve("images"));
			Files.createDirectories(dir.resolve("labels"));
			NiftiIO.write(hu(ct, cal), dir.resolve("images").resolve(name + ".nii.gz"));
			NiftiIO.write(labels(oar, cal), dir.resolve("labels").resolve(name + ".nii.gz"));
			System.out.println(name + "," + f[1] + "," + set + "," + f[3] + "," + f[4]);
		}
	}

	/**
	 * NIfTI's RAS+ world from the array axes: x (axis 0) runs to posterior (-A), y (axis 1) to the
	 * patient's left (-R), z (axis 2) to the feet (-S); origin at the first voxel.
	 */
	static double[] affine(double[] s) {
		return new double[] {
			0, -s[1], 0, 0,
			-s[0], 0, 0, 0,
			0, 0, -s[2], 0 };
	}

	static <T extends RealType<T>> Volume<ShortType> hu(Volume<T> v, Calibration cal) {
		long[] dims = v.image().dimensionsAsLongArray();
		var img = ArrayImgs.shorts(dims);
		Cursor<ShortType> o = Views.flatIterable(img).cursor();
		for (T t : Views.flatIterable(v.image())) o.next().set((short) Math.round(t.getRealDouble() - 1000));
		return new Volume<>(img, cal);
	}

	static <T extends RealType<T>> Volume<UnsignedByteType> labels(Volume<T> v, Calibration cal) {
		long[] dims = v.image().dimensionsAsLongArray();
		var img = ArrayImgs.unsignedBytes(dims);
		Cursor<UnsignedByteType> o = Views.flatIterable(img).cursor();
		for (T t : Views.flatIterable(v.image())) o.next().set((int) Math.round(t.getRealDouble()));
		return new Volume<>(img, cal);
	}
}
