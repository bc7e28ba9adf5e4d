package io.github.unetseg.bench;

import java.nio.file.Path;
import java.util.List;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.tensorflow.UNetExporter;

/**
 * Writes a random-weight U-Net model folder for the larger benchmark configurations (weights do not
 * change speed; the twins check agreement on them all the same).
 * Usage: RandomModel OUT_DIR DIMS DEPTH FILTERS [batchnorm]
 */
public final class RandomModel {

	public static void main(String[] args) {
		int dims = Integer.parseInt(args[1]), depth = Integer.parseInt(args[2]), filters = Integer.parseInt(args[3]);
		UNetConfig c = new UNetConfig(dims, 1, 1, depth, filters, args.length > 4 && args[4].equals("batchnorm"), 0);
		long[] tile = new long[dims], halo = new long[dims];
		double[] spacing = new double[dims];
		java.util.Arrays.fill(tile, dims == 2 ? 512 : 128);
		java.util.Arrays.fill(halo, c.receptiveFieldRadius());
		java.util.Arrays.fill(spacing, 1);
		UNetExporter.writeRandom(Path.of(args[0]), ModelSpec.forUNet(Path.of(args[0]).getFileName().toString(), c,
			List.of("background", "foreground"), Normalization.percentile(), spacing, "pixel", tile, halo, null), 1);
	}
}
