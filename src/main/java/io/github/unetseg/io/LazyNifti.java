package io.github.unetseg.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Uncompressed single-channel 3D NIfTI-1 ({@code .nii}) read lazily, slab by slab, for volumes larger
 * than memory: an ImgLib2 {@link LazyCellImg} whose cells are slabs of whole {@code x-y} planes, loaded
 * from the file on first access through positional reads and kept in a least-recently-used cache of a
 * fixed byte size. Memory use is bounded by the cache, whatever the volume's size. Supported voxel types:
 * uint8, int16, uint16, float32 without {@code scl_slope} rescaling (others are read into memory by
 * {@link NiftiIO}).
 */
public final class LazyNifti {

	private LazyNifti() {}

	/**
	 * @param path a file
	 * @return true if the file can be read lazily: uncompressed NIfTI-1, 3D, one channel, a supported
	 *     type and no rescaling
	 */
	public static boolean supports(Path path) {
		try (InputStream in = Files.newInputStream(path)) {
			byte[] h = in.readNBytes(348);
			if (!NiftiIO.isNifti(h)) return false;
			return supported(NiftiIO.header(path, h));
		}
		catch (IOException | SegmentationException e) {
			return false;
		}
	}

	private static boolean supported(NiftiIO.Header hd) {
		int t = hd.datatype();
		return hd.size()[2] > 1 && hd.size()[3] == 1 && !hd.scaled() && (t == 2 || t == 4 || t == 512 || t == 16 || t == 768);
	}

	/**
	 * Opens a volume lazily.
	 *
	 * @param path uncompressed {@code .nii} ({@link #supports})
	 * @param cacheBytes bytes of slabs kept in memory (at least two slabs are kept)
	 * @return a volume {@code [x, y, z, 1]} backed by the file; the file must stay in place while used
	 * @throws SegmentationException if the file is not supported, truncated or unreadable
	 */
	public static Volume<?> open(Path path, long cacheBytes) {
		NiftiIO.Header hd;
		long length;
		try (InputStream in = Files.newInputStream(path)) {
			byte[] h = in.readNBytes(348);
			if (!NiftiIO.isNifti(h)) throw new SegmentationException(path + " is not an uncompressed NIfTI-1 file. Fix: decompress it to .nii.");
			hd = NiftiIO.header(path, h);
			length = Files.size(path);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + path + ": " + e.getMessage() + ". Fix: check the path and permissions.", e);
		}
		if (!supported(hd)) throw new SegmentationException(path + " cannot be read lazily (compressed, 2D, several channels, " +
			"rescaled or an unsupported type). Fix: decompress it to .nii, or read it into memory.");
		long[] s = hd.size();
		int bytes = hd.bytesPerVoxel();
		long plane = s[0] * s[1];
		if (hd.voxOffset() + plane * s[2] * bytes > length)
			throw new SegmentationException(path + " is truncated: its voxel data should end at byte " + (hd.voxOffset() + plane * s[2] * bytes) +
				" but the file has " + length + " bytes. Fix: re-copy or re-export it.");
		if (plane * bytes > Integer.MAX_VALUE / 2) throw new SegmentationException(path + " has x-y planes too large to load. Fix: crop it.");
		int slab = (int) Math.max(1, Math.min(s[2], (16L << 20) / (plane * bytes)));
		int cached = (int) Math.max(2, cacheBytes / (plane * bytes * slab));
		CellGrid grid = new CellGrid(new long[] { s[0], s[1], s[2], 1 }, new int[] { (int) s[0], (int) s[1], slab, 1 });
		SlabLoader loader = new SlabLoader(path, hd, grid, cached);
		return switch (hd.datatype()) {
			case 2 -> new Volume<>(new LazyCellImg<UnsignedByteType, ByteArray>(grid, new UnsignedByteType(), loader::bytes), hd.calibration());
			case 4 -> new Volume<>(new LazyCellImg<ShortType, ShortArray>(grid, new ShortType(), loader::shorts), hd.calibration());
			case 512 -> new Volume<>(new LazyCellImg<UnsignedShortType, ShortArray>(grid, new UnsignedShortType(), loader::shorts),
				hd.calibration());
			case 768 -> new Volume<>(new LazyCellImg<net.imglib2.type.numeric.integer.UnsignedIntType, net.imglib2.img.basictypeaccess.array.IntArray>(
				grid, new net.imglib2.type.numeric.integer.UnsignedIntType(), loader::ints), hd.calibration());
			default -> new Volume<>(new LazyCellImg<FloatType, FloatArray>(grid, new FloatType(), loader::floats), hd.calibration());
		};
	}

	/** Loads slabs with positional reads and keeps the most recently used ones. */
	private static final class SlabLoader {
		private final Path path;
		private final NiftiIO.Header header;
		private final CellGrid grid;
		private final Map<Long, Cell<?>> cache;

		SlabLoader(Path path, NiftiIO.Header header, CellGrid grid, int cached) {
			this.path = path;
			this.header = header;
			this.grid = grid;
			this.cache = new LinkedHashMap<>(16, 0.75f, true) {
				private static final long serialVersionUID = 1L;

				@Override
				protected boolean removeEldestEntry(Map.Entry<Long, Cell<?>> eldest) {
					return size() > cached;
				}
			};
		}

		private synchronized ByteBuffer read(long index, long[] min, int[] dims) {
			long plane = grid.imgDimension(0) * grid.imgDimension(1);
			long voxels = plane * dims[2];
			ByteBuffer b = ByteBuffer.allocate((int) (voxels * header.bytesPerVoxel())).order(header.order());
			try (FileChannel ch = FileChannel.open(path)) {
				long pos = header.voxOffset() + min[2] * plane * header.bytesPerVoxel();
				while (b.hasRemaining()) {
					int n = ch.read(b, pos + b.position());
					if (n < 0) throw new SegmentationException(path + " ended while reading slab " + index + ". Fix: re-copy the file.");
				}
			}
			catch (IOException e) {
				throw new SegmentationException("Cannot read " + path + ": " + e.getMessage(), e);
			}
			b.flip();
			return b;
		}

		@SuppressWarnings("unchecked")
		private synchronized <A> Cell<A> cell(long index, java.util.function.Function<ByteBuffer, A> convert) {
			Cell<?> c = cache.get(index);
			if (c != null) return (Cell<A>) c;
			long[] min = new long[4];
			int[] dims = new int[4];
			grid.getCellDimensions(index, min, dims);
			Cell<A> cell = new Cell<>(dims, min, convert.apply(read(index, min, dims)));
			cache.put(index, cell);
			return cell;
		}

		Cell<ByteArray> bytes(long index) {
			return cell(index, b -> new ByteArray(b.array()));
		}

		Cell<ShortArray> shorts(long index) {
			return cell(index, b -> {
				short[] s = new short[b.remaining() / 2];
				b.asShortBuffer().get(s);
				return new ShortArray(s);
			});
		}

		Cell<net.imglib2.img.basictypeaccess.array.IntArray> ints(long index) {
			return cell(index, b -> {
				int[] v = new int[b.remaining() / 4];
				b.asIntBuffer().get(v);
				return new net.imglib2.img.basictypeaccess.array.IntArray(v);
			});
		}

		Cell<FloatArray> floats(long index) {
			return cell(index, b -> {
				float[] f = new float[b.remaining() / 4];
				b.asFloatBuffer().get(f);
				return new FloatArray(f);
			});
		}
	}
}
