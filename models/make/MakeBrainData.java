import java.nio.file.Files;
import java.nio.file.Path;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.NiftiIO;
import io.github.unetseg.io.TiffIO;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

/**
 * Writes the training, validation and held-out test data of the shipped brain-mask models from
 * test-images/ch2.nii.gz and ch2-brainmask.nii.gz into a folder (default /tmp/unetseg-brain):
 *
 * 2d/{train,val,test}/{images,labels}: axial slices, y flipped as in test-images/. Training slices
 *   k in [20, 55) and [105, 160), every second; validation k in [55, 60) and [100, 105); test
 *   k in [60, 100) (which holds the README slices k = 70 and k = 90), never seen in training.
 * 3d/{train,val,test}/{images,labels}: sagittal blocks of the volume: training x in [0, 80),
 *   validation x in [80, 100), test x in [100, 181).
 *
 * Run from the repository root after 'mvn package':
 * java -cp "target/classes:target/lib/*" models/make/MakeBrainData.java [folder]
 */
public class MakeBrainData {

	public static void main(String[] args) throws Exception {
		Path root = Path.of(args.length > 0 ? args[0] : "/tmp/unetseg-brain");
		Volume<?> t1 = NiftiIO.read(Path.of("test-images/ch2.nii.gz"));
		Volume<?> mask = NiftiIO.read(Path.of("test-images/ch2-brainmask.nii.gz"));
		for (int k = 20; k < 160; k++) {
			String set = k >= 60 && k < 100 ? "test" : (k >= 55 && k < 60) || (k >= 100 && k < 105) ? "val" : "train";
			if (set.equals("train") && k % 2 == 1) continue;
			slice(t1, k, false, root.resolve("2d/" + set + "/images/axial-" + k + ".tif"));
			slice(mask, k, true, root.resolve("2d/" + set + "/labels/axial-" + k + ".tif"));
		}
		block(t1, mask, 0, 80, root.resolve("3d/train"), "left");
		block(t1, mask, 80, 100, root.resolve("3d/val"), "middle");
		block(t1, mask, 100, 181, root.resolve("3d/test"), "right");
		System.out.println("written to " + root);
	}

	static void slice(Volume<?> v, int z, boolean binary, Path out) throws Exception {
		Files.createDirectories(out.getParent());
		long w = v.image().dimension(0), h = v.image().dimension(1);
		ArrayImg<UnsignedByteType, ?> img = ArrayImgs.unsignedBytes(w, h, 1);
		RandomAccess<? extends RealType<?>> ra = v.image().randomAccess();
		var c = img.cursor();
		while (c.hasNext()) {
			c.fwd();
			ra.setPosition(new long[] { c.getLongPosition(0), h - 1 - c.getLongPosition(1), z, 0 });
			double val = ra.get().getRealDouble();
			c.get().set(binary ? (val > 0 ? 1 : 0) : (int) Math.max(0, Math.min(255, val)));
		}
		TiffIO.write(new Volume<>(img, Calibration.of("mm", 1, 1)), out, binary ? 2 : 0);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static void block(Volume<?> t1, Volume<?> mask, long x0, long x1, Path dir, String name) throws Exception {
		for (String kind : new String[] { "images", "labels" }) {
			Volume<?> v = kind.equals("images") ? t1 : mask;
			long[] max = v.image().maxAsLongArray();
			RandomAccessibleInterval crop = Views.zeroMin(Views.interval(v.image(), new long[] { x0, 0, 0, 0 },
				new long[] { x1 - 1, max[1], max[2], 0 }));
			double[] a = v.calibration().affine();
			if (a != null) for (int r = 0; r < 3; r++) a[4 * r + 3] += a[4 * r] * x0; // keep world positions
			Files.createDirectories(dir.resolve(kind));
			ImageFiles.write(new Volume(crop, new Calibration(v.calibration().spacing(), v.calibration().unit(), a)),
				dir.resolve(kind).resolve("ch2-" + name + ".nii.gz"), 0);
		}
	}
}
