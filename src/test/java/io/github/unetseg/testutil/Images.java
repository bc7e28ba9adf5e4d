package io.github.unetseg.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/** Synthetic test images with fixed seeds. */
public final class Images {

	/**
	 * Copies the two real MRI slices and their brain masks into {@code dir/<name>-images} and
	 * {@code dir/<name>-labels} (files {@code z70.tif}, {@code z90.tif}), a training set in folders.
	 *
	 * @return {@code {images, labels}}
	 */
	public static Path[] brainTrainingFolders(Path dir, String name) throws IOException {
		Path images = Files.createDirectories(dir.resolve(name + "-images")), labels = Files.createDirectories(dir.resolve(name + "-labels"));
		for (String z : new String[] { "z70", "z90" }) {
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + ".tif"), images.resolve(z + ".tif"));
			Files.copy(Path.of("test-images/mri-t1-axial-" + z + "-brainmask.tif"), labels.resolve(z + ".tif"));
		}
		return new Path[] { images, labels };
	}

	/**
	 * An ImageJ hyperstack of the given planes in ImageJ's order (channel fastest, then slice, then frame).
	 *
	 * @param title the image title
	 * @param channels channels per slice
	 * @param slices slices per frame
	 * @param planes the planes, {@code channels * slices * frames} of one size
	 * @return the hyperstack, {@code planes.length / (channels * slices)} frames, uncalibrated
	 */
	public static ij.ImagePlus hyperstack(String title, int channels, int slices, ij.process.ImageProcessor... planes) {
		ij.ImageStack stack = new ij.ImageStack(planes[0].getWidth(), planes[0].getHeight());
		for (ij.process.ImageProcessor p : planes) stack.addSlice(p);
		ij.ImagePlus imp = new ij.ImagePlus(title, stack);
		imp.setDimensions(channels, slices, planes.length / (channels * slices));
		imp.setOpenAsHyperStack(true);
		return imp;
	}

	/** @return a copy of test-images/dicom-ct-series in {@code dir/series}, to damage in a test */
	public static Path dicomSeriesCopy(Path dir) throws IOException {
		Path series = Files.createDirectories(dir.resolve("series"));
		try (var s = Files.list(Path.of("test-images/dicom-ct-series"))) {
			for (Path p : s.toList()) Files.copy(p, series.resolve(p.getFileName()));
		}
		return series;
	}


	private Images() {}

	/**
	 * Smooth random blobs: a sum of Gaussian bumps at random positions plus a little noise, values
	 * roughly in [0, 200].
	 *
	 * @param seed random seed
	 * @param size spatial size [x, y(, z)]
	 * @return a one-channel float volume
	 */
	public static Volume<FloatType> blobs(long seed, long... size) {
		long[] dims = Arrays.copyOf(size, size.length + 1);
		dims[size.length] = 1;
		ArrayImg<FloatType, ?> img = ArrayImgs.floats(dims);
		float[] a = ((net.imglib2.img.basictypeaccess.array.FloatArray) img.update(null)).getCurrentStorageArray();
		Random r = new Random(seed);
		int n = size.length;
		long voxels = a.length;
		int bumps = (int) Math.max(4, voxels / (n == 2 ? 2000 : 20000));
		double sigma = n == 2 ? 6 : 4;
		long[] pos = new long[n];
		for (int b = 0; b < bumps; b++) {
			double[] c = new double[n];
			for (int d = 0; d < n; d++) c[d] = r.nextDouble() * size[d];
			double amp = 100 + 100 * r.nextDouble();
			int rad = (int) (3 * sigma);
			long[] lo = new long[n], hi = new long[n];
			for (int d = 0; d < n; d++) {
				lo[d] = Math.max(0, (long) c[d] - rad);
				hi[d] = Math.min(size[d] - 1, (long) c[d] + rad);
			}
			forEach(lo, hi, pos, () -> {
				double q = 0;
				for (int d = 0; d < n; d++) q += (pos[d] - c[d]) * (pos[d] - c[d]);
				int i = index(pos, size);
				a[i] = (float) Math.max(a[i], amp * Math.exp(-q / (2 * sigma * sigma)));
			});
		}
		for (int i = 0; i < a.length; i++) a[i] += (float) (r.nextGaussian() * 5);
		return new Volume<>(img, Calibration.uncalibrated(n));
	}

	private static int index(long[] pos, long[] size) {
		long i = 0;
		for (int d = pos.length - 1; d >= 0; d--) i = i * size[d] + pos[d];
		return (int) i;
	}

	private static void forEach(long[] lo, long[] hi, long[] pos, Runnable r) {
		System.arraycopy(lo, 0, pos, 0, lo.length);
		while (true) {
			r.run();
			int d = 0;
			while (d < pos.length && ++pos[d] > hi[d]) {
				pos[d] = lo[d];
				d++;
			}
			if (d == pos.length) return;
		}
	}

	/**
	 * Copies any real image into a flat float array in ImgLib2 flat order (x fastest).
	 *
	 * @param img the image
	 * @return its values
	 */
	public static <T extends RealType<T>> float[] toFloats(RandomAccessibleInterval<T> img) {
		long n = 1;
		for (long d : img.dimensionsAsLongArray()) n *= d;
		float[] f = new float[(int) n];
		int i = 0;
		for (T t : Views.flatIterable(img)) f[i++] = t.getRealFloat();
		return f;
	}
}
