package io.github.unetseg.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;

/**
 * Reads and writes single-file NIfTI-1 images ({@code .nii}, {@code .nii.gz}), the format of nnU-Net
 * and of most MRI and CT tools. Follows the NIfTI-1 standard header ({@code nifti1.h}, NIfTI Data
 * Format Working Group, 2004).
 *
 * <p>Axes: NIfTI's voxel order (i fastest, then j, k, then the 4th dimension) is ImgLib2's
 * {@code [x, y, z, c]}; a 4th dimension is read as channels (as when several modalities are stacked).
 * A volume with one slice ({@code dim[3] = 1}) is read as 2D. Spacing comes from
 * {@code pixdim[1..3]}, the unit from {@code xyzt_units} (metres, millimetres, micrometres). The
 * orientation is kept as a 3 x 4 affine: from the sform when {@code sform_code > 0}, else from the
 * qform quaternion when {@code qform_code > 0}. {@code scl_slope}/{@code scl_inter} are applied
 * (giving 32-bit float). Supported data types: uint8, int8, int16, uint16, int32, uint32, float32,
 * float64; both byte orders. At most 2<sup>31</sup> - 1 bytes of pixel data (an in-memory image).
 */
public final class NiftiIO {

	private static final int HEADER = 348;
	private static final int DATA_OFFSET = 352;

	private NiftiIO() {}

	/**
	 * Checks the first bytes of a (decompressed) file for a NIfTI-1 header.
	 *
	 * @param head at least the first 348 bytes
	 * @return true if {@code sizeof_hdr} is 348 in either byte order and the magic is {@code n+1}
	 */
	static boolean isNifti(byte[] head) {
		if (head.length < HEADER) return false;
		ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
		int size = b.getInt(0);
		boolean ok = size == HEADER || Integer.reverseBytes(size) == HEADER;
		return ok && head[344] == 'n' && head[345] == '+' && head[346] == '1';
	}

	/**
	 * Reads a NIfTI-1 file into memory.
	 *
	 * @param path {@code .nii} or {@code .nii.gz}
	 * @return the volume {@code [x, y(, z), c]} with spacing, unit and orientation
	 * @throws SegmentationException if the file is unreadable, truncated, not NIfTI-1 (a {@code .hdr}/
	 *     {@code .img} pair or NIfTI-2), or has an unsupported data type or absurd dimensions
	 */
	public static Volume<?> read(Path path) {
		boolean gzip;
		try {
			gzip = isGzip(path);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + path + ": " + e.getMessage() + ". Fix: check the path and permissions.", e);
		}
		try (InputStream raw = Files.newInputStream(path); DataInputStream in = new DataInputStream(new BufferedInputStream(
			gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16)))
		{
			byte[] h = new byte[HEADER];
			in.readFully(h);
			Header hd = header(path, h);
			long[] size = hd.size();
			int datatype = hd.datatype(), bytesPer = bytesPerVoxel(datatype);
			long voxels = size[0] * size[1] * size[2] * size[3];
			if (voxels * bytesPer > Integer.MAX_VALUE - 8)
				throw fail(path, "holds " + voxels + " voxels, more than fit in one in-memory image", gzip ? "decompress it to .nii " +
					"(gunzip -k): an uncompressed 3D .nii larger than memory is segmented without loading it" : "crop or split it");
			RawVolumes.checkClaim(path, hd.voxOffset() + voxels * bytesPer, Files.size(path), gzip);
			// read whole it needs its bytes and a float copy; compressed files cannot be read lazily
			long heap = Runtime.getRuntime().maxMemory();
			if (voxels * (bytesPer + 4L) > heap)
				throw fail(path, "holds " + voxels + " voxels (" + (voxels * bytesPer >> 20) + " MiB), more than the Java heap (" + (heap >> 20) +
					" MiB) takes in memory", gzip ? "decompress it to .nii (gunzip -k): an uncompressed 3D .nii larger than memory is " +
					"segmented without loading it" : "raise the heap (-Xmx, UNETSEG_JAVA_OPTS) or crop it");
			in.skipNBytes(hd.voxOffset() - HEADER);
			byte[] data = new byte[(int) (voxels * bytesPer)];
			in.readFully(data);
			if (gzip) RawVolumes.drain(in);
			ByteBuffer db = ByteBuffer.wrap(data).order(hd.order());
			float slope = hd.slope(), inter = hd.intercept();
			long[] dims = size[2] > 1 ? size : new long[] { size[0], size[1], size[3] };
			Calibration cal = hd.calibration();
			if (hd.scaled()) {
				float[] f = new float[(int) voxels];
				ArrayImg<? extends RealType<?>, ?> unscaled = image(datatype, db, dims);
				int i = 0;
				for (RealType<?> t : unscaled) f[i++] = t.getRealFloat() * slope + inter;
				return new Volume<>(ArrayImgs.floats(f, dims), cal);
			}
			return volume(image(datatype, db, dims), cal);
		}
		catch (EOFException e) {
			throw fail(path, "is truncated (the file ends before the pixel data does)", "re-copy or re-export the file");
		}
		catch (java.util.zip.ZipException e) {
			throw fail(path, "is not valid gzip data (" + e.getMessage() + ")", "re-copy the file or decompress it to .nii");
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + path + ": " + e.getMessage() + ". Fix: check the path and permissions.", e);
		}
	}

	/**
	 * The parts of a NIfTI-1 header unetseg uses.
	 *
	 * @param order byte order of header and data
	 * @param size {@code [x, y, z, channels]} (dimensions 4 and up fold into channels)
	 * @param datatype NIfTI datatype code (checked: one {@link #bytesPerVoxel} knows)
	 * @param voxOffset byte offset of the voxel data
	 * @param slope scl_slope
	 * @param intercept scl_inter
	 * @param calibration spacing, unit and orientation
	 */
	record Header(ByteOrder order, long[] size, int datatype, long voxOffset, float slope, float intercept, Calibration calibration) {

		/** @return true if the values must be rescaled (slope not 0 or 1, or an intercept) */
		boolean scaled() {
			return slope != 0 && Float.isFinite(slope) && Float.isFinite(intercept) && (slope != 1 || intercept != 0);
		}

		/** @return bytes per voxel of the data */
		int bytesPerVoxel() {
			return NiftiIO.bytesPerVoxel(datatype);
		}
	}

	/**
	 * Parses and checks the 348-byte header.
	 *
	 * @throws SegmentationException naming the bad field
	 */
	static Header header(Path path, byte[] h) {
		ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
		if (hb.getInt(0) != HEADER) {
			hb.order(ByteOrder.BIG_ENDIAN);
			if (hb.getInt(0) != HEADER) {
				if (hb.order(ByteOrder.LITTLE_ENDIAN).getInt(0) == 540 || hb.order(ByteOrder.BIG_ENDIAN).getInt(0) == 540)
					throw fail(path, "is NIfTI-2, which is not supported", "convert it to NIfTI-1 (e.g. with nibabel or c3d)");
				throw fail(path, "does not start with a NIfTI-1 header (sizeof_hdr is not 348)", "check the file type");
			}
		}
		String magic = new String(h, 344, 3, StandardCharsets.US_ASCII);
		if (magic.equals("ni1"))
			throw fail(path, "is the header of a .hdr/.img pair", "convert it to a single .nii file");
		if (!magic.equals("n+1")) throw fail(path, "has the NIfTI magic '" + magic + "' instead of 'n+1'", "check the file");
		short[] dim = new short[8];
		for (int i = 0; i < 8; i++) dim[i] = hb.getShort(40 + 2 * i);
		int rank = dim[0];
		if (rank < 2 || rank > 7) throw fail(path, "has dim[0] = " + rank + " (must be 2 to 7)", "check the header");
		long[] size = new long[4];
		long channels = 1;
		for (int i = 1; i <= 7; i++) {
			long v = i <= rank ? dim[i] : 1;
			if (v < 1) throw fail(path, "has dimension dim[" + i + "] = " + v + " (must be >= 1)", "check the header");
			if (i <= 3) size[i - 1] = v;
			else channels *= v;
		}
		size[3] = channels;
		int datatype = hb.getShort(70);
		if (bytesPerVoxel(datatype) == 0)
			throw fail(path, "has NIfTI datatype " + datatype + ", which unetseg does not read", "convert it to uint8, int16, " +
				"uint16, int32, float32 or float64");
		float voxOffset = hb.getFloat(108);
		if (!(voxOffset >= DATA_OFFSET - 4) || voxOffset > 1 << 24)
			throw fail(path, "has vox_offset " + voxOffset, "check the header");
		return new Header(hb.order(), size, datatype, (long) voxOffset, hb.getFloat(112), hb.getFloat(116), calibration(hb, size[2] > 1));
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static Volume<?> volume(ArrayImg img, Calibration cal) {
		return new Volume<>(img, cal);
	}

	private static boolean isGzip(Path path) throws IOException {
		try (InputStream in = Files.newInputStream(path)) {
			return in.read() == 0x1f && in.read() == 0x8b;
		}
	}

	private static int bytesPerVoxel(int datatype) {
		return switch (datatype) {
			case 2, 256 -> 1;
			case 4, 512 -> 2;
			case 8, 768, 16 -> 4;
			case 64 -> 8;
			default -> 0;
		};
	}

	/** NIfTI-1 datatype code to element type; the codes {@link #bytesPerVoxel} accepts. */
	private static RawVolumes.Element element(int datatype) {
		return switch (datatype) {
			case 2 -> RawVolumes.Element.UINT8;
			case 256 -> RawVolumes.Element.INT8;
			case 4 -> RawVolumes.Element.INT16;
			case 512 -> RawVolumes.Element.UINT16;
			case 8 -> RawVolumes.Element.INT32;
			case 768 -> RawVolumes.Element.UINT32;
			case 16 -> RawVolumes.Element.FLOAT32;
			case 64 -> RawVolumes.Element.FLOAT64;
			default -> throw new IllegalStateException("datatype " + datatype);
		};
	}

	private static ArrayImg<? extends RealType<?>, ?> image(int datatype, ByteBuffer b, long[] dims) {
		return RawVolumes.image(element(datatype), b.array(), b.order(), dims);
	}

	private static Calibration calibration(ByteBuffer h, boolean is3d) {
		double[] spacing = new double[is3d ? 3 : 2];
		for (int d = 0; d < spacing.length; d++) {
			double p = Math.abs(h.getFloat(80 + 4 * d));
			spacing[d] = p > 0 && Double.isFinite(p) ? p : 1;
		}
		double[] affine = null;
		if (h.getShort(254) > 0) {
			affine = new double[12];
			for (int i = 0; i < 12; i++) affine[i] = h.getFloat(280 + 4 * i);
		}
		else if (h.getShort(252) > 0) {
			double b = h.getFloat(256), c = h.getFloat(260), d = h.getFloat(264);
			double a = 1 - (b * b + c * c + d * d);
			a = a < 1e-7 ? 0 : Math.sqrt(a);
			double qfac = h.getFloat(76) < 0 ? -1 : 1;
			double dx = Math.abs(h.getFloat(80)), dy = Math.abs(h.getFloat(84)), dz = Math.abs(h.getFloat(88)) * qfac;
			double[][] r = { { a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c) },
				{ 2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b) },
				{ 2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b } };
			double[] off = { h.getFloat(268), h.getFloat(272), h.getFloat(276) };
			affine = new double[12];
			for (int row = 0; row < 3; row++) {
				affine[4 * row] = r[row][0] * dx;
				affine[4 * row + 1] = r[row][1] * dy;
				affine[4 * row + 2] = r[row][2] * dz;
				affine[4 * row + 3] = off[row];
			}
		}
		for (int i = 0; affine != null && i < 12; i++)
			if (!Double.isFinite(affine[i])) affine = null;
		// NIfTI world coordinates are millimetres unless xyzt_units says otherwise
		String unit = switch (h.get(123) & 7) {
			case 1 -> "m";
			case 2 -> "mm";
			case 3 -> "µm";
			default -> affine == null && spacingIsDefault(spacing) ? "pixel" : "mm";
		};
		return new Calibration(spacing, unit, affine);
	}

	private static boolean spacingIsDefault(double[] s) {
		for (double v : s) if (v != 1) return false;
		return true;
	}

	/**
	 * Writes a volume as NIfTI-1, gzip-compressed when the name ends with {@code .gz}. The file is
	 * written to a temporary file in the same folder and moved into place when complete.
	 *
	 * <p>Data type follows the pixel type: uint8, int8, uint16, int16, uint32, int32, float64, and
	 * float32 for anything else. Spacing goes to {@code pixdim}, the unit to {@code xyzt_units}
	 * (mm when the unit is unknown), the affine (or a diagonal of the spacing) to the sform and, as far
	 * as it is a rotation, to the qform.
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @param path target {@code .nii} or {@code .nii.gz}
	 * @throws SegmentationException if the file cannot be written
	 */
	public static <T extends RealType<T>> void write(Volume<T> volume, Path path) {
		RawVolumes.Element element = RawVolumes.Element.of(volume.image().getType());
		int datatype = switch (element) {
			case UINT8 -> 2;
			case INT8 -> 256;
			case UINT16 -> 512;
			case INT16 -> 4;
			case UINT32 -> 768;
			case INT32 -> 8;
			case FLOAT64 -> 64;
			case FLOAT32 -> 16;
		};
		ByteBuffer h = headerBytes(path, volume.spatialSize(), volume.channels(), datatype, volume.calibration());
		AtomicFiles.write(path, tmp -> {
			try (OutputStream raw = Files.newOutputStream(tmp);
				OutputStream out = new BufferedOutputStream(path.toString().endsWith(".gz") ? RawVolumes.gzip(raw, element) : raw, 1 << 16))
			{
				out.write(h.array());
				RawVolumes.write(volume.image(), out, element, ByteOrder.LITTLE_ENDIAN);
			}
		});
	}

	/**
	 * The 352-byte header (with the empty extension flag) of an image to write: dimensions, datatype,
	 * spacing in {@code pixdim}, unit in {@code xyzt_units}, the affine (or a diagonal of the spacing) in
	 * the sform.
	 */
	static ByteBuffer headerBytes(Path path, long[] size, int c, int datatype, Calibration cal) {
		int bytesPer = bytesPerVoxel(datatype);
		ByteBuffer h = ByteBuffer.allocate(DATA_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
		h.putInt(0, HEADER);
		short[] dim = { (short) (c > 1 ? 4 : 3), (short) size[0], (short) size[1], (short) (size.length == 3 ? size[2] : 1),
			(short) c, 1, 1, 1 };
		for (long s : size) if (s > Short.MAX_VALUE) throw new SegmentationException("Cannot write " + path + ": NIfTI-1 axes hold at most 32767 voxels, got " + s + ". Fix: write TIFF.");
		for (int i = 0; i < 8; i++) h.putShort(40 + 2 * i, dim[i]);
		h.putShort(70, (short) datatype);
		h.putShort(72, (short) (8 * bytesPer));
		h.putFloat(76, 1);
		for (int d = 0; d < 3; d++) h.putFloat(80 + 4 * d, d < cal.spatialDims() ? (float) cal.spacing(d) : 1);
		h.putFloat(108, DATA_OFFSET);
		h.putFloat(112, 1);
		String u = cal.unit();
		h.put(123, (byte) ("m".equals(u) ? 1 : "µm".equals(u) || "um".equals(u) || "micron".equals(u) ? 3 : 2));
		byte[] descrip = "unetseg".getBytes(StandardCharsets.US_ASCII);
		h.position(148);
		h.put(descrip);
		double[] a = cal.affine();
		if (a == null) {
			a = new double[12];
			for (int d = 0; d < 3; d++) a[5 * d] = d < cal.spatialDims() ? cal.spacing(d) : 1;
		}
		h.putShort(254, (short) 1);
		for (int i = 0; i < 12; i++) h.putFloat(280 + 4 * i, (float) a[i]);
		h.position(344);
		h.put(new byte[] { 'n', '+', '1', 0 });
		return h;
	}

	private static SegmentationException fail(Path path, String problem, String fix) {
		return new SegmentationException(path + " " + problem + ". Fix: " + fix + ".");
	}
}
