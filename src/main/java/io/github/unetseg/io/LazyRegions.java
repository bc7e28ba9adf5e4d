package io.github.unetseg.io;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.NativeType;

/**
 * An image read lazily from a {@link RegionSource}: an ImgLib2 {@link LazyCellImg} {@code [x, y(, z), c]}
 * whose cells are regions of the file (its TIFF tiles or strips, grown to about 1 MiB per channel and one
 * plane deep), loaded on first access and kept in a least-recently-used cache bounded in bytes. Memory
 * use is bounded by the cache whatever the image's size; the source must stay open while the image is used.
 * Reads are serialised (one source, one file position).
 */
public final class LazyRegions {

	/** Bytes a cell aims at, per channel. */
	static final long CELL_BYTES = 1 << 20;

	private LazyRegions() {}

	/**
	 * @param source the file, open
	 * @param cacheBytes bytes of cells kept in memory (at least two cells are kept)
	 * @return the lazily read image with the source's calibration
	 * @throws SegmentationException if the source cannot be read
	 */
	public static Volume<?> open(RegionSource source, long cacheBytes) {
		return open(source, cacheBytes, null);
	}

	/**
	 * @param source the file, open
	 * @param cacheBytes bytes of cells kept in memory (at least two cells are kept)
	 * @param loads counts the cells read from the file (for tests and reports), or {@code null}
	 * @return the lazily read image with the source's calibration
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<?> open(RegionSource source, long cacheBytes, long[] loads) {
		long[] size = source.spatialSize();
		int n = size.length, channels = source.channels();
		// the file's pixel type, from one pixel
		ArrayImg probe = (ArrayImg) source.read(new long[n], ones(n)).image();
		NativeType type = (NativeType) ((NativeType) probe.firstElement()).createVariable();
		int bytes = (int) Math.max(1, type.getEntitiesPerPixel().getRatio() * bytesPerEntity(probe.update(null)));
		int[] cell = cell(source.cellSize(), size, bytes);
		long[] dims = Arrays.copyOf(size, n + 1);
		dims[n] = channels;
		int[] cellDims = Arrays.copyOf(cell, n + 1);
		cellDims[n] = channels;
		CellGrid grid = new CellGrid(dims, cellDims);
		long cellBytes = (long) bytes * channels * Arrays.stream(cell).asLongStream().reduce(1, (a, b) -> a * b);
		Loader loader = new Loader(source, grid, (int) Math.max(2, cacheBytes / cellBytes), loads);
		return new Volume<>(new LazyCellImg(grid, type, loader::cell), source.calibration());
	}

	/** The file's own region, widened along x and y in turn to at most {@value #CELL_BYTES} bytes; one plane deep. */
	static int[] cell(int[] preferred, long[] size, int bytes) {
		int n = size.length;
		int[] c = new int[n];
		for (int d = 0; d < n; d++) c[d] = (int) Math.max(1, Math.min(size[d], d < 2 && preferred.length > d && preferred[d] > 0 ? preferred[d] : 1));
		for (boolean grown = true; grown;) {
			grown = false;
			for (int d = 0; d < 2; d++)
				if ((long) c[0] * c[1] * bytes * 2 <= CELL_BYTES && c[d] < size[d]) {
					c[d] = (int) Math.min(size[d], 2L * c[d]);
					grown = true;
				}
		}
		return c;
	}

	private static long[] ones(int n) {
		long[] o = new long[n];
		Arrays.fill(o, 1);
		return o;
	}

	private static int bytesPerEntity(Object access) {
		return switch (access.getClass().getSimpleName()) {
			case "ByteArray" -> 1;
			case "ShortArray" -> 2;
			case "DoubleArray", "LongArray" -> 8;
			default -> 4;
		};
	}

	/** Reads cells from the source and keeps the most recently used ones. */
	private static final class Loader {
		private final RegionSource source;
		private final CellGrid grid;
		private final Map<Long, Cell<?>> cache;
		private final long[] loads;

		Loader(RegionSource source, CellGrid grid, int cached, long[] loads) {
			this.source = source;
			this.grid = grid;
			this.loads = loads;
			this.cache = new LinkedHashMap<>(16, 0.75f, true) {
				private static final long serialVersionUID = 1L;

				@Override
				protected boolean removeEldestEntry(Map.Entry<Long, Cell<?>> eldest) {
					return size() > cached;
				}
			};
		}

		@SuppressWarnings({ "rawtypes", "unchecked" })
		synchronized Cell<? extends ArrayDataAccess<?>> cell(long index) {
			Cell<?> c = cache.get(index);
			if (c != null) return (Cell) c;
			int n = grid.numDimensions();
			long[] min = new long[n];
			int[] dims = new int[n];
			grid.getCellDimensions(index, min, dims);
			long[] spatialMin = Arrays.copyOf(min, n - 1), spatialSize = new long[n - 1];
			for (int d = 0; d < n - 1; d++) spatialSize[d] = dims[d];
			ArrayImg img = (ArrayImg) source.read(spatialMin, spatialSize).image();
			Cell<?> cell = new Cell<>(dims, min, (ArrayDataAccess<?>) img.update(null));
			cache.put(index, cell);
			if (loads != null) loads[0]++;
			return (Cell) cell;
		}
	}

	/**
	 * @param v a volume from {@link #open}
	 * @return whether it is lazily read
	 */
	public static boolean isLazy(Volume<?> v) {
		return v.image() instanceof LazyCellImg<?, ?>;
	}
}
