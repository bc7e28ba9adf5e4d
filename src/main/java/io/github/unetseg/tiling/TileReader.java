package io.github.unetseg.tiling;

import java.util.ArrayList;
import java.util.List;

import io.github.unetseg.image.PixelArrays;
import io.github.unetseg.image.Volume;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessible;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.blocks.PrimitiveBlocks;
import net.imglib2.converter.Converters;
import net.imglib2.converter.RealFloatConverter;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Copies tiles out of a {@link Volume} into the network's input layout, normalising each channel and
 * mirror-padding outside the image.
 *
 * <p>Mirror padding does not repeat the edge pixel (ImgLib2's {@code extendMirrorSingle}, numpy's
 * {@code "reflect"}), as CSBDeep does; it extends any distance, so images smaller than the halo work.
 * Each channel {@code c} is mapped as {@code value * scale[c] + offset[c]}. Images backed by an
 * {@code ArrayImg} or {@code PlanarImg} are copied row by row from their arrays ({@link PixelArrays}),
 * a hand loop kept because it also mirrors by index (bench/RESULTS.md, session 2: tile reads 40-60 ms
 * to 2.5 ms per 2048² image); others (cell images, views) through ImgLib2's {@link PrimitiveBlocks}
 * for tiles inside the image and a {@code RandomAccess} on the mirror-extended image across its border,
 * with the same values.
 *
 * @param <T> pixel type of the volume
 */
public final class TileReader<T extends RealType<T>> {

	private final RandomAccessibleInterval<T> image;
	private final RandomAccessible<T> extended;
	private final int spatialDims;
	private final int channels;
	private final double[] scale;
	private final double[] offset;
	private final float[] clipMin, clipMax;
	private final PixelArrays arrays;
	private final boolean mayHoldNonFinite;
	private final List<PrimitiveBlocks<FloatType>> blocks = new ArrayList<>();
	private float[] block = new float[0];

	/**
	 * @param volume source image {@code [x, y(, z), c]}
	 * @param scale per-channel multiplier, length {@code volume.channels()}
	 * @param offset per-channel offset added after scaling, length {@code volume.channels()}
	 * @throws IllegalArgumentException if the arrays do not have one value per channel
	 */
	public TileReader(Volume<T> volume, double[] scale, double[] offset) {
		this(volume, IntensityMap.affine(scale, offset));
	}

	/**
	 * @param volume source image {@code [x, y(, z), c]}
	 * @param map per-channel affine map and clip bounds
	 * @throws IllegalArgumentException if the map does not have one value per channel
	 */
	public TileReader(Volume<T> volume, IntensityMap map) {
		double[] scale = map.scale(), offset = map.offset();
		this.image = volume.image();
		this.spatialDims = volume.spatialDims();
		this.channels = volume.channels();
		if (scale.length != channels || offset.length != channels)
			throw new IllegalArgumentException("need one scale and offset per channel (" + channels + ")");
		this.scale = scale.clone();
		this.offset = offset.clone();
		if (map.clips()) {
			clipMin = new float[channels];
			clipMax = new float[channels];
			for (int c = 0; c < channels; c++) {
				clipMin[c] = (float) map.min()[c];
				clipMax[c] = (float) map.max()[c];
			}
		}
		else clipMin = clipMax = null;
		this.extended = Views.extendMirrorSingle(image);
		this.arrays = PixelArrays.of(image);
		this.mayHoldNonFinite = !(image.getType() instanceof net.imglib2.type.numeric.IntegerType);
		if (arrays == null)
			for (int c = 0; c < channels; c++) // one channel as float, copied in blocks (cell images, views)
				blocks.add(PrimitiveBlocks.of(Converters.convert(Views.hyperSlice(image, spatialDims, c), new RealFloatConverter<T>(),
					new FloatType()), PrimitiveBlocks.OnFallback.ACCEPT));
	}

	/**
	 * Writes one tile into {@code dst} in layout {@code [(z,) y, x, channel]}. Values that are NaN or
	 * infinite in a floating-point image (or after normalising) become 0, the normalised image's
	 * background (low percentile, or mean), so one bad voxel cannot poison the network's output.
	 *
	 * @param min first pixel of the tile {@code [x, y(, z)]}, may be negative
	 * @param size tile size {@code [x, y(, z)]}
	 * @param dst destination array
	 * @param dstOffset index of the tile's first value in {@code dst}
	 */
	public void read(long[] min, long[] size, float[] dst, int dstOffset) {
		if (arrays != null) readRows(min, size, dst, dstOffset);
		else readPixels(min, size, dst, dstOffset);
		if (clipMin != null) {
			long n = channels;
			for (long s : size) n *= s;
			for (int i = dstOffset, end = (int) (dstOffset + n), c = 0; i < end; i++, c = c + 1 == channels ? 0 : c + 1)
				dst[i] = Math.max(clipMin[c], Math.min(clipMax[c], dst[i])); // NaN stays NaN and becomes 0 below
		}
		if (mayHoldNonFinite) {
			long n = channels;
			for (long s : size) n *= s;
			for (int i = dstOffset, end = (int) (dstOffset + n); i < end; i++) if (!Float.isFinite(dst[i])) dst[i] = 0;
		}
	}

	private void readPixels(long[] min, long[] size, float[] dst, int dstOffset) {
		boolean inside = true;
		for (int d = 0; d < spatialDims; d++)
			inside &= min[d] >= 0 && min[d] + size[d] <= image.dimension(d);
		int sx = (int) size[0], sy = (int) size[1], sz = spatialDims == 3 ? (int) size[2] : 1;
		if (inside) {
			// x fastest in the block, as in the network layout's rows; channels interleaved on the way
			int n = sx * sy * sz;
			if (block.length < n) block = new float[n];
			int[] blockSize = new int[spatialDims];
			for (int d = 0; d < spatialDims; d++) blockSize[d] = (int) size[d];
			for (int c = 0; c < channels; c++) {
				blocks.get(c).copy(min, block, blockSize);
				float s = (float) scale[c], o = (float) offset[c];
				for (int i = 0, j = dstOffset + c; i < n; i++, j += channels) dst[j] = block[i] * s + o;
			}
			return;
		}
		// a tile across the image border: mirrored through the extended view
		RandomAccess<T> ra = extended.randomAccess();
		long[] pos = new long[spatialDims + 1];
		for (int c = 0; c < channels; c++) {
			float s = (float) scale[c], o = (float) offset[c];
			pos[spatialDims] = c;
			for (int z = 0; z < sz; z++) {
				if (spatialDims == 3) pos[2] = min[2] + z;
				for (int y = 0; y < sy; y++) {
					pos[0] = min[0];
					pos[1] = min[1] + y;
					ra.setPosition(pos);
					int i = dstOffset + ((z * sy + y) * sx) * channels + c;
					for (int x = 0; x < sx; x++, i += channels) {
						dst[i] = ra.get().getRealFloat() * s + o;
						ra.fwd(0);
					}
				}
			}
		}
	}

	/**
	 * The same as {@link #read} straight from the image's arrays: row by row, mirroring y and z (and x
	 * for rows that leave the image) by index.
	 */
	private void readRows(long[] min, long[] size, float[] dst, int dstOffset) {
		long nx = image.dimension(0), ny = image.dimension(1), nz = spatialDims == 3 ? image.dimension(2) : 1;
		int sx = (int) size[0], sy = (int) size[1], sz = spatialDims == 3 ? (int) size[2] : 1;
		boolean rowInside = min[0] >= 0 && min[0] + sx <= nx;
		for (int c = 0; c < channels; c++) {
			float s = (float) scale[c], o = (float) offset[c];
			for (int z = 0; z < sz; z++) {
				long zz = spatialDims == 3 ? PixelArrays.mirror(min[2] + z, nz) : 0;
				for (int y = 0; y < sy; y++) {
					long row = ((c * nz + zz) * ny + PixelArrays.mirror(min[1] + y, ny)) * nx;
					int i = dstOffset + ((z * sy + y) * sx) * channels + c;
					if (rowInside) arrays.copy(row + min[0], sx, dst, i, channels, s, o);
					else for (int x = 0; x < sx; x++, i += channels) dst[i] = arrays.get(row + PixelArrays.mirror(min[0] + x, nx)) * s + o;
				}
			}
		}
	}
}
