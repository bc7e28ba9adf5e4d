package io.github.unetseg.bench;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.github.unetseg.data.Normalization;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.LazyNifti;
import io.github.unetseg.model.ModelSpec;
import io.github.unetseg.model.UNetConfig;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.facade.FileResult;
import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tensorflow.UNetExporter;
import net.imglib2.img.array.ArrayImgs;

/**
 * Segments a synthetic 3D volume larger than the Java heap: writes an uncompressed 16-bit NIfTI of
 * X x Y x Z voxels (default 2048 x 2048 x 512, 4 GiB) slab by slab, segments it with a small random
 * U-Net (3D, depth 1, 2 filters) through the streaming path, and prints time, voxels per second and
 * the peak resident memory (VmHWM). Run with -Xmx1g (bench/run.sh large does).
 * Usage: LargeVolumeBench DIR [X Y Z TILE]
 */
public final class LargeVolumeBench {

	public static void main(String[] args) throws Exception {
		Path dir = Path.of(args[0]);
		int x = args.length > 1 ? Integer.parseInt(args[1]) : 2048, y = args.length > 2 ? Integer.parseInt(args[2]) : 2048;
		int z = args.length > 3 ? Integer.parseInt(args[3]) : 512;
		long tile = args.length > 4 ? Long.parseLong(args[4]) : 256;
		Files.createDirectories(dir);
		Path input = dir.resolve("large.nii");
		long t0 = System.nanoTime();
		writeVolume(input, x, y, z);
		System.out.printf(Locale.ROOT, "wrote %s: %d x %d x %d uint16, %.2f GiB in %.1f s%n", input, x, y, z,
			Files.size(input) / 1073741824.0, (System.nanoTime() - t0) / 1e9);
		Path model = dir.resolve("tiny3d");
		if (!Files.exists(model)) {
			UNetConfig c = new UNetConfig(3, 1, 1, 1, 2, false, 0);
			UNetExporter.writeRandom(model, ModelSpec.forUNet("tiny3d", c, List.of("background", "foreground"), Normalization.percentile(),
				new double[] { 1, 1, 1 }, "mm", new long[] { tile, tile, tile }, new long[] { c.receptiveFieldRadius(), c.receptiveFieldRadius(),
					c.receptiveFieldRadius() }, null), 1);
		}
		try (Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 0))) {
			System.out.println("streams: " + io.github.unetseg.facade.LocalSegmenter.streams(input) + ", heap max " + Runtime.getRuntime().maxMemory() / 1048576 + " MiB");
			long t1 = System.nanoTime();
			FileResult r = s.segmentFile(input, dir.resolve("out"), SegmentationSettings.defaults().withTile(tile),
				(done, total, message) -> {
					if (done % 20 == 0 || done == total) System.out.printf(Locale.ROOT, "  %d/%d tiles, %.0f s%n", done, total, (System.nanoTime() - t1) / 1e9);
				});
			double sec = (System.nanoTime() - t1) / 1e9;
			System.out.printf(Locale.ROOT, "segmented %d x %d x %d (%.2f Gvoxels) in %.1f s: %.3g voxels/s, %d tiles of %s, Session.run %.1f s; labels %s (%.2f GiB)%n",
				x, y, z, (double) x * y * z / 1e9, sec, (double) x * y * z / sec, r.result().plan().tiles().size(),
				java.util.Arrays.toString(r.result().plan().tileSize()), r.result().stats().modelSeconds(), r.labelsFile(),
				Files.size(r.labelsFile()) / 1073741824.0);
			Volume<?> labels = LazyNifti.open(r.labelsFile(), 64 << 20);
			System.out.println("labels readable: " + labels.describeSize());
		}
		for (String line : Files.readAllLines(Path.of("/proc/self/status")))
			if (line.startsWith("VmHWM") || line.startsWith("VmRSS")) System.out.println(line.replaceAll("\\s+", " "));
	}

	/** Smooth bright blobs on a dark background with noise, slab by slab. */
	static void writeVolume(Path p, int x, int y, int z) throws Exception {
		Calibration cal = Calibration.of("mm", 1, 1, 1);
		Volume<?> header = new Volume<>(ArrayImgs.unsignedShorts(1, 1, 2, 1), cal);
		try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p), 1 << 20)) {
			java.lang.reflect.Method m = io.github.unetseg.io.NiftiIO.class.getDeclaredMethod("headerBytes", Path.class, long[].class, int.class,
				int.class, Calibration.class);
			m.setAccessible(true);
			ByteBuffer h = (ByteBuffer) m.invoke(null, p, new long[] { x, y, z }, 1, 512, header.calibration());
			out.write(h.array());
			ByteBuffer plane = ByteBuffer.allocate(x * y * 2).order(ByteOrder.LITTLE_ENDIAN);
			java.util.Random r = new java.util.Random(5);
			for (int k = 0; k < z; k++) {
				plane.clear();
				for (int j = 0; j < y; j++)
					for (int i = 0; i < x; i++) {
						double v = Math.sin(i / 40.0) * Math.sin(j / 40.0) * Math.sin(k / 25.0);
						plane.putShort((short) (v > 0.3 ? 3000 + r.nextInt(200) : 500 + r.nextInt(200)));
					}
				out.write(plane.array());
			}
		}
	}
}
