package io.github.unetseg.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;

/**
 * Where each (z, channel) plane of a TIFF image lies, read from the first page's description without
 * decoding pixels, for region reads ({@link TiffRegions}):
 * <ul>
 * <li>OME-TIFF: {@code Pixels} {@code SizeZ/SizeC/SizeT}, {@code DimensionOrder} and its {@code TiffData}
 * elements ({@code IFD}, {@code PlaneCount}, {@code FirstZ/FirstC/FirstT}, and {@code UUID FileName} for
 * planes in other files of a multi-file set, relative to this file's folder; a UUID equal to the
 * {@code OME} element's own is this file even if it was renamed), every time point, and
 * the physical sizes {@code PhysicalSizeX/Y/Z} with their unit (OME Data Model, {@code Pixels} and
 * {@code TiffData} elements; the OME-TIFF specification's "TiffData" rules: no attributes = every plane of
 * this file in dimension order, {@code PlaneCount} defaulting to 1 when {@code IFD} or a {@code First*} is
 * given);</li>
 * <li>ImageJ hyperstacks: the {@code channels=}, {@code slices=}, {@code frames=} lines, pages in ImageJ's
 * order (channel fastest, then slice, then frame); time series are refused as {@link ImagePlusAdapter#wrap}
 * refuses them;</li>
 * <li>any other TIFF: pages are z slices of one channel.</li>
 * </ul>
 * Plane {@code (z, c, t)} is entry {@code (t * channels + c) * slices + z} of {@link #file} and {@link #page}, so
 * the first time point's plane {@code (z, c)} is entry {@code c * slices + z}; the region readers read that one.
 *
 * @param files the files holding planes, the given file first
 * @param channels channels, &gt;= 1
 * @param slices z slices, &gt;= 1 (1 for a 2D image)
 * @param frames time points, &gt;= 1 (an OME-TIFF's {@code SizeT}; 1 for any other TIFF)
 * @param file per plane {@code (t * channels + c) * slices + z}, its index into {@code files}, -1 where the
 *     OME-XML gives no page for a plane after the first time point
 * @param page per plane, its page (image file directory, from 0) in that file
 * @param calibration the OME-XML's physical sizes, or {@code null} where the file's tags give them
 * @param description the ImageJ description's keys, or empty
 */
record TiffPages(List<Path> files, int channels, int slices, int frames, int[] file, int[] page, Calibration calibration, Properties description) {

	/**
	 * @param path the TIFF file
	 * @param description its first page's ImageDescription, or {@code null}
	 * @param pages the number of pages in {@code path}
	 * @return the layout
	 * @throws SegmentationException naming the file where the description does not match the pages, or for
	 *     an ImageJ time series
	 */
	static TiffPages of(Path path, String description, int pages) {
		if (OmeTiff.isOme(description)) return ome(path, description, pages);
		Properties keys = imageJKeys(description);
		int c = positive(keys, "channels"), z = positive(keys, "slices"), t = positive(keys, "frames");
		if (!keys.containsKey("slices") && c == 1 && t == 1) z = pages;
		if (t > 1) throw new SegmentationException(path + " is a time series with " + t + " frames; only segmenting takes a time " +
			"series (frame by frame), this step one time point. Fix: split it into one file per time point (Fiji: Image > Stacks > " +
			"Tools > Reduce Dimensionality).");
		if ((long) c * z != pages) {
			// ImageJ's own reader falls back to a plain stack when the description does not fit
			c = 1;
			z = pages;
		}
		int[] file = new int[c * z], page = new int[c * z];
		for (int ch = 0; ch < c; ch++)
			for (int sl = 0; sl < z; sl++) page[ch * z + sl] = sl * c + ch;
		return new TiffPages(List.of(path), c, z, 1, file, page, null, keys);
	}

	/** ImageJ writes a non-ASCII character of its description as a backslash, {@code u} and four hex digits (µm as {@code \\u00B5m}). */
	static String unescape(String value) {
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\\\u([0-9a-fA-F]{4})").matcher(value);
		StringBuilder out = new StringBuilder();
		while (m.find()) m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 16))));
		return m.appendTail(out).toString();
	}

	/**
	 * Reads the first page's ImageDescription (tag 270) from the file's first image file directory, as
	 * UTF-8 (OME-XML writes units such as µm in UTF-8; ImageIO's readers decode the tag as ASCII and lose
	 * them). Classic TIFF and BigTIFF, either byte order.
	 *
	 * @param path a (Big)TIFF file
	 * @return the description without its terminating NUL, or {@code null} where there is none
	 * @throws java.io.IOException if the file cannot be read
	 */
	static String description(Path path) throws java.io.IOException {
		try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {

			java.nio.ByteBuffer head = read(ch, 0, 16, java.nio.ByteOrder.LITTLE_ENDIAN);
			java.nio.ByteOrder order = head.get(0) == 'M' ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN;
			head.order(order);
			boolean big = head.getShort(2) == 43;
			long ifd = big ? head.getLong(8) : head.getInt(4) & 0xffffffffL;
			int entrySize = big ? 20 : 12;
			long entries = big ? read(ch, ifd, 8, order).getLong(0) : read(ch, ifd, 2, order).getShort(0) & 0xffff;
			if (entries < 0 || entries > 65535) return null;
			java.nio.ByteBuffer e = read(ch, ifd + (big ? 8 : 2), (int) (entries * entrySize), order);
			for (int i = 0; i < entries; i++) {
				int at = i * entrySize;
				if ((e.getShort(at) & 0xffff) != 270) continue;
				long count = big ? e.getLong(at + 4) : e.getInt(at + 4) & 0xffffffffL;
				if (count < 0 || count > 64L << 20) return null;
				byte[] bytes = new byte[(int) count];
				if (count <= (big ? 8 : 4)) e.get(at + (big ? 12 : 8), bytes);
				else read(ch, big ? e.getLong(at + 12) : e.getInt(at + 8) & 0xffffffffL, (int) count, order).get(0, bytes);
				int n = bytes.length;
				while (n > 0 && bytes[n - 1] == 0) n--;
				return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
			}
			return null;
		}
	}

	private static java.nio.ByteBuffer read(java.nio.channels.FileChannel ch, long at, int n, java.nio.ByteOrder order) throws java.io.IOException {
		java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n).order(order);
		while (b.hasRemaining()) if (ch.read(b, at + b.position()) < 0) throw new java.io.EOFException("the TIFF directory runs past the end of the file");
		return b.flip();
	}

	/**
	 * @param path a (Big)TIFF file
	 * @return the time points of an ImageJ hyperstack ({@code frames=} of its description) or an OME-TIFF
	 *     ({@code SizeT}), 1 for any other TIFF or a file that cannot be read (its reading reports that)
	 */
	static int frames(Path path) {
		try {
			String description = description(path);
			if (OmeTiff.isOme(description)) return OmeTiff.integer(OmeTiff.pixels(description, path.toString()), "SizeT");
			return positive(imageJKeys(description), "frames");
		}
		catch (java.io.IOException | RuntimeException e) { // a damaged file: its reading says so
			return 1;
		}
	}

	/** The {@code key=value} lines of an ImageJ description (empty for another description or none). */
	private static Properties imageJKeys(String description) {
		Properties keys = new Properties();
		if (description != null && description.startsWith("ImageJ=")) {
			for (String line : description.split("\n")) {
				int eq = line.indexOf('=');
				if (eq > 0) keys.setProperty(line.substring(0, eq).trim(), unescape(line.substring(eq + 1).trim()));
			}
		}
		return keys;
	}

	private static int positive(Properties keys, String key) {
		try {
			return Math.max(1, Integer.parseInt(keys.getProperty(key, "1")));
		}
		catch (NumberFormatException e) {
			return 1;
		}
	}

	private static TiffPages ome(Path path, String xml, int pages) {
		Element pixels = OmeTiff.pixels(xml, path.toString());
		int sz = OmeTiff.integer(pixels, "SizeZ"), sc = OmeTiff.integer(pixels, "SizeC"), st = OmeTiff.integer(pixels, "SizeT");
		String order = pixels.getAttribute("DimensionOrder").toUpperCase(Locale.ROOT);
		if (!order.matches("XY[ZCT]{3}"))
			throw new SegmentationException(path + ": its OME-XML has DimensionOrder \"" + order + "\". Fix: re-save it with Bio-Formats (Fiji).");
		long planes = (long) sz * sc * st;
		if (planes > Integer.MAX_VALUE - 8)
			throw new SegmentationException(path + ": its OME-XML declares " + sz + " x " + sc + " x " + st + " (Z x C x T) planes, more than a " +
				"TIFF can hold. Fix: re-save it with Bio-Formats (Fiji).");
		String self = pixels.getOwnerDocument().getDocumentElement().getAttribute("UUID").trim();
		List<Path> files = new ArrayList<>(List.of(path));
		int[] fileOf = new int[sz * sc * st], pageOf = new int[sz * sc * st];
		Arrays.fill(fileOf, -1);
		NodeList data = pixels.getElementsByTagNameNS("*", "TiffData");
		if (data.getLength() == 0) {
			if (planes != pages) throw mismatch(path, sz, sc, st, order, pages);
			map(order, sz, sc, st, 0, 0, (int) planes, 0, fileOf, pageOf);
		}
		for (int i = 0; i < data.getLength(); i++) {
			Element d = (Element) data.item(i);
			boolean placed = d.hasAttribute("IFD") || d.hasAttribute("FirstZ") || d.hasAttribute("FirstC") || d.hasAttribute("FirstT");
			int ifd = attribute(d, "IFD", 0), first = OmeTiff.page(order, attribute(d, "FirstZ", 0), attribute(d, "FirstC", 0),
				attribute(d, "FirstT", 0), sz, sc, st);
			int count = d.hasAttribute("PlaneCount") ? attribute(d, "PlaneCount", 1) : placed ? 1 : (int) planes;
			int f = 0;
			NodeList uuid = d.getElementsByTagNameNS("*", "UUID");
			Element u = uuid.getLength() > 0 ? (Element) uuid.item(0) : null;
			// a UUID equal to the document's own is this file, whatever its name now
			if (u != null && u.hasAttribute("FileName") && !u.getTextContent().trim().equals(self)) {
				Path other = path.resolveSibling(u.getAttribute("FileName"));
				f = other.getFileName().equals(path.getFileName()) ? 0 : files.indexOf(other);
				if (f < 0) {
					files.add(other);
					f = files.size() - 1;
				}
			}
			if (!placed && f == 0 && count != pages) throw mismatch(path, sz, sc, st, order, pages);
			if (first < 0 || first + (long) count > planes || ifd < 0 || f == 0 && ifd + (long) count > pages)
				throw new SegmentationException(path + ": its OME-XML places " + count + " planes from IFD " + ifd + " outside the " + planes +
					" planes (" + pages + " pages in this file). Fix: re-save it with Bio-Formats (Fiji).");
			map(order, sz, sc, st, first, f, count, ifd, fileOf, pageOf);
		}
		for (int i = 0; i < sz * sc; i++)
			if (fileOf[i] < 0) throw new SegmentationException(path + ": its OME-XML gives no page for z " + i % sz + ", channel " + i / sz +
				" of the first time point. Fix: re-save it with Bio-Formats (Fiji), or keep every file of a multi-file set together.");
		return new TiffPages(List.copyOf(files), sc, sz, st, fileOf, pageOf, OmeTiff.calibration(pixels, sz > 1 ? 3 : 2), new Properties());
	}

	/** Records {@code count} planes from linear plane index {@code first}, pages from {@code ifd} of file {@code f}. */
	private static void map(String order, int sz, int sc, int st, int first, int f, int count, int ifd, int[] fileOf, int[] pageOf) {
		for (int k = 0; k < count; k++) {
			int[] zct = zct(order, first + k, sz, sc, st);
			int at = (zct[2] * sc + zct[1]) * sz + zct[0];
			fileOf[at] = f;
			pageOf[at] = ifd + k;
		}
	}

	/** (z, c, t) of a linear plane index for an OME DimensionOrder (inverse of {@link OmeTiff#page}). */
	static int[] zct(String order, int index, int sz, int sc, int st) {
		int[] out = new int[3];
		for (int i = 2; i < 5; i++) {
			char d = order.charAt(i);
			int n = d == 'Z' ? sz : d == 'C' ? sc : st;
			out[d == 'Z' ? 0 : d == 'C' ? 1 : 2] = index % n;
			index /= n;
		}
		return out;
	}

	private static int attribute(Element e, String name, int fallback) {
		try {
			return e.hasAttribute(name) ? Integer.parseInt(e.getAttribute(name).trim()) : fallback;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static SegmentationException mismatch(Path path, int sz, int sc, int st, String order, int pages) {
		return new SegmentationException(path + ": its OME-XML declares " + sz + " x " + sc + " x " + st + " (Z x C x T) planes in order " +
			order + " but the file has " + pages + " pages. Fix: re-save it with Bio-Formats (Fiji).");
	}
}
