import java.nio.file.Path;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.NiftiIO;
import io.github.unetseg.io.TiffIO;
import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * Regenerates the derived files in test-images/ from ch2.nii.gz and ch2bet.nii.gz (Debian's
 * mricron-data). Run from the repository root after 'mvn package':
 * java -cp "target/classes:target/lib/*" test-images/make/MakeTestImages.java
 */
public class MakeTestImages {

	public static void main(String[] args) {
		Volume<?> t1 = NiftiIO.read(Path.of("test-images/ch2.nii.gz"));
		Volume<?> bet = NiftiIO.read(Path.of("test-images/ch2bet.nii.gz"));
		// axial slices (k = z): 90 through the ventricles, 70 lower; 1 mm spacing
		for (int z : new int[] { 70, 90 }) {
			slice(t1, z, false, "test-images/mri-t1-axial-z" + z + ".tif");
			slice(bet, z, true, "test-images/mri-t1-axial-z" + z + "-brainmask.tif");
		}
		// brain mask volume: ch2bet > 0
		long[] d = bet.image().dimensionsAsLongArray();
		ArrayImg<UnsignedByteType, ?> mask = ArrayImgs.unsignedBytes(d);
		var c = mask.cursor();
		var ra = bet.image().randomAccess();
		while (c.hasNext()) {
			c.fwd();
			ra.setPosition(c);
			c.get().set(((RealType<?>) ra.get()).getRealDouble() > 0 ? 1 : 0);
		}
		NiftiIO.write(new Volume<>(mask, bet.calibration()), Path.of("test-images/ch2-brainmask.nii.gz"));
	}

	static void slice(Volume<?> v, int z, boolean binary, String out) {
		long w = v.image().dimension(0), h = v.image().dimension(1);
		ArrayImg<UnsignedByteType, ?> img = ArrayImgs.unsignedBytes(w, h, 1);
		RandomAccess<? extends RealType<?>> ra = v.image().randomAccess();
		var c = img.cursor();
		while (c.hasNext()) {
			c.fwd();
			// ImageJ shows y downwards; NIfTI's j axis points anterior, so flip y to show the nose at the top
			ra.setPosition(new long[] { c.getLongPosition(0), h - 1 - c.getLongPosition(1), z, 0 });
			double val = ra.get().getRealDouble();
			c.get().set(binary ? (val > 0 ? 1 : 0) : (int) Math.max(0, Math.min(255, val)));
		}
		TiffIO.write(new Volume<>(img, io.github.unetseg.image.Calibration.of("mm", 1, 1)), Path.of(out), binary ? 2 : 0);
	}
}
