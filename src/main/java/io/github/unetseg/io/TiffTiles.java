package io.github.unetseg.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads rectangles of (Big)TIFF pages by decoding only the tiles or strips they touch, directly from the file:
 * classic TIFF and BigTIFF, either byte order, tiles or strips, uncompressed, Deflate (8, 32946), LZW (5) or
 * PackBits (32773), horizontal differencing (Predictor 2), 8/16-bit unsigned or signed and 32-bit float
 * samples, one sample per pixel or several interleaved (chunky RGB). ImageIO's TwelveMonkeys reader cannot
 * read regions of tiled BigTIFF (its issue 746: "Coordinate out of bounds"); this reader is used wherever a
 * page is laid out as above ({@link #open} returns {@code null} otherwise, e.g. for JPEG tiles).
 * Reference: TIFF 6.0 (Adobe 1992), sections 8 (PackBits), 13 (LZW), 14 (Predictor), 15 (tiles); BigTIFF
 * (Aware Systems).
 */
final class TiffTiles implements AutoCloseable {

	/** One page's layout. */
	record Page(int width, int height, int bits, int format, int samples, int compression, int predictor, int tileWidth, int tileHeight,
		long[] offsets, long[] counts) {

		int tilesAcross() {
			return (width + tileWidth - 1) / tileWidth;
		}
	}

	private final FileChannel channel;
	private final ByteOrder order;
	private final List<Page> pages;

	private TiffTiles(FileChannel channel, ByteOrder order, List<Page> pages) {
		this.channel = channel;
		this.order = order;
		this.pages = pages;
	}

	/**
	 * @param path a (Big)TIFF file
	 * @return the reader, or {@code null} when a page uses a layout this reader does not decode (then ImageIO reads it)
	 * @throws IOException if the file cannot be read
	 */
	static TiffTiles open(Path path) throws IOException {
		FileChannel ch = FileChannel.open(path);
		try {
			ByteBuffer head = read(ch, 0, 16, ByteOrder.LITTLE_ENDIAN);
			ByteOrder order = head.get(0) == 'M' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
			head.order(order);
			boolean big = head.getShort(2) == 43;
			long ifd = big ? head.getLong(8) : head.getInt(4) & 0xffffffffL;
			List<Page> pages = new ArrayList<>();
			java.util.Set<Long> seen = new java.util.HashSet<>();
			long most = Math.min(1 << 20, ch.size() / 64);
			while (ifd != 0 && seen.add(ifd)) {
				if (pages.size() >= most) {
					ch.close();
					return null;
				}
				long entries = big ? read(ch, ifd, 8, order).getLong(0) : read(ch, ifd, 2, order).getShort(0) & 0xffff;
				// real directories hold a few dozen entries; a damaged one is left to ImageIO's reading and its errors
				if (entries < 1 || entries > 4096) {
					ch.close();
					return null;
				}
				int size = big ? 20 : 12;
				ByteBuffer e = read(ch, ifd + (big ? 8 : 2), (int) (entries * size) + (big ? 8 : 4), order);
				java.util.Map<Integer, long[]> tags = new java.util.HashMap<>();
				for (int i = 0; i < entries; i++) {
					int at = i * size, tag = e.getShort(at) & 0xffff, type = e.getShort(at + 2) & 0xffff;
					long count = big ? e.getLong(at + 4) : e.getInt(at + 4) & 0xffffffffL;
					if (tag < 256 || tag > 339 || count > Integer.MAX_VALUE / 8) continue;
					tags.put(tag, values(ch, e, at + (big ? 12 : 8), type, (int) count, big, order));
				}
				ifd = big ? e.getLong((int) (entries * size)) : e.getInt((int) (entries * size)) & 0xffffffffL;
				Page p = page(tags);
				if (p == null) {
					ch.close();
					return null;
				}
				pages.add(p);
			}
			return new TiffTiles(ch, order, pages);
		}
		catch (IOException | RuntimeException e) {
			ch.close();
			throw e;
		}
	}

	private static Page page(java.util.Map<Integer, long[]> t) {
		int compression = (int) first(t, 259, 1), predictor = (int) first(t, 317, 1), bits = (int) first(t, 258, 1);
		int format = (int) first(t, 339, 1), samples = (int) first(t, 277, 1), planar = (int) first(t, 284, 1);
		boolean known = compression == 1 || compression == 5 || compression == 8 || compression == 32946 || compression == 32773;
		boolean typed = bits == 8 && format != 3 || bits == 16 && format != 3 || bits == 32 && format == 3;
		if (!known || !typed || planar != 1 && samples > 1 || predictor != 1 && (predictor != 2 || bits == 32)) return null;
		int width = (int) first(t, 256, 0), height = (int) first(t, 257, 0);
		boolean tiled = t.containsKey(322);
		int tw = tiled ? (int) first(t, 322, 0) : width, th = tiled ? (int) first(t, 323, 0) : (int) Math.min(height, first(t, 278, height));
		long[] offsets = t.get(tiled ? 324 : 273), counts = t.get(tiled ? 325 : 279);
		if (width < 1 || height < 1 || tw < 1 || th < 1 || offsets == null || counts == null || offsets.length != counts.length) return null;
		long expected = (long) ((width + tw - 1) / tw) * ((height + th - 1) / th);
		long tileBytes = (long) tw * th * samples * (bits / 8), largest = java.util.Arrays.stream(counts).max().orElse(0);
		// a tile cannot hold more than its stored bytes give (Deflate expands at most about 1032 times): damaged sizes are left to ImageIO
		if (offsets.length < expected || tileBytes > 64L << 20 || tileBytes > largest * (compression == 1 ? 1 : 1100) + 65536) return null;
		return new Page(width, height, bits, format, samples, compression, predictor, tw, th, offsets, counts);
	}

	private static long first(java.util.Map<Integer, long[]> t, int tag, long fallback) {
		long[] v = t.get(tag);
		return v == null || v.length == 0 ? fallback : v[0];
	}

	/** The values of an entry of type SHORT, LONG or LONG8 (others: empty). */
	private static long[] values(FileChannel ch, ByteBuffer e, int valueAt, int type, int count, boolean big, ByteOrder order) throws IOException {
		int bytes = type == 3 ? 2 : type == 4 ? 4 : type == 16 ? 8 : 0;
		if (bytes == 0) return new long[0];
		ByteBuffer b;
		if ((long) bytes * count <= (big ? 8 : 4)) b = e.duplicate().order(order).position(valueAt).slice().order(order);
		else b = read(ch, big ? e.getLong(valueAt) : e.getInt(valueAt) & 0xffffffffL, bytes * count, order);
		long[] v = new long[count];
		for (int i = 0; i < count; i++)
			v[i] = bytes == 2 ? b.getShort(2 * i) & 0xffff : bytes == 4 ? b.getInt(4 * i) & 0xffffffffL : b.getLong(8 * i);
		return v;
	}

	private static ByteBuffer read(FileChannel ch, long at, int n, ByteOrder order) throws IOException {
		// a damaged count must not allocate more than the file holds
		if (at < 0 || n < 0 || at + n > ch.size()) throw new EOFException("the TIFF ends before byte " + (at + n));
		ByteBuffer b = ByteBuffer.allocate(n).order(order);
		while (b.hasRemaining()) if (ch.read(b, at + b.position()) < 0) throw new EOFException("the TIFF ends before byte " + (at + n));
		return b.flip();
	}

	/** @return the pages in file order */
	List<Page> pages() {
		return pages;
	}

	/**
	 * Reads a rectangle of a page as values of one sample.
	 *
	 * @param page page index, from 0
	 * @param x0 first column, {@code y0} first row, {@code w} x {@code h} pixels inside the page
	 * @param sample the sample (channel) of each pixel, from 0
	 * @param out {@code w * h} values, row by row, as {@code double}s of the stored type (unsigned, signed or float)
	 * @throws IOException if a tile or strip cannot be read or decoded
	 */
	void read(int page, int x0, int y0, int w, int h, int sample, double[] out) throws IOException {
		Page p = pages.get(page);
		int bps = p.bits() / 8, pixel = bps * p.samples();
		int tx0 = x0 / p.tileWidth(), tx1 = (x0 + w - 1) / p.tileWidth(), ty0 = y0 / p.tileHeight(), ty1 = (y0 + h - 1) / p.tileHeight();
		ByteBuffer tile = ByteBuffer.allocate(p.tileWidth() * p.tileHeight() * pixel).order(order);
		for (int ty = ty0; ty <= ty1; ty++)
			for (int tx = tx0; tx <= tx1; tx++) {
				decode(p, ty * p.tilesAcross() + tx, tile.array(), pixel);
				int left = tx * p.tileWidth(), top = ty * p.tileHeight();
				for (int y = Math.max(y0, top); y < Math.min(y0 + h, Math.min(top + p.tileHeight(), p.height())); y++)
					for (int x = Math.max(x0, left); x < Math.min(x0 + w, Math.min(left + p.tileWidth(), p.width())); x++) {
						int at = ((y - top) * p.tileWidth() + (x - left)) * pixel + sample * bps;
						double v = bps == 1 ? (p.format() == 2 ? tile.get(at) : tile.get(at) & 0xff)
							: bps == 2 ? (p.format() == 2 ? tile.getShort(at) : tile.getShort(at) & 0xffff) : tile.getFloat(at);
						out[(y - y0) * w + (x - x0)] = v;
					}
			}
	}

	/** Decodes tile (or strip) {@code index} into {@code dst} ({@code tileWidth * tileHeight * pixel} bytes). */
	private void decode(Page p, int index, byte[] dst, int pixel) throws IOException {
		long count = p.counts()[index];
		if (count > Integer.MAX_VALUE - 8) throw new IOException("a tile of " + count + " bytes");
		byte[] src = read(channel, p.offsets()[index], (int) count, order).array();
		int n = dst.length;
		switch (p.compression()) {
			case 1 -> System.arraycopy(src, 0, dst, 0, Math.min(n, src.length));
			case 8, 32946 -> {
				Inflater inf = new Inflater();
				inf.setInput(src);
				try {
					int done = 0;
					while (done < n && !inf.finished()) {
						int k = inf.inflate(dst, done, n - done);
						if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
						done += k;
					}
				}
				catch (DataFormatException e) {
					throw new IOException("damaged Deflate data in tile " + index + ": " + e.getMessage(), e);
				}
				finally {
					inf.end();
				}
			}
			case 5 -> lzw(src, dst);
			default -> packBits(src, dst);
		}
		if (p.predictor() == 2) undifference(dst, p, pixel);
	}

	/** Horizontal differencing undone per row and sample (TIFF 6.0 section 14). */
	private void undifference(byte[] d, Page p, int pixel) {
		int samples = p.samples(), row = p.tileWidth() * pixel;
		ByteBuffer b = ByteBuffer.wrap(d).order(order);
		for (int y = 0; y < d.length / row; y++)
			for (int x = 1; x < p.tileWidth(); x++)
				for (int s = 0; s < samples; s++) {
					if (p.bits() == 8) {
						int at = y * row + x * samples + s;
						d[at] += d[at - samples];
					}
					else {
						int at = y * row + (x * samples + s) * 2;
						b.putShort(at, (short) (b.getShort(at) + b.getShort(at - 2 * samples)));
					}
				}
	}

	/** PackBits (TIFF 6.0 section 9). */
	private static void packBits(byte[] src, byte[] dst) {
		int i = 0, o = 0;
		while (i < src.length && o < dst.length) {
			int c = src[i++];
			if (c >= 0) for (int k = 0; k <= c && i < src.length && o < dst.length; k++) dst[o++] = src[i++];
			else if (c != -128 && i < src.length) {
				byte v = src[i++];
				for (int k = 0; k < 1 - c && o < dst.length; k++) dst[o++] = v;
			}
		}
	}

	/** TIFF's LZW (section 13): MSB-first codes of 9 to 12 bits, 256 = clear, 257 = end, early change. */
	private static void lzw(byte[] src, byte[] dst) throws IOException {
		byte[][] table = new byte[4096][];
		for (int i = 0; i < 256; i++) table[i] = new byte[] { (byte) i };
		int next = 258, width = 9, o = 0;
		long bits = 0;
		int held = 0, in = 0;
		byte[] previous = null;
		while (o < dst.length) {
			while (held < width && in < src.length) {
				bits = bits << 8 | (src[in++] & 0xff);
				held += 8;
			}
			if (held < width) break;
			int code = (int) (bits >>> (held - width)) & ((1 << width) - 1);
			held -= width;
			if (code == 257) break;
			if (code == 256) {
				next = 258;
				width = 9;
				previous = null;
				continue;
			}
			byte[] entry;
			if (code < next && table[code] != null) entry = table[code];
			else if (code == next && previous != null) {
				entry = java.util.Arrays.copyOf(previous, previous.length + 1);
				entry[previous.length] = previous[0];
			}
			else throw new IOException("damaged LZW data (code " + code + ")");
			int k = Math.min(entry.length, dst.length - o);
			System.arraycopy(entry, 0, dst, o, k);
			o += k;
			if (previous != null && next < 4096) {
				byte[] added = java.util.Arrays.copyOf(previous, previous.length + 1);
				added[previous.length] = entry[0];
				table[next++] = added;
			}
			previous = entry;
			if (next + 1 >= 1 << width && width < 12) width++;
		}
	}

	@Override
	public void close() throws IOException {
		channel.close();
	}
}
