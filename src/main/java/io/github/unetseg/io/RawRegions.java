package io.github.unetseg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;

/**
 * Uncompressed NRRD or MetaImage voxels read by regions ({@link LazyRegions}): each row of a region is
 * one positional read of the data file (for interleaved channels all channels of the row at once), so
 * only the bytes a region covers are read. The file stores rows of {@code x}; its natural cell is one row
 * of one plane, which {@link LazyRegions} grows to about 1 MiB. Compressed files ({@code encoding: gzip},
 * {@code CompressedData = True}) cannot be read by regions and are refused with how to convert them.
 */
final class RawRegions implements RegionSource {
	private final RawVolumes.Layout layout;
	private final long[] size;
	private final Calibration calibration;
	private final FileChannel channel;

	/**
	 * @param path a {@code .nrrd}, {@code .nhdr}, {@code .mha} or {@code .mhd} file
	 * @return whether its voxels are uncompressed (readable by regions)
	 * @throws SegmentationException for unreadable headers
	 */
	static boolean supports(Path path) {
		return layout(path).compression() == null;
	}

	private static RawVolumes.Layout layout(Path path) {
		return ImageFiles.detect(path) == ImageFormat.NRRD ? NrrdIO.layout(path) : MetaImageIO.layout(path);
	}

	/**
	 * Opens the data file.
	 *
	 * @param path a {@code .nrrd}, {@code .nhdr}, {@code .mha} or {@code .mhd} file with uncompressed voxels
	 * @throws SegmentationException naming the file when its voxels are compressed, or the data file is
	 *     shorter than the header says
	 */
	RawRegions(Path path) {
		RawVolumes.Layout l = layout(path);
		if (l.compression() != null)
			throw RawVolumes.fail(path, "holds " + l.compression() + "-compressed voxels, which cannot be read by regions",
				"save it uncompressed (NRRD encoding raw, MetaImage CompressedData = False), or give stream=never");
		long[] s = l.size();
		Calibration cal = l.calibration();
		if (s.length == 3 && s[2] == 1) { // one slice: a 2D image, as the in-memory reader gives it
			s = new long[] { s[0], s[1] };
			cal = new Calibration(new double[] { cal.spacing(0), cal.spacing(1) }, cal.unit(), null);
		}
		long voxels = Arrays.stream(s).reduce(1, Math::multiplyExact) * l.channels();
		try {
			long bytes = Files.size(l.data());
			if (bytes < l.offset() + voxels * l.element().bytes)
				throw RawVolumes.fail(path, "is truncated: its " + voxels + " voxels need " + (l.offset() + voxels * l.element().bytes) +
					" bytes of " + l.data().getFileName() + ", which has " + bytes, "re-copy or re-export the file");
			this.channel = FileChannel.open(l.data());
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + path + ": " + e.getMessage() + ". Fix: check the path and permissions.", e);
		}
		this.layout = l;
		this.size = s;
		this.calibration = cal;
	}

	@Override
	public long[] spatialSize() {
		return size.clone();
	}

	@Override
	public int channels() {
		return layout.channels();
	}

	@Override
	public int[] cellSize() {
		return size.length == 3 ? new int[] { (int) Math.min(size[0], Integer.MAX_VALUE), 1, 1 }
			: new int[] { (int) Math.min(size[0], Integer.MAX_VALUE), 1 };
	}

	@Override
	public Calibration calibration() {
		return calibration;
	}

	@Override
	public synchronized Volume<?> read(long[] min, long[] regionSize) {
		int w = (int) regionSize[0], h = (int) regionSize[1], nz = regionSize.length > 2 ? (int) regionSize[2] : 1;
		long z0 = min.length > 2 ? min[2] : 0, sx = size[0], sy = size[1], sz = size.length > 2 ? size[2] : 1;
		int channels = layout.channels(), bytes = layout.element().bytes;
		long values = (long) w * h * nz * channels;
		if (values * bytes > Integer.MAX_VALUE - 8)
			throw new SegmentationException("A region of " + Arrays.toString(regionSize) + " of " + layout.header() + " holds more than 2^31 " +
				"bytes. Fix: read it by smaller regions (LazyRegions).");
		// the region's bytes in the output order [x, y, z, c] (x fastest), decoded afterwards
		byte[] out = new byte[(int) (values * bytes)];
		int rowBytes = w * bytes, plane = w * h;
		ByteBuffer row = ByteBuffer.allocate(layout.interleaved() ? rowBytes * channels : rowBytes);
		try {
			for (int c = 0; c < (layout.interleaved() ? 1 : channels); c++)
				for (int z = 0; z < nz; z++)
					for (int y = 0; y < h; y++) {
						long voxel = min[0] + sx * (min[1] + y + sy * (z0 + z));
						long at = layout.offset() + (layout.interleaved() ? voxel * channels : voxel + c * sx * sy * sz) * bytes;
						row.clear();
						while (row.hasRemaining()) if (channel.read(row, at + row.position()) < 0)
							throw RawVolumes.fail(layout.header(), "is truncated (its data ends early)", "re-copy or re-export the file");
						byte[] r = row.array();
						if (!layout.interleaved()) System.arraycopy(r, 0, out, ((c * nz + z) * plane + y * w) * bytes, rowBytes);
						else for (int ch = 0; ch < channels; ch++)
							for (int x = 0; x < w; x++)
								System.arraycopy(r, (x * channels + ch) * bytes, out, ((ch * nz + z) * plane + y * w + x) * bytes, bytes);
					}
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + Arrays.toString(min) + " + " + Arrays.toString(regionSize) + " of " +
				layout.header() + ": " + e.getMessage() + ". Fix: check the file.", e);
		}
		long[] dims = Arrays.copyOf(regionSize, regionSize.length + 1);
		dims[regionSize.length] = channels;
		return volume(RawVolumes.image(layout.element(), out, layout.order(), dims), calibration);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> volume(net.imglib2.img.array.ArrayImg img, Calibration cal) {
		return new Volume<>(img, cal);
	}

	@Override
	public void close() {
		try {
			channel.close();
		}
		catch (IOException e) {
			// read only: nothing to lose
		}
	}
}
