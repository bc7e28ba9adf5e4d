package io.github.unetseg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyNifti;
import io.github.unetseg.tiling.TileReader;
import net.imglib2.type.numeric.RealType;

/**
 * Tile reads from an image without arrays, as the streaming path reads them: test-images/ch2 (181 x
 * 217 x 181) written as an uncompressed .nii and opened lazily ({@link LazyNifti}, 256 MiB cache), then
 * 36 tiles of 96³ inside the volume read six times; prints each repetition's wall time. Usage:
 * TileReadBench [scratch folder].
 */
public final class TileReadBench {

	public static void main(String[] args) throws Exception {
		Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("tileread");
		Path nii = dir.resolve("ch2.nii");
		if (!Files.exists(nii)) ImageFiles.write(ImageFiles.read(Path.of("test-images/ch2.nii.gz")), nii, 0);
		run(LazyNifti.open(nii, 256L << 20));
	}

	static <T extends RealType<T>> void run(Volume<T> v) {
		TileReader<T> reader = new TileReader<>(v, new double[] { 1 }, new double[] { 0 });
		long[] size = { 96, 96, 96 };
		float[] dst = new float[96 * 96 * 96];
		for (int rep = 0; rep < 6; rep++) {
			long t0 = System.nanoTime();
			int tiles = 0;
			for (long x = 0; x + 96 <= 181; x += 40)
				for (long y = 0; y + 96 <= 217; y += 40)
					for (long z = 0; z + 96 <= 181; z += 40, tiles++) reader.read(new long[] { x, y, z }, size, dst, 0);
			System.out.printf(Locale.ROOT, "repetition %d: %d tiles of 96^3 in %.1f ms%n", rep + 1, tiles, (System.nanoTime() - t0) / 1e6);
		}
	}
}
