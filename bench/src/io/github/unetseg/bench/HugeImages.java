package io.github.unetseg.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import io.github.unetseg.facade.Engines;
import io.github.unetseg.facade.SegmentationResult;
import io.github.unetseg.facade.SegmentationSettings;
import io.github.unetseg.facade.Segmenter;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.LazyInputs;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.testutil.Images;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Inputs for the large-image benchmarks of issue 16, written tile by tile (nothing of the image in memory), and the
 * check that regions of a streamed result equal segmenting those regions alone.
 * <ul>
 * <li>{@code write2d OUT.btf SIZE}: a SIZE x SIZE uint8 BigTIFF in 512 x 512 tiles, the MRI slice of test-images
 * mirrored at every repeat (no seams);</li>
 * <li>{@code write3d OUT.ome.btf X Y Z}: an X x Y x Z uint16 OME-TIFF (BigTIFF container, one page per z in 512 x 512
 * tiles, OME-XML with 1 mm physical sizes), the ch2 volume of test-images mirrored likewise;</li>
 * <li>{@code fixmodel INPUT MODEL OUT}: a copy of MODEL whose percentile normalisation is fixed to INPUT's values
 * (as the whole image gets them), so that a region segmented alone is normalised as in the whole image;</li>
 * <li>{@code check INPUT LABELS MODEL TILE REGIONS SIZE CONTEXT}: REGIONS random SIZE^d regions (seed 16) of the streamed
 * LABELS (their corners on the model's alignment grid, as tiles are: a U-Net's output depends on the input's offset
 * modulo its total pooling factor), each compared with segmenting the region grown by CONTEXT pixels (a multiple of
 * the alignment) alone, in memory, with the same model and tile size; prints the differing pixels per region.</li>
 * </ul>
 */
public final class HugeImages {

	/** Fills a tile: {@code (x0, y0, z)} its first pixel, {@code values} {@code tile * tile} samples, x fastest. */
	interface Source {
		void tile(int x0, int y0, int z, int tile, int[] values);
	}

	public static void main(String[] args) throws Exception {
		switch (args[0]) {
			case "write2d" -> {
				int size = Integer.parseInt(args[2]);
				Volume<?> slice = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif"));
				float[] v = Images.toFloats(MosaicBigTiff.cast(slice).image());
				int w = (int) slice.spatialSize()[0], h = (int) slice.spatialSize()[1];
				write(Path.of(args[1]), size, size, 1, 1, null, (x0, y0, z, t, out) -> {
					for (int y = 0; y < t; y++)
						for (int x = 0; x < t; x++) out[y * t + x] = (int) v[mirror(y0 + y, h) * w + mirror(x0 + x, w)];
				});
			}
			case "write3d" -> {
				int sx = Integer.parseInt(args[2]), sy = Integer.parseInt(args[3]), sz = Integer.parseInt(args[4]);
				Volume<?> ch2 = ImageFiles.read(Path.of("test-images/ch2.nii.gz"));
				float[] v = Images.toFloats(MosaicBigTiff.cast(ch2).image());
				long[] s = ch2.spatialSize();
				int w = (int) s[0], h = (int) s[1], d = (int) s[2];
				String ome = String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/" +
					"Schemas/OME/2016-06\"><Image ID=\"Image:0\"><Pixels ID=\"Pixels:0\" DimensionOrder=\"XYZCT\" Type=\"uint16\" SizeX=\"%d\" " +
					"SizeY=\"%d\" SizeZ=\"%d\" SizeC=\"1\" SizeT=\"1\" PhysicalSizeX=\"1\" PhysicalSizeY=\"1\" PhysicalSizeZ=\"1\" " +
					"PhysicalSizeXUnit=\"mm\" PhysicalSizeYUnit=\"mm\" PhysicalSizeZUnit=\"mm\"><TiffData/></Pixels></Image></OME>", sx, sy, sz);
				write(Path.of(args[1]), sx, sy, sz, 2, ome, (x0, y0, z, t, out) -> {
					int zz = mirror(z, d);
					for (int y = 0; y < t; y++)
						for (int x = 0; x < t; x++) out[y * t + x] = (int) v[(zz * h + mirror(y0 + y, h)) * w + mirror(x0 + x, w)];
				});
			}
			case "fixmodel" -> fixModel(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
			case "check" -> check(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Long.parseLong(args[4]), Integer.parseInt(args[5]),
				Integer.parseInt(args[6]), Integer.parseInt(args[7]));
			default -> throw new IllegalArgumentException("write2d, write3d or check");
		}
	}

	static int mirror(int i, int n) {
		int period = i / n;
		return period % 2 == 0 ? i % n : n - 1 - i % n;
	}

	/** Writes a little-endian BigTIFF of {@code pages} pages in 512 x 512 tiles of 8- or 16-bit unsigned samples. */
	static void write(Path out, int width, int height, int pages, int bytes, String description, Source source) throws IOException {
		int tile = 512, across = (width + tile - 1) / tile, down = (height + tile - 1) / tile, tiles = across * down;
		long t0 = System.nanoTime();
		try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
			ByteBuffer data = ByteBuffer.allocate(tile * tile * bytes).order(ByteOrder.LITTLE_ENDIAN);
			int[] values = new int[tile * tile];
			long at = 16;
			long[][] offsets = new long[pages][tiles];
			for (int z = 0; z < pages; z++)
				for (int t = 0; t < tiles; t++) {
					source.tile(t % across * tile, t / across * tile, z, tile, values);
					data.clear();
					for (int v : values) if (bytes == 1) data.put((byte) v); else data.putShort((short) v);
					data.flip();
					offsets[z][t] = at;
					while (data.hasRemaining()) at += ch.write(data, at);
				}
			byte[] text = description == null ? null : (description + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
			long textAt = at;
			if (text != null) {
				ch.write(ByteBuffer.wrap(text), at);
				at += text.length;
			}
			// IFDs from the last page back, each pointing at the next
			long next = 0;
			for (int z = pages - 1; z >= 0; z--) {
				long arrays = at;
				ByteBuffer a = ByteBuffer.allocate(16 * tiles).order(ByteOrder.LITTLE_ENDIAN);
				for (long o : offsets[z]) a.putLong(o);
				for (int t = 0; t < tiles; t++) a.putLong((long) tile * tile * bytes);
				a.flip();
				while (a.hasRemaining()) at += ch.write(a, at);
				List<long[]> e = new ArrayList<>();
				e.add(new long[] { 256, 4, 1, width });
				e.add(new long[] { 257, 4, 1, height });
				e.add(new long[] { 258, 3, 1, 8 * bytes });
				e.add(new long[] { 259, 3, 1, 1 });
				e.add(new long[] { 262, 3, 1, 1 });
				if (text != null && z == 0) e.add(new long[] { 270, 2, text.length, textAt });
				e.add(new long[] { 277, 3, 1, 1 });
				e.add(new long[] { 322, 3, 1, tile });
				e.add(new long[] { 323, 3, 1, tile });
				e.add(new long[] { 324, 16, tiles, tiles == 1 ? offsets[z][0] : arrays });
				e.add(new long[] { 325, 16, tiles, tiles == 1 ? (long) tile * tile * bytes : arrays + 8L * tiles });
				e.add(new long[] { 339, 3, 1, 1 });
				ByteBuffer ifd = ByteBuffer.allocate(8 + 20 * e.size() + 8).order(ByteOrder.LITTLE_ENDIAN);
				ifd.putLong(e.size());
				for (long[] x : e) {
					ifd.putShort((short) x[0]).putShort((short) x[1]).putLong(x[2]);
					if (x[1] == 3 && x[2] == 1) ifd.putShort((short) x[3]).putShort((short) 0).putInt(0);
					else if (x[1] == 4 && x[2] == 1) ifd.putInt((int) x[3]).putInt(0);
					else ifd.putLong(x[3]);
				}
				ifd.putLong(next);
				ifd.flip();
				next = at;
				while (ifd.hasRemaining()) at += ch.write(ifd, at);
			}
			ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
			head.put((byte) 'I').put((byte) 'I').putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(next).flip();
			ch.write(head, 0);
			System.out.printf(Locale.ROOT, "wrote %s: %d x %d x %d, %d-bit, %.2f GiB in %.1f s%n", out, width, height, pages, 8 * bytes,
				at / 1073741824.0, (System.nanoTime() - t0) / 1e9);
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static void fixModel(Path input, Path model, Path out) throws IOException {
		double[][] affine;
		try (LazyInputs.Opened in = LazyInputs.open(input, 256L << 20)) {
			io.github.unetseg.model.ModelSpec spec = io.github.unetseg.model.ModelBundle.parse(java.nio.file.Files.readString(
				model.resolve("model.json")), model.toString());
			affine = spec.normalization().affine((Volume) in.volume());
		}
		double low = -affine[1][0] / affine[0][0], high = (1 - affine[1][0]) / affine[0][0];
		java.nio.file.Files.createDirectories(out.resolve("variables"));
		for (String f : new String[] { "saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001" })
			java.nio.file.Files.copy(model.resolve(f), out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		String json = java.nio.file.Files.readString(model.resolve("model.json")).replaceFirst("(?s)\"normalization\": \\{.*?\\}",
			String.format(Locale.ROOT, "\"normalization\": { \"method\": \"FIXED\", \"low\": %.9g, \"high\": %.9g }", low, high));
		java.nio.file.Files.writeString(out.resolve("model.json"), json);
		System.out.printf(Locale.ROOT, "%s: normalisation fixed to [%.4f, %.4f]%n", out, low, high);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static void check(Path input, Path labels, Path model, long tile, int regions, int size, int context) {
		Random random = new Random(16);
		try (LazyInputs.Opened in = LazyInputs.open(input, 256L << 20); LazyInputs.Opened out = LazyInputs.open(labels, 256L << 20);
			Segmenter s = Engines.segmenter(model, new EngineOptions(Device.CPU, 0)))
		{
			long[] dims = in.volume().spatialSize();
			int n = dims.length, alignment = s.spec().alignment();
			long total = 0;
			for (int r = 0; r < regions; r++) {
				long[] min = new long[n], max = new long[n], cmin = new long[n + 1], cmax = new long[n + 1];
				for (int d = 0; d < n; d++) {
					long extent = Math.min(size, dims[d]);
					// on the model's alignment grid (its poolings): a U-Net's output depends on the input's offset modulo 2^depth
					min[d] = (long) (random.nextDouble() * (dims[d] - extent + 1)) / alignment * alignment;
					max[d] = min[d] + extent - 1;
					cmin[d] = Math.max(0, min[d] - context);
					cmax[d] = Math.min(dims[d] - 1, max[d] + context);
				}
				RandomAccessibleInterval crop = Views.zeroMin(Views.interval((RandomAccessibleInterval) in.volume().image(), cmin, cmax));
				Volume alone = new Volume(copy(crop), in.volume().calibration());
				SegmentationResult result = s.segment(alone, SegmentationSettings.defaults().withTile(tile).withPostprocess("none"),
					ProgressListener.NONE, "region " + r);
				long[] coreMin = new long[n + 1], coreMax = new long[n + 1], outMin = new long[n + 1], outMax = new long[n + 1];
				for (int d = 0; d < n; d++) {
					coreMin[d] = min[d] - cmin[d];
					coreMax[d] = max[d] - cmin[d];
					outMin[d] = min[d];
					outMax[d] = max[d];
				}
				float[] a = Images.toFloats(Views.interval((RandomAccessibleInterval) result.labels().image(), coreMin, coreMax));
				float[] b = Images.toFloats(Views.interval((RandomAccessibleInterval) out.volume().image(), outMin, outMax));
				long differ = 0;
				int firstAt = -1;
				for (int i = 0; i < a.length; i++) if (a[i] != b[i]) {
					if (firstAt < 0) firstAt = i;
					differ++;
				}
				if (firstAt >= 0) System.out.println("  first difference at offset " + firstAt + " (x " + firstAt % (max[0] - min[0] + 1) + ", y " +
					firstAt / (max[0] - min[0] + 1) + "): alone " + a[firstAt] + ", streamed " + b[firstAt]);
				total += differ;
				System.out.printf(Locale.ROOT, "region %d at %s, %d pixels (context %d): %d differ%n", r, java.util.Arrays.toString(min), a.length,
					context, differ);
			}
			System.out.println("regions identical: " + (total == 0) + " (" + total + " differing pixels in " + regions + " regions)");
		}
	}

	/** A copy of a lazily read region in an array image of float values. */
	static <T extends RealType<T>> net.imglib2.img.array.ArrayImg<net.imglib2.type.numeric.real.FloatType, ?> copy(RandomAccessibleInterval<T> region) {
		long[] d = region.dimensionsAsLongArray();
		var img = ArrayImgs.floats(d);
		var c = img.cursor();
		for (T t : Views.flatIterable(region)) c.next().set(t.getRealFloat());
		return img;
	}
}
