package io.github.unetseg.io;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.view.Views;

/**
 * Raw voxel blocks shared by the header-plus-raw formats (NRRD, MetaImage): element types, reading a
 * block of {@code x}-fastest voxels into an ImgLib2 {@link ArrayImg}, and writing one.
 */
final class RawVolumes {

	/** Element types of raw voxel data. */
	enum Element {
		INT8(1), UINT8(1), INT16(2), UINT16(2), INT32(4), UINT32(4), FLOAT32(4), FLOAT64(8);

		final int bytes;

		Element(int bytes) {
			this.bytes = bytes;
		}

		static Element of(RealType<?> t) {
			return t instanceof UnsignedByteType ? UINT8 : t instanceof ByteType ? INT8 : t instanceof UnsignedShortType ? UINT16
				: t instanceof ShortType ? INT16 : t instanceof UnsignedIntType ? UINT32 : t instanceof IntType ? INT32
				: t instanceof DoubleType ? FLOAT64 : FLOAT32;
		}
	}

	private RawVolumes() {}

	/**
	 * Where a header-plus-raw file keeps its voxels and how they are laid out, from its header.
	 *
	 * @param header the header file, named in messages
	 * @param data the file holding the voxels (the header file itself when they are attached)
	 * @param offset byte position of the first voxel in {@code data}
	 * @param size spatial size {@code [x, y(, z)]} in voxels; a 3D size with one slice is read as 2D
	 * @param channels channels per voxel, &gt;= 1
	 * @param interleaved channel fastest (MetaImage's vector layout, NRRD's channel axis first); else
	 *     channel slowest
	 * @param element the voxel type
	 * @param order byte order of wider types
	 * @param calibration spacing and unit
	 * @param compression {@code null} for raw voxels, {@code "gzip"} or {@code "zlib"}
	 */
	record Layout(Path header, Path data, long offset, long[] size, int channels, boolean interleaved, Element element, ByteOrder order,
		Calibration calibration, String compression) {}

	/** Counts the bytes read through it (the header's length, where attached voxels begin). */
	static final class Counting extends java.io.FilterInputStream {
		private long count;

		Counting(InputStream in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			int c = super.read();
			if (c >= 0) count++;
			return c;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = super.read(b, off, len);
			if (n > 0) count += n;
			return n;
		}

		/** @return bytes read so far */
		long count() {
			return count;
		}
	}

	/**
	 * Reads a whole file into memory.
	 *
	 * @param l its layout
	 * @return the volume {@code [x, y(, z), c]} with its calibration
	 * @throws SegmentationException naming the file for truncated, damaged or too large data
	 */
	static Volume<?> read(Layout l) {
		Path path = l.header();
		try (InputStream raw = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(l.data()), 1 << 16)) {
			raw.skipNBytes(l.offset());
			InputStream decoded = l.compression() == null ? raw : l.compression().equals("gzip") ? new java.util.zip.GZIPInputStream(raw, 1 << 16)
				: new java.util.zip.InflaterInputStream(raw);
			return read(path, decoded, l.size(), l.channels(), l.interleaved(), l.element(), l.order(), l.calibration(),
				java.nio.file.Files.size(l.data()) - l.offset(), decoded != raw);
		}
		catch (java.io.EOFException ex) {
			throw fail(path, "is truncated (its data ends early)", "re-copy or re-export the file");
		}
		catch (java.util.zip.ZipException ex) {
			throw fail(path, "has damaged " + l.compression() + " data (" + ex.getMessage() + ")", "re-copy or re-export the file");
		}
		catch (IOException ex) {
			throw new SegmentationException("Cannot read " + path + ": " + ex.getMessage() + ". Fix: check the path and permissions.", ex);
		}
	}

	/**
	 * Checks sizes and returns the number of voxels.
	 *
	 * @throws SegmentationException for non-positive sizes or more than an in-memory image holds
	 */
	static long voxels(Path file, long[] size, int channels, Element e) {
		long n = channels;
		if (channels < 1) throw fail(file, "declares " + channels + " channels", "check the header");
		for (long s : size) {
			if (s < 1) throw fail(file, "declares a size of " + s, "check the header");
			if (n > Integer.MAX_VALUE / s) throw fail(file, "is larger than an in-memory image can hold", "crop or split it");
			n *= s;
		}
		if (n * e.bytes > Integer.MAX_VALUE - 8) throw fail(file, "is larger than an in-memory image can hold", "crop or split it");
		return n;
	}

	/**
	 * Reads {@code prod(size) * channels} voxels, channel fastest when {@code interleaved} (NRRD's and
	 * MetaImage's vector layout), into a volume {@code [x, y(, z), c]}. Nothing is allocated before the
	 * header's claim is checked against the bytes the source can hold ({@link #checkClaim}); compressed
	 * data is read to its end, so a damaged checksum is noticed.
	 *
	 * @param sourceBytes size of the file the data comes from, in bytes (an upper bound of the data)
	 * @param compressed whether {@code in} decompresses gzip or zlib data
	 */
	static Volume<?> read(Path file, InputStream in, long[] size, int channels, boolean interleaved, Element e, ByteOrder order,
		Calibration cal, long sourceBytes, boolean compressed) throws IOException
	{
		long n = voxels(file, size, channels, e);
		checkClaim(file, n * e.bytes, sourceBytes, compressed);
		if (size.length == 3 && size[2] == 1) {
			// one slice: a 2D image, as the NIfTI reader treats it
			size = new long[] { size[0], size[1] };
			cal = new Calibration(new double[] { cal.spacing(0), cal.spacing(1) }, cal.unit(), null);
		}
		byte[] raw = new byte[(int) (n * e.bytes)];
		new DataInputStream(in).readFully(raw);
		if (compressed) drain(in);
		long[] dims = new long[size.length + 1];
		System.arraycopy(size, 0, dims, 0, size.length);
		dims[size.length] = channels;
		ArrayImg<? extends RealType<?>, ?> img = image(e, raw, order, dims);
		if (interleaved && channels > 1) img = planar(img, channels);
		return volume(img, cal);
	}

	/**
	 * Wraps raw voxels, flat in the order of {@code dims} (first axis fastest), as a typed image; bytes
	 * are used as they are, wider types are decoded in the given byte order.
	 */
	static ArrayImg<? extends RealType<?>, ?> image(Element e, byte[] raw, ByteOrder order, long[] dims) {
		ByteBuffer b = ByteBuffer.wrap(raw).order(order);
		int n = raw.length / e.bytes;
		return switch (e) {
			case UINT8 -> ArrayImgs.unsignedBytes(raw, dims);
			case INT8 -> ArrayImgs.bytes(raw, dims);
			case INT16 -> { short[] s = new short[n]; b.asShortBuffer().get(s); yield ArrayImgs.shorts(s, dims); }
			case UINT16 -> { short[] s = new short[n]; b.asShortBuffer().get(s); yield ArrayImgs.unsignedShorts(s, dims); }
			case INT32 -> { int[] s = new int[n]; b.asIntBuffer().get(s); yield ArrayImgs.ints(s, dims); }
			case UINT32 -> { int[] s = new int[n]; b.asIntBuffer().get(s); yield ArrayImgs.unsignedInts(s, dims); }
			case FLOAT32 -> { float[] s = new float[n]; b.asFloatBuffer().get(s); yield ArrayImgs.floats(s, dims); }
			case FLOAT64 -> { double[] s = new double[n]; b.asDoubleBuffer().get(s); yield ArrayImgs.doubles(s, dims); }
		};
	}

	/** Reorders channel-fastest data into ImgLib2's channel-last layout. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static ArrayImg<? extends RealType<?>, ?> planar(ArrayImg<? extends RealType<?>, ?> interleaved, int channels) {
		long[] dims = interleaved.dimensionsAsLongArray();
		ArrayImg out = (ArrayImg) interleaved.factory().create(dims);
		Cursor<? extends RealType<?>> src = interleaved.cursor();
		net.imglib2.RandomAccess<RealType<?>> dst = out.randomAccess();
		long[] pos = new long[dims.length];
		for (long i = 0; src.hasNext(); i++) {
			RealType<?> v = src.next();
			// the flat index i walks the interleaved order: channel fastest, then the spatial axes
			long rem = i / channels;
			pos[dims.length - 1] = i % channels;
			for (int d = 0; d < dims.length - 1; d++) {
				pos[d] = rem % dims[d];
				rem /= dims[d];
			}
			dst.setPosition(pos);
			dst.get().setReal(v.getRealDouble());
		}
		return out;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> volume(ArrayImg img, Calibration cal) {
		return new Volume<>(img, cal);
	}

	/** Writes an image's voxels in flat order (first axis fastest) in the given byte order. */
	static <T extends RealType<T>> void write(net.imglib2.RandomAccessibleInterval<T> image, OutputStream out, Element e,
		ByteOrder order) throws IOException
	{
		ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(order);
		Cursor<T> cur = Views.flatIterable(image).cursor();
		while (cur.hasNext()) {
			if (buf.remaining() < 8) {
				out.write(buf.array(), 0, buf.position());
				buf.clear();
			}
			T t = cur.next();
			switch (e) {
				case INT8, UINT8 -> buf.put((byte) (long) t.getRealDouble());
				case INT16, UINT16 -> buf.putShort((short) (long) t.getRealDouble());
				case INT32, UINT32 -> buf.putInt((int) (long) t.getRealDouble());
				case FLOAT64 -> buf.putDouble(t.getRealDouble());
				case FLOAT32 -> buf.putFloat(t.getRealFloat());
			}
		}
		out.write(buf.array(), 0, buf.position());
	}

	/** Deflate's largest compression ratio (about 1032:1 for long runs); gzip or zlib data cannot expand more. */
	static final long MAX_DEFLATE_RATIO = 1032;

	/**
	 * Refuses a header that claims more voxel data than its file can hold, before anything is allocated
	 * (a damaged 1 KB header claiming gigabytes would otherwise exhaust memory first).
	 *
	 * @param file the file named in the message
	 * @param claimedBytes bytes the header says follow
	 * @param sourceBytes bytes in the file the data comes from
	 * @param compressed whether that data is deflate-compressed (it may then expand up to {@link #MAX_DEFLATE_RATIO} times)
	 * @throws SegmentationException if the claim cannot be true
	 */
	static void checkClaim(Path file, long claimedBytes, long sourceBytes, boolean compressed) {
		long max = compressed ? sourceBytes * MAX_DEFLATE_RATIO : sourceBytes;
		if (claimedBytes > max)
			throw fail(file, "declares " + claimedBytes + " bytes of voxel data, but " + (compressed ? "its " + sourceBytes +
				" compressed bytes cannot hold more than " + max : "it holds only " + sourceBytes + " bytes") + " (a damaged header or a " +
				"truncated file)", "re-copy or re-export the file");
	}

	/**
	 * Reads a decompressing stream to its end, so that the checksum in its trailer is verified (a bit
	 * flipped in the middle of the data then fails instead of passing silently).
	 *
	 * @throws java.util.zip.ZipException if the data or its checksum is damaged
	 */
	static void drain(InputStream in) throws IOException {
		byte[] buf = new byte[1 << 13];
		while (in.read(buf) >= 0) {
			// trailing bytes are read only to reach the checksum
		}
	}

	static SegmentationException fail(Path file, String problem, String fix) {
		return new SegmentationException(file + " " + problem + ". Fix: " + fix + ".");
	}

	static String lower(String s) {
		return s.trim().toLowerCase(Locale.ROOT);
	}

	/**
	 * A gzip stream for pixel data of this element type: deflate level 1 ({@code BEST_SPEED}) for
	 * floating-point data, where level 6 is about 4.7 times slower for no smaller file (a 33 MB
	 * probability map: 2.95 s and 25.92 MB at level 6, 0.62 s and 25.90 MB at level 1), zlib's default
	 * level for integer data such as labels, which it shrinks well (2.3 times smaller than level 1).
	 *
	 * @param raw the file stream, closed with the returned one
	 * @param e element type of the data
	 * @return the compressing stream
	 * @throws IOException if the gzip header cannot be written
	 */
	static GZIPOutputStream gzip(OutputStream raw, Element e) throws IOException {
		int level = deflateLevel(e);
		return new GZIPOutputStream(raw, 1 << 16) {
			{
				def.setLevel(level);
			}
		};
	}

	/**
	 * A zlib stream with the level of {@link #gzip}.
	 *
	 * @param raw the file stream
	 * @param e element type of the data
	 * @return the compressing stream
	 */
	static DeflaterOutputStream zlib(OutputStream raw, Element e) {
		int level = deflateLevel(e);
		return new DeflaterOutputStream(raw) {
			{
				def.setLevel(level);
			}
		};
	}

	private static int deflateLevel(Element e) {
		return e == Element.FLOAT32 || e == Element.FLOAT64 ? Deflater.BEST_SPEED : Deflater.DEFAULT_COMPRESSION;
	}
}
