package io.github.unetseg.io;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

import io.github.unetseg.AtomicFiles;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * BigTIFF and tiled TIFF, which ImageJ 1 does not read, and TIFF read by regions, through ImageIO with
 * TwelveMonkeys' {@code imageio-tiff} for BigTIFF and the JDK's reader for classic TIFF (strips and tiles,
 * uncompressed, LZW, Deflate, PackBits): pages are z slices and channels as the description says
 * (OME-XML, ImageJ hyperstack; {@link TiffPages}), samples 8/16-bit integer or 32-bit float, several
 * samples per pixel (RGB) as channels. {@link #readRegion} reads a rectangle of one page, decoding only
 * the strips or tiles it touches. The writer writes 8/16-bit BigTIFF pages.
 * Pixel size (mm) goes through the resolution tags, the slice spacing through an ImageJ-style
 * {@code spacing=} line in the image description.
 */
public final class ImageIoTiff {

	private ImageIoTiff() {}

	/** Standard metadata with the pixel size (mm) and the slice spacing, or null when not in mm. */
	private static javax.imageio.metadata.IIOMetadata metadata(ImageWriter writer, BufferedImage img, ImageWriteParam param,
		Calibration cal) throws IOException
	{
		if (!"mm".equals(cal.unit())) return null;
		javax.imageio.metadata.IIOMetadata meta = writer.getDefaultImageMetadata(javax.imageio.ImageTypeSpecifier.createFromRenderedImage(img),
			param);
		if (!meta.isStandardMetadataFormatSupported()) return null;
		javax.imageio.metadata.IIOMetadataNode root = new javax.imageio.metadata.IIOMetadataNode("javax_imageio_1.0");
		javax.imageio.metadata.IIOMetadataNode dim = new javax.imageio.metadata.IIOMetadataNode("Dimension");
		javax.imageio.metadata.IIOMetadataNode hx = new javax.imageio.metadata.IIOMetadataNode("HorizontalPixelSize");
		javax.imageio.metadata.IIOMetadataNode vy = new javax.imageio.metadata.IIOMetadataNode("VerticalPixelSize");
		// TwelveMonkeys 3.12 writes the reciprocal of the value into the resolution tags (checked with ImageJ and the JDK reader)
		hx.setAttribute("value", Double.toString(1 / cal.spacing(0)));
		vy.setAttribute("value", Double.toString(1 / cal.spacing(1)));
		dim.appendChild(hx);
		dim.appendChild(vy);
		root.appendChild(dim);
		if (cal.spatialDims() == 3) {
			javax.imageio.metadata.IIOMetadataNode text = new javax.imageio.metadata.IIOMetadataNode("Text");
			javax.imageio.metadata.IIOMetadataNode entry = new javax.imageio.metadata.IIOMetadataNode("TextEntry");
			entry.setAttribute("keyword", "ImageDescription");
			entry.setAttribute("value", "unit=mm\nspacing=" + cal.spacing(2) + "\n");
			text.appendChild(entry);
			root.appendChild(text);
		}
		meta.mergeTree("javax_imageio_1.0", root);
		return meta;
	}

	static boolean isBigTiff(byte[] head) {
		return head.length >= 4 && (head[0] == 'I' && head[1] == 'I' && head[2] == 43 && head[3] == 0 ||
			head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 43);
	}

	/**
	 * The JDK's TIFF reader for classic TIFF (its region reads of tiled files are right, TwelveMonkeys'
	 * 3.12 mis-clips regions that cut through tiles); TwelveMonkeys' for BigTIFF, which the JDK does not
	 * read.
	 */
	static ImageReader reader(ImageInputStream in, Path path) throws IOException {
		byte[] head = new byte[4];
		in.mark();
		in.readFully(head);
		in.reset();
		boolean big = isBigTiff(head);
		ImageReader chosen = null;
		for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext();) {
			ImageReader r = it.next();
			boolean twelve = r.getClass().getName().startsWith("com.twelvemonkeys");
			if (chosen == null || twelve == big) chosen = r;
			if (twelve == big) break;
		}
		if (chosen == null) throw new SegmentationException(path + " is not a TIFF that ImageIO can read. Fix: re-save it in Fiji.");
		return chosen;
	}

	/**
	 * Reads all pages.
	 *
	 * @param path a (Big)TIFF file
	 * @return the volume {@code [x, y(, z), c]}, planes and channels as {@link #regions} reads them
	 * @throws SegmentationException for unreadable files, a description that does not match the pages, mixed page sizes or more than 2^31 voxels
	 */
	public static Volume<?> read(Path path) {
		try (RegionSource source = regions(path)) {
			long[] size = source.spatialSize();
			long voxels = java.util.Arrays.stream(size).reduce(1, (a, b) -> a * b) * source.channels();
			if (voxels > Integer.MAX_VALUE - 8)
				throw new SegmentationException(path + " holds more voxels than an in-memory image. Fix: segment it without loading it " +
					"(--stream always), or crop it.");
			return source.read(new long[size.length], size);
		}
	}

	/** The values of a volume as floats, in its flat order. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static float[] floats(Volume<?> v) {
		return io.github.unetseg.image.PixelArrays.floats((RandomAccessibleInterval) v.image());
	}

	/**
	 * Reads a rectangle of one page, decoding only the strips or tiles it touches ({@link #regions}).
	 *
	 * @param path a (Big)TIFF file
	 * @param page page index (z), from 0
	 * @param region the rectangle in pixels
	 * @return the samples, row by row, as float
	 * @throws SegmentationException if the file or region cannot be read
	 */
	public static float[] readRegion(Path path, int page, Rectangle region) {
		try (RegionSource source = regions(path, false)) {
			boolean stack = source.spatialSize().length == 3;
			long[] min = stack ? new long[] { region.x, region.y, page } : new long[] { region.x, region.y };
			long[] size = stack ? new long[] { region.width, region.height, 1 } : new long[] { region.width, region.height };
			if (!stack && page != 0) throw new IllegalArgumentException("page " + page + " of a single-page file");
			return floats(source.read(min, size));
		}
		catch (IllegalArgumentException e) {
			throw new SegmentationException("Cannot read " + region + " of page " + page + " of " + path + ": " + e.getMessage(), e);
		}
	}


	/**
	 * Opens a TIFF, BigTIFF or OME-TIFF (also multi-file) for region reads ({@link LazyRegions}): planes
	 * and channels as {@link TiffPages} lays them out (8/16-bit integer or 32-bit float, as {@link #read});
	 * only the strips or tiles a region touches are decoded.
	 *
	 * @param path a (Big)TIFF file
	 * @return the open source; the caller closes it
	 * @throws SegmentationException for unreadable files, several bands or mixed page sizes
	 */
	public static RegionSource regions(Path path) {
		return regions(path, true);
	}

	/**
	 * Opens a TIFF or BigTIFF stack for region reads, as {@link #regions(Path)}.
	 *
	 * @param path a (Big)TIFF file
	 * @param keepOpen whether the file stays open between reads (close the source when done), or is opened for
	 *     each read (nothing stays open: for images handed to callers that never close them)
	 * @return the source
	 * @throws SegmentationException for unreadable files, several bands or mixed page sizes
	 */
	public static RegionSource regions(Path path, boolean keepOpen) {
		try {
			return new TiffRegions(path, keepOpen);
		}
		catch (IOException | RuntimeException e) {
			if (e instanceof SegmentationException s) throw s;
			throw new SegmentationException("Cannot read " + path + ": " + e.getMessage() + ". Fix: check that Fiji opens it.", e);
		}
	}

	/**
	 * Pixel size from the standard ImageIO metadata (HorizontalPixelSize/VerticalPixelSize, mm), the
	 * slice spacing from an ImageJ-style {@code spacing=} line in the image description; uncalibrated
	 * when absent.
	 */
	static Calibration calibration(ImageReader r, int dims) {
		try {
			javax.imageio.metadata.IIOMetadata m = r.getImageMetadata(0);
			if (m == null || !m.isStandardMetadataFormatSupported()) return Calibration.uncalibrated(dims);
			javax.imageio.metadata.IIOMetadataNode root = (javax.imageio.metadata.IIOMetadataNode) m.getAsTree("javax_imageio_1.0");
			double x = attribute(root, "HorizontalPixelSize", "value"), y = attribute(root, "VerticalPixelSize", "value");
			if (!(x > 0 && y > 0)) return Calibration.uncalibrated(dims);
			double z = 1;
			org.w3c.dom.NodeList text = root.getElementsByTagName("TextEntry");
			for (int i = 0; i < text.getLength(); i++) {
				String v = ((javax.imageio.metadata.IIOMetadataNode) text.item(i)).getAttribute("value");
				java.util.regex.Matcher sp = SPACING.matcher(v);
				if (sp.find()) z = Double.parseDouble(sp.group(1));
			}
			return dims == 3 ? Calibration.of("mm", x, y, z > 0 ? z : 1) : Calibration.of("mm", x, y);
		}
		catch (IOException | RuntimeException e) {
			return Calibration.uncalibrated(dims);
		}
	}

	private static final java.util.regex.Pattern SPACING = java.util.regex.Pattern.compile("(?m)^spacing=([0-9.eE+-]+)");

	private static double attribute(javax.imageio.metadata.IIOMetadataNode root, String element, String attribute) {
		org.w3c.dom.NodeList n = root.getElementsByTagName(element);
		if (n.getLength() == 0) return Double.NaN;
		try {
			return Double.parseDouble(((javax.imageio.metadata.IIOMetadataNode) n.item(0)).getAttribute(attribute));
		}
		catch (NumberFormatException e) {
			return Double.NaN;
		}
	}

	/**
	 * Writes a one-channel 8- or 16-bit volume as BigTIFF, one page per z slice, with the pixel size in
	 * the resolution tags and the slice spacing in an ImageJ-style description when the unit is mm.
	 * Atomic.
	 *
	 * @param volume image {@code [x, y(, z), 1]}, unsigned 8 or 16-bit
	 * @param path target ({@code .btf}, {@code .tf8})
	 * @throws SegmentationException if it cannot be written or the image is not supported
	 */
	public static <T extends RealType<T>> void writeBigTiff(Volume<T> volume, Path path) {
		if (volume.channels() != 1) throw new SegmentationException("BigTIFF output holds one channel; " + path + " got " +
			volume.channels() + ". Fix: write .nii or .ome.tif.");
		long[] s = volume.spatialSize();
		int w = (int) s[0], h = (int) s[1], pages = s.length == 3 ? (int) s[2] : 1;
		boolean bytes = volume.image().getType() instanceof net.imglib2.type.numeric.integer.UnsignedByteType;
		AtomicFiles.write(path, tmp -> {
			ImageWriter writer = ImageIO.getImageWritersByFormatName("BigTIFF").next();
			try (ImageOutputStream out = ImageIO.createImageOutputStream(tmp.toFile())) {
				writer.setOutput(out);
				ImageWriteParam param = writer.getDefaultWriteParam();
				writer.prepareWriteSequence(null);
				javax.imageio.metadata.IIOMetadata meta = null; // the same calibration on every page
				for (int z = 0; z < pages; z++) {
					BufferedImage img = new BufferedImage(w, h, bytes ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_USHORT_GRAY);
					if (z == 0) meta = metadata(writer, img, param, volume.calibration());
					RandomAccessibleInterval<T> plane = Views.hyperSlice(volume.image(), s.length, 0);
					if (s.length == 3) plane = Views.hyperSlice(plane, 2, z);
					Cursor<T> c = Views.flatIterable(plane).cursor();
					DataBuffer db = img.getRaster().getDataBuffer();
					for (int i = 0; c.hasNext(); i++) db.setElem(i, (int) c.next().getRealDouble());
					writer.writeToSequence(new IIOImage(img, null, meta), param);
				}
				writer.endWriteSequence();
			}
			finally {
				writer.dispose();
			}
		});
	}
}
