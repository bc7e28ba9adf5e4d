package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.Deflater;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;

/**
 * Region reads straight from (Big)TIFF tiles and strips ({@link TiffTiles}): tiled BigTIFF (which ImageIO's
 * TwelveMonkeys reader cannot read by regions), uncompressed and Deflate with horizontal differencing, 8 and 16 bit,
 * grey and RGB, edge tiles; LZW and PackBits strips as TwelveMonkeys writes them; lazily through {@link LazyRegions}
 * and whole through {@link ImageFiles#read}.
 */
class TiffTilesTest {

	@TempDir
	Path dir;

	static int value(int x, int y, int z, int s, int bits) {
		int v = x * 7 + y * 13 + z * 101 + s * 1000;
		return bits == 8 ? v % 251 : v % 60_000;
	}

	/** A BigTIFF of {@code pages} pages in {@code tile}^2 tiles, Deflate with predictor 2 when {@code deflate}. */
	static void writeTiled(Path out, int width, int height, int pages, int bits, int samples, int tile, boolean deflate) throws IOException {
		int across = (width + tile - 1) / tile, down = (height + tile - 1) / tile, tiles = across * down, bps = bits / 8;
		try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
			long at = 16;
			long[][] offsets = new long[pages][tiles], counts = new long[pages][tiles];
			for (int z = 0; z < pages; z++)
				for (int t = 0; t < tiles; t++) {
					ByteBuffer raw = ByteBuffer.allocate(tile * tile * samples * bps).order(ByteOrder.LITTLE_ENDIAN);
					int x0 = t % across * tile, y0 = t / across * tile;
					for (int y = 0; y < tile; y++)
						for (int x = 0; x < tile; x++)
							for (int s = 0; s < samples; s++) {
								int v = x0 + x < width && y0 + y < height ? value(x0 + x, y0 + y, z, s, bits) : 0;
								int prev = x > 0 && x0 + x - 1 < width && y0 + y < height ? value(x0 + x - 1, y0 + y, z, s, bits) : 0;
								if (deflate && x > 0) v -= x0 + x - 1 < width && y0 + y < height ? prev : 0;
								if (bits == 8) raw.put((byte) v); else raw.putShort((short) v);
							}
					byte[] data = raw.array();
					if (deflate) {
						Deflater d = new Deflater();
						d.setInput(data);
						d.finish();
						byte[] buf = new byte[data.length * 2 + 64];
						int n = d.deflate(buf);
						d.end();
						data = java.util.Arrays.copyOf(buf, n);
					}
					offsets[z][t] = at;
					counts[z][t] = data.length;
					at += ch.write(ByteBuffer.wrap(data), at);
				}
			long next = 0;
			for (int z = pages - 1; z >= 0; z--) {
				long arrays = at;
				ByteBuffer a = ByteBuffer.allocate(16 * tiles).order(ByteOrder.LITTLE_ENDIAN);
				for (long o : offsets[z]) a.putLong(o);
				for (long c : counts[z]) a.putLong(c);
				a.flip();
				at += ch.write(a, at);
				long[][] e = { { 256, 4, 1, width }, { 257, 4, 1, height }, { 258, 3, 1, bits }, { 259, 3, 1, deflate ? 8 : 1 },
					{ 262, 3, 1, samples == 3 ? 2 : 1 }, { 277, 3, 1, samples }, { 317, 3, 1, deflate ? 2 : 1 }, { 322, 3, 1, tile },
					{ 323, 3, 1, tile }, { 324, 16, tiles, tiles == 1 ? offsets[z][0] : arrays },
					{ 325, 16, tiles, tiles == 1 ? counts[z][0] : arrays + 8L * tiles }, { 339, 3, 1, 1 } };
				ByteBuffer ifd = ByteBuffer.allocate(8 + 20 * e.length + 8).order(ByteOrder.LITTLE_ENDIAN);
				ifd.putLong(e.length);
				for (long[] x : e) {
					ifd.putShort((short) x[0]).putShort((short) x[1]).putLong(x[2]);
					if (x[1] == 3 && x[2] == 1) ifd.putShort((short) x[3]).putShort((short) 0).putInt(0);
					else if (x[1] == 4 && x[2] == 1) ifd.putInt((int) x[3]).putInt(0);
					else ifd.putLong(x[3]);
				}
				ifd.putLong(next).flip();
				next = at;
				at += ch.write(ifd, at);
			}
			ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
			head.put((byte) 'I').put((byte) 'I').putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(next).flip();
			ch.write(head, 0);
		}
	}

	static float[] truth(int width, int height, int pages, int bits, int samples) {
		float[] t = new float[width * height * pages * samples];
		for (int s = 0, i = 0; s < samples; s++)
			for (int z = 0; z < pages; z++)
				for (int y = 0; y < height; y++)
					for (int x = 0; x < width; x++) t[i++] = value(x, y, z, s, bits);
		return t;
	}

	@Test
	void tiledBigTiffRegionsAndWholeReads() throws IOException {
		for (boolean deflate : new boolean[] { false, true })
			for (int[] c : new int[][] { { 8, 1, 1 }, { 16, 1, 3 }, { 8, 3, 1 } }) {
				int bits = c[0], samples = c[1], pages = c[2], width = 301, height = 190;
				Path f = dir.resolve("t" + bits + "-" + samples + "-" + deflate + ".btf");
				writeTiled(f, width, height, pages, bits, samples, 64, deflate);
				String what = f.getFileName().toString();
				try (TiffTiles t = TiffTiles.open(f)) {
					assertNotNull(t, what);
					double[] out = new double[50 * 40];
					t.read(pages - 1, 250, 140, 50, 40, samples - 1, out);
					for (int y = 0; y < 40; y++)
						for (int x = 0; x < 50; x++)
							assertEquals(value(250 + x, 140 + y, pages - 1, samples - 1, bits), out[y * 50 + x], 0, what + " at " + x + "," + y);
				}
				float[] expected = truth(width, height, pages, bits, samples);
				Volume<?> whole = ImageFiles.read(f);
				assertEquals(samples, whole.channels(), what);
				assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(whole).image()), what);
				try (RegionSource s = ImageIoTiff.regions(f)) {
					assertArrayEquals(pages > 1 ? new int[] { 64, 64, 1 } : new int[] { 64, 64 }, s.cellSize(), what);
					Volume<?> lazy = LazyRegions.open(s, 32 << 10);
					assertArrayEquals(expected, Images.toFloats(ImageFilesTest.cast(lazy).image()), what);
				}
			}
	}

	@Test
	void lzwAndPackBitsStripsAsTwelveMonkeysWritesThem() throws IOException {
		BufferedImage img = new BufferedImage(257, 91, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = 0; y < 91; y++) for (int x = 0; x < 257; x++) img.getRaster().setSample(x, y, 0, x / 5 % 2 == 0 ? value(x, y, 0, 0, 8) : 17);
		for (String compression : new String[] { "LZW", "PackBits", "Deflate" }) {
			Path f = dir.resolve(compression + ".btf");
			ImageWriter w = ImageIO.getImageWritersByFormatName("BigTIFF").next();
			try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
				w.setOutput(out);
				ImageWriteParam p = w.getDefaultWriteParam();
				p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
				p.setCompressionType(compression);
				w.write(null, new IIOImage(img, null, null), p);
			}
			finally {
				w.dispose();
			}
			try (TiffTiles t = TiffTiles.open(f)) {
				assertNotNull(t, compression);
				double[] out = new double[257 * 91];
				t.read(0, 0, 0, 257, 91, 0, out);
				for (int i = 0; i < out.length; i++)
					assertEquals(img.getRaster().getSample(i % 257, i / 257, 0), out[i], 0, compression + " at " + i);
			}
		}
	}
}
