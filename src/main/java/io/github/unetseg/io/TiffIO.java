package io.github.unetseg.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.io.FileInfo;
import ij.io.Opener;
import ij.io.TiffDecoder;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import io.github.unetseg.AtomicFiles;
import net.imglib2.type.numeric.RealType;

/**
 * TIFF and multi-page TIFF stacks (including ImageJ hyperstacks) through ImageJ 1's reader and
 * writer, with calibration (pixel size, slice spacing, unit) kept.
 */
public final class TiffIO {

	private TiffIO() {}

	/**
	 * @param head first bytes of a file
	 * @return true for the TIFF magic {@code II*\0} or {@code MM\0*} (classic TIFF; BigTIFF is not read
	 *     by ImageJ 1)
	 */
	static boolean isTiff(byte[] head) {
		return head.length >= 4 && (head[0] == 'I' && head[1] == 'I' && head[2] == 42 && head[3] == 0 ||
			head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 42);
	}

	/**
	 * Reads a TIFF into memory with ImageJ 1 and wraps it ({@link ImagePlusAdapter#wrap}); for an
	 * OME-TIFF, pages are re-ordered and calibrated as its OME-XML says ({@link OmeTiff}); a tiled TIFF
	 * and a multi-file OME-TIFF go to {@link ImageIoTiff}. Signed samples stay signed: 16-bit ones (which ImageJ 1 stores with an
	 * offset of 32768) and 8-bit ones (SampleFormat 2, which ImageJ 1 reads as unsigned).
	 *
	 * @param path the file
	 * @return the volume {@code [x, y(, z), c]} with calibration
	 * @throws SegmentationException if ImageJ cannot read the file
	 */
	public static Volume<?> read(Path path) {
		Path abs = path.toAbsolutePath();
		Layout layout = layout(abs);
		// ImageJ 1 cannot read tiled TIFF, nor the other files of a multi-file OME-TIFF; the region reader can
		if (layout.tiled() || multiFileOme(abs)) return ImageIoTiff.read(path);
		ImagePlus imp = openWalked(abs, path);
		ij.io.FileInfo fi = imp.getOriginalFileInfo();
		if (fi != null && OmeTiff.isOme(fi.description)) imp = OmeTiff.reorder(imp, fi.description, path.toString());
		Volume<?> v = ImagePlusAdapter.wrap(imp, path.toString());
		return layout.signed8() && imp.getBitDepth() == 8 && imp.getType() != ImagePlus.COLOR_RGB ? ImagePlusAdapter.signedBytes(v) : v;
	}

	/** Whether the file is one of a multi-file OME-TIFF set, whose planes lie in several files. */
	private static boolean multiFileOme(Path abs) {
		String description;
		try {
			ij.io.FileInfo[] fi = new TiffDecoder(abs.getParent().toString() + java.io.File.separator, abs.getFileName().toString()).getTiffInfo();
			description = fi == null || fi.length == 0 ? null : fi[0].description;
		}
		catch (IOException | RuntimeException e) {
			return false; // ImageJ's reading reports it
		}
		try {
			return OmeTiff.isOme(description) && description.contains("FileName") &&
				TiffPages.of(abs, description, Integer.MAX_VALUE).files().size() > 1;
		}
		catch (SegmentationException e) {
			return false; // OmeTiff.reorder reports it
		}
	}

	/**
	 * Opens a TIFF as an ImagePlus: an ImageJ hyperstack as ImageJ 1 opens it, an OME-TIFF re-ordered into the
	 * hyperstack {@code [c, z, t]} its OME-XML describes, calibrated ({@link OmeTiff#reorder}).
	 *
	 * @param path the file
	 * @return the image
	 * @throws SegmentationException if ImageJ cannot read it (damaged, truncated or tiled), or the OME-XML does
	 *     not match the pages
	 */
	public static ImagePlus open(Path path) {
		Path abs = path.toAbsolutePath();
		if (isTiled(abs))
			throw new SegmentationException(path + " is a tiled TIFF, which ImageJ 1 cannot open. Fix: read it with unetseg's readers " +
				"(ImageFiles.read) or open it with Bio-Formats in Fiji.");
		ImagePlus imp = openWalked(abs, path);
		ij.io.FileInfo fi = imp.getOriginalFileInfo();
		return fi != null && OmeTiff.isOme(fi.description) ? OmeTiff.reorder(imp, fi.description, path.toString()) : imp;
	}

	/** Opens with ImageJ 1 a TIFF whose directory chain {@link #checkDirectories} has already walked. */
	private static ImagePlus openWalked(Path abs, Path path) {
		checkComplete(abs);
		ImagePlus imp;
		try {
			imp = new Opener().openTiff(abs.getParent().toString() + java.io.File.separator, abs.getFileName().toString());
		}
		catch (RuntimeException | OutOfMemoryError e) {
			throw new SegmentationException(path + " could not be read as TIFF (" + e + "). Fix: re-save it in Fiji or re-copy it.");
		}
		if (imp == null || imp.getStackSize() == 0)
			throw new SegmentationException(path + " could not be read as TIFF (truncated, compressed in a way ImageJ 1 does " +
				"not support, or BigTIFF). Fix: re-save it as an uncompressed or LZW TIFF in Fiji, or open it with Bio-Formats in Fiji.");
		return imp;
	}

	/**
	 * ImageJ 1 fills missing pixel data of a truncated TIFF silently; this checks that every strip
	 * (or, for contiguous ImageJ stacks, every plane) the directories point to lies inside the file.
	 */
	private static void checkComplete(Path path) {
		FileInfo[] infos;
		long length;
		try {
			length = Files.size(path);
			infos = new TiffDecoder(path.getParent().toString() + java.io.File.separator, path.getFileName().toString()).getTiffInfo();
		}
		catch (OutOfMemoryError e) {
			throw new SegmentationException(path + " has a TIFF directory that asks for more memory than there is (" + e.getMessage() +
				"). Fix: re-save or re-copy the file.");
		}
		catch (IOException | RuntimeException e) {
			throw new SegmentationException(path + " has a damaged TIFF directory (" + e.getMessage() + "). Fix: re-save or " +
				"re-copy the file.", e);
		}
		if (infos == null || infos.length == 0)
			throw new SegmentationException(path + " has no readable TIFF image directory. Fix: re-save or re-copy the file.");
		for (FileInfo fi : infos) {
			long end;
			if (fi.width < 1 || fi.height < 1)
				throw new SegmentationException(path + " declares an image of " + fi.width + " x " + fi.height + " pixels. Fix: " +
					"re-save the file.");
			if (fi.stripOffsets != null && fi.stripLengths != null && fi.stripOffsets.length > 0 && fi.nImages <= 1) {
				end = 0;
				for (int i = 0; i < fi.stripOffsets.length && i < fi.stripLengths.length; i++)
					end = Math.max(end, (fi.stripOffsets[i] & 0xffffffffL) + (fi.stripLengths[i] & 0xffffffffL));
			}
			else {
				long plane = (long) fi.width * fi.height * Math.max(1, fi.getBytesPerPixel());
				long gap = fi.getGap();
				end = fi.getOffset() + Math.max(1, fi.nImages) * plane + (Math.max(1, fi.nImages) - 1) * gap;
			}
			if (end > length)
				throw new SegmentationException(path + " is truncated: its image data should reach byte " + end + " but the file has " +
					length + " bytes. Fix: re-copy or re-export the file.");
		}
	}

	/** Most image directories (pages) followed before giving up, against loops and absurd files. */
	private static final int MAX_DIRECTORIES = 1 << 20;

	/**
	 * Walks the chain of image file directories before ImageJ does: every directory, and every tag
	 * value stored outside its entry, must lie inside the file, and the chain must end. Returns whether
	 * the images are tiled. ImageJ's
	 * {@code TiffDecoder} allocates arrays from these counts without checking them, so a damaged
	 * header could otherwise exhaust memory.
	 */
	private static Layout checkDirectories(Path path, long length) throws IOException {
		boolean tiled = false;
		int bits = 0, sampleFormat = 1;
		try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
			java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(8);
			if (ch.read(head, 0) < 8) throw new SegmentationException(path + " is too short to be a TIFF. Fix: re-copy the file.");
			java.nio.ByteOrder order = head.get(0) == 'M' ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN;
			head.order(order);
			long ifd = head.getInt(4) & 0xffffffffL;
			java.util.Set<Long> seen = new java.util.HashSet<>();
			int[] typeSize = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8 };
			for (int n = 0; ifd != 0; n++) {
				if (n > MAX_DIRECTORIES || !seen.add(ifd))
					throw new SegmentationException(path + " has a looping or endless chain of TIFF directories. Fix: re-save the file.");
				if (ifd + 2 > length) throw new SegmentationException(path + " points to a TIFF directory beyond its end (truncated). " +
					"Fix: re-copy or re-export the file.");
				java.nio.ByteBuffer cnt = java.nio.ByteBuffer.allocate(2).order(order);
				ch.read(cnt, ifd);
				int entries = cnt.getShort(0) & 0xffff;
				long end = ifd + 2 + 12L * entries + 4;
				if (end > length) throw new SegmentationException(path + " has a TIFF directory that runs past the end of the file " +
					"(truncated). Fix: re-copy or re-export the file.");
				java.nio.ByteBuffer e = java.nio.ByteBuffer.allocate(12 * entries + 4).order(order);
				ch.read(e, ifd + 2);
				for (int i = 0; i < entries; i++) {
					int tag = e.getShort(12 * i) & 0xffff;
					tiled |= tag == 322 || tag == 324;
					int type = e.getShort(12 * i + 2) & 0xffff;
					long count = e.getInt(12 * i + 4) & 0xffffffffL;
					if (n == 0 && type == 3 && count <= 2 && (tag == 258 || tag == 339)) { // SHORT values held in the entry
						int value = e.getShort(12 * i + 8) & 0xffff;
						if (tag == 258) bits = value;
						else sampleFormat = value;
					}
					long bytes = count * (type < typeSize.length ? Math.max(1, typeSize[type]) : 1);
					if (bytes > 4) {
						long offset = e.getInt(12 * i + 8) & 0xffffffffL;
						if (offset + bytes > length)
							throw new SegmentationException(path + " has a TIFF tag (" + (e.getShort(12 * i) & 0xffff) + ") whose " + count +
								" values lie beyond the end of the file. Fix: re-copy or re-export the file.");
					}
				}
				ifd = e.getInt(12 * entries) & 0xffffffffL;
			}
		}
		return new Layout(tiled, bits == 8 && sampleFormat == 2);
	}

	/**
	 * What the directories say beyond ImageJ's reading.
	 *
	 * @param tiled images stored in tiles (TileWidth/TileOffsets tags)
	 * @param signed8 8-bit samples in two's complement (SampleFormat 2), which ImageJ 1 reads as unsigned
	 */
	private record Layout(boolean tiled, boolean signed8) {}

	/**
	 * @param path a classic TIFF
	 * @return true if its images are stored in tiles (TileWidth/TileOffsets tags), which ImageJ 1 cannot read
	 * @throws SegmentationException if its directories are damaged
	 */
	static boolean isTiled(Path path) {
		return layout(path).tiled();
	}

	private static Layout layout(Path path) {
		try {
			return checkDirectories(path, Files.size(path));
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + path + ": " + e.getMessage(), e);
		}
	}

	/**
	 * Writes a volume as TIFF (a stack for 3D, a hyperstack with channels), calibration included, to a
	 * temporary file that is moved into place when complete.
	 *
	 * @param volume image {@code [x, y(, z), c]}; 8-bit and 16-bit types are kept, others become 32-bit float
	 * @param path target {@code .tif}
	 * @param labelClasses if &gt; 0, the image is a label image with this many classes and gets a label LUT
	 * @throws SegmentationException if the file cannot be written
	 */
	public static <T extends RealType<T>> void write(Volume<T> volume, Path path, int labelClasses) {
		String name = path.getFileName().toString();
		ImagePlus imp = ImagePlusAdapter.toImagePlus(volume, name);
		if (labelClasses > 0) ImagePlusAdapter.applyLabelLut(imp, labelClasses);
		save(imp, path);
	}

	/**
	 * Saves an ImagePlus as TIFF atomically (temporary file, then move): as OME-TIFF with its channels, slices
	 * and time points where the name ends in {@code .ome.tif} or {@code .ome.tiff} ({@link OmeTiff#write(ImagePlus,
	 * Path)}), else as ImageJ writes it.
	 *
	 * @param imp the image
	 * @param path target file
	 * @throws SegmentationException if it cannot be written
	 */
	public static void save(ImagePlus imp, Path path) {
		if (ImageFormat.endsWith(path, ".ome.tif", ".ome.tiff")) {
			OmeTiff.write(imp, path);
			return;
		}
		AtomicFiles.write(path, tmp -> {
			FileSaver saver = new FileSaver(imp);
			boolean ok = imp.getStackSize() > 1 ? saver.saveAsTiffStack(tmp.toString()) : saver.saveAsTiff(tmp.toString());
			if (!ok || Files.size(tmp) == 0) throw new IOException("ImageJ could not write the TIFF");
		});
	}
}
