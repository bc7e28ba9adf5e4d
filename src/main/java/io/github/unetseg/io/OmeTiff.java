package io.github.unetseg.io;

import java.io.StringReader;
import java.util.Locale;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import io.github.unetseg.SegmentationException;

/**
 * OME-TIFF dimensions and physical sizes: the OME-XML in the first image's description says how the
 * TIFF's pages map to z, channel and time ({@code DimensionOrder}) and how large a pixel is
 * ({@code PhysicalSizeX/Y/Z} with their units). ImageJ 1 opens an OME-TIFF as a flat stack of pages;
 * this re-orders that stack into an ImageJ hyperstack (with its time points) with the OME calibration
 * ({@link TiffPages} reads the layout).
 * Only the first {@code Image} of the file is used. Schema: OME Data Model, {@code Pixels} element.
 */
final class OmeTiff {

	private OmeTiff() {}

	/**
	 * @param description the first page's ImageDescription
	 * @return true if it is OME-XML
	 */
	static boolean isOme(String description) {
		return description != null && description.contains("<OME") && description.contains("Pixels");
	}

	/**
	 * Re-orders a flat stack opened by ImageJ into a hyperstack as the OME-XML describes: channels, slices
	 * and every time point ({@code SizeT}), with the physical sizes and the frame interval
	 * ({@code TimeIncrement} in its {@code TimeIncrementUnit}, seconds by default).
	 *
	 * @param imp the flat stack, one slice per TIFF page in file order
	 * @param xml the OME-XML
	 * @param source file name for messages
	 * @return a hyperstack {@code [c, z, t]} in ImageJ's order, calibrated
	 * @throws SegmentationException if the XML cannot be parsed or does not match the pages, or for a time series
	 *     whose planes lie in several files
	 */
	static ImagePlus reorder(ImagePlus imp, String xml, String source) {
		TiffPages layout = TiffPages.of(java.nio.file.Path.of(source), xml, imp.getStackSize());
		int sz = layout.slices(), sc = layout.channels(), st = layout.frames();
		if (layout.files().size() > 1) {
			if (st > 1) throw new SegmentationException(source + " is one file of a multi-file OME-TIFF time series (" + st + " time " +
				"points); unetseg segments a time series from one file. Fix: open the set in Fiji with Bio-Formats and save it as one " +
				"OME-TIFF or TIFF.");
			throw new IllegalStateException("a multi-file OME-TIFF is read by regions (TiffRegions)");
		}
		ImageStack in = imp.getStack(), out = new ImageStack(imp.getWidth(), imp.getHeight());
		// ImageJ's hyperstack order: channel fastest, then slice, then frame
		for (int t = 0; t < st; t++)
			for (int z = 0; z < sz; z++)
				for (int c = 0; c < sc; c++) {
					int at = (t * sc + c) * sz + z;
					if (layout.file()[at] < 0) throw new SegmentationException(source + ": its OME-XML gives no page for z " + z + ", channel " +
						c + ", time point " + t + ". Fix: re-save it with Bio-Formats (Fiji).");
					out.addSlice(in.getProcessor(1 + layout.page()[at]));
				}
		ImagePlus h = new ImagePlus(imp.getTitle(), out);
		h.setDimensions(sc, sz, st);
		if (st > 1) h.setOpenAsHyperStack(true);
		Calibration cal = h.getCalibration();
		io.github.unetseg.image.Calibration ome = layout.calibration();
		cal.pixelWidth = ome.spacing(0);
		cal.pixelHeight = ome.spacing(1);
		cal.pixelDepth = sz > 1 ? ome.spacing(2) : 1;
		cal.setUnit(ome.unit());
		Element pixels = st > 1 ? pixels(xml, source) : null; // the frame interval of a time series
		if (pixels != null && pixels.hasAttribute("TimeIncrement")) {
			cal.frameInterval = size(pixels, "TimeIncrement");
			String unit = pixels.getAttribute("TimeIncrementUnit").trim();
			cal.setTimeUnit(unit.isEmpty() ? "s" : unit);
		}
		return h;
	}

	/**
	 * @param xml OME-XML
	 * @param source file name for messages
	 * @return its first {@code Pixels} element
	 * @throws SegmentationException if the XML cannot be parsed or has no {@code Pixels}
	 */
	static Element pixels(String xml, String source) {
		try {
			DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
			f.setNamespaceAware(true);
			f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
			javax.xml.parsers.DocumentBuilder builder = f.newDocumentBuilder();
			builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
				@Override
				public void fatalError(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
					throw e; // reported by the caller as the file's error, not printed on standard error
				}
			});
			NodeList nodes = builder.parse(new InputSource(new StringReader(xml))).getElementsByTagNameNS("*", "Pixels");
			if (nodes.getLength() == 0) throw new IllegalArgumentException("no Pixels element");
			return (Element) nodes.item(0);
		}
		catch (Exception e) {
			throw new SegmentationException(source + " has OME-XML that cannot be read (" + e.getMessage() + "). Fix: re-save it " +
				"with Bio-Formats (Fiji) or as a plain TIFF.");
		}
	}

	/**
	 * @param pixels an OME {@code Pixels} element
	 * @param dims spatial dimensions, 2 or 3
	 * @return {@code PhysicalSizeX/Y(/Z)} in their unit ({@code PhysicalSizeXUnit}, µm by default), or
	 *     uncalibrated where they are absent
	 */
	static io.github.unetseg.image.Calibration calibration(Element pixels, int dims) {
		if (!pixels.hasAttribute("PhysicalSizeX")) return io.github.unetseg.image.Calibration.uncalibrated(dims);
		String unit = pixels.getAttribute("PhysicalSizeXUnit");
		unit = unit.isEmpty() ? "\u00b5m" : unit;
		double x = size(pixels, "PhysicalSizeX"), y = size(pixels, "PhysicalSizeY");
		return dims == 3 ? io.github.unetseg.image.Calibration.of(unit, x, y, size(pixels, "PhysicalSizeZ"))
			: io.github.unetseg.image.Calibration.of(unit, x, y);
	}

	/**
	 * Writes a volume as OME-TIFF: ImageJ's TIFF pages in XYCZT order with an OME-XML description giving
	 * sizes, pixel type and physical sizes, so that Bio-Formats, QuPath and napari read its dimensions
	 * and calibration. Atomic.
	 *
	 * @param volume image {@code [x, y(, z), c]}
	 * @param path target {@code .ome.tif}
	 * @param labelClasses for label images the number of classes (sets a LUT), else 0
	 * @throws SegmentationException if it cannot be written
	 */
	static <T extends net.imglib2.type.numeric.RealType<T>> void write(io.github.unetseg.image.Volume<T> volume, java.nio.file.Path path,
		int labelClasses)
	{
		ImagePlus imp = ImagePlusAdapter.toImagePlus(volume, path.getFileName().toString());
		if (labelClasses > 0) ImagePlusAdapter.applyLabelLut(imp, labelClasses);
		write(imp, volume.calibration(), path);
	}

	/**
	 * Writes an ImageJ image or hyperstack {@code [c, z, t]} as OME-TIFF: its pages in ImageJ's order, which is
	 * XYCZT, with an OME-XML description giving sizes (time points included), pixel type, physical sizes and,
	 * for a time series, the frame interval as {@code TimeIncrement}. Atomic.
	 *
	 * @param imp 8-bit, 16-bit or 32-bit image
	 * @param path target {@code .ome.tif}
	 * @throws SegmentationException if it cannot be written
	 */
	static void write(ImagePlus imp, java.nio.file.Path path) {
		Calibration c = imp.getCalibration();
		String unit = c.getUnit() == null || c.getUnit().isBlank() ? "pixel" : c.getUnit();
		write(imp, imp.getNSlices() > 1 ? io.github.unetseg.image.Calibration.of(unit, c.pixelWidth, c.pixelHeight, c.pixelDepth)
			: io.github.unetseg.image.Calibration.of(unit, c.pixelWidth, c.pixelHeight), path);
	}

	private static void write(ImagePlus imp, io.github.unetseg.image.Calibration cal, java.nio.file.Path path) {
		long[] size = imp.getNSlices() > 1 ? new long[] { imp.getWidth(), imp.getHeight(), imp.getNSlices() }
			: new long[] { imp.getWidth(), imp.getHeight() };
		String type = imp.getBitDepth() == 8 ? "uint8" : imp.getBitDepth() == 16 ? "uint16" : "float";
		Calibration c = imp.getCalibration();
		String time = imp.getNFrames() > 1 && c.frameInterval > 0 ? String.format(Locale.ROOT, " TimeIncrement=\"%s\" TimeIncrementUnit=\"%s\"",
			c.frameInterval, c.getTimeUnit().equals("sec") ? "s" : c.getTimeUnit()) : "";
		ij.io.FileInfo fi = imp.getFileInfo();
		fi.description = description(path.getFileName().toString(), type, size, imp.getNChannels(), imp.getNFrames(), time, cal, "<TiffData/>");
		io.github.unetseg.AtomicFiles.write(path, tmp -> {
			try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp)))) {
				new ij.io.TiffEncoder(fi).write(out);
			}
		});
	}

	/**
	 * The OME-XML (2016-06 schema) of one image whose planes are TIFF pages in XYCZT order: sizes, pixel type
	 * and physical sizes in the calibration's unit ({@code µm} for um or micron; none for pixels).
	 *
	 * @param name the image's name (the file name)
	 * @param type the OME pixel type: {@code uint8}, {@code uint16}, {@code uint32} or {@code float}
	 * @param size {@code [x, y(, z)]} in pixels
	 * @param channels channels (SizeC)
	 * @param cal the pixel size
	 * @param tiffData the {@code TiffData} element(s) placing the planes in the file
	 * @return the XML text
	 */
	static String description(String name, String type, long[] size, int channels, io.github.unetseg.image.Calibration cal, String tiffData) {
		return description(name, type, size, channels, 1, "", cal, tiffData);
	}

	/** As {@link #description(String, String, long[], int, io.github.unetseg.image.Calibration, String)}, with time points and their attributes. */
	private static String description(String name, String type, long[] size, int channels, int frames, String timeAttributes,
		io.github.unetseg.image.Calibration cal, String tiffData)
	{
		String unit = cal.unit().equals("pixel") ? null : cal.unit().equals("um") || cal.unit().equals("micron") ? "µm" : cal.unit();
		StringBuilder px = new StringBuilder();
		px.append(String.format(Locale.ROOT, "DimensionOrder=\"XYCZT\" Type=\"%s\" SizeX=\"%d\" SizeY=\"%d\" SizeZ=\"%d\" SizeC=\"%d\" SizeT=\"%d\"",
			type, size[0], size[1], size.length == 3 ? size[2] : 1, channels, frames)).append(timeAttributes);
		if (unit != null) {
			px.append(String.format(Locale.ROOT, " PhysicalSizeX=\"%s\" PhysicalSizeXUnit=\"%s\" PhysicalSizeY=\"%s\" PhysicalSizeYUnit=\"%s\"",
				cal.spacing(0), unit, cal.spacing(1), unit));
			if (size.length == 3) px.append(String.format(Locale.ROOT, " PhysicalSizeZ=\"%s\" PhysicalSizeZUnit=\"%s\"", cal.spacing(2), unit));
		}
		String safe = name.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
		return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\" " +
			"Creator=\"unetseg\"><Image ID=\"Image:0\" Name=\"" + safe + "\"><Pixels ID=\"Pixels:0\" " + px + ">" + tiffData +
			"</Pixels></Image></OME>";
	}

	/** Page index of (z, c, t) for an OME DimensionOrder such as XYZCT (the third letter varies fastest). */
	static int page(String order, int z, int c, int t, int sz, int sc, int st) {
		int index = 0, stride = 1;
		for (int i = 2; i < 5; i++) {
			char d = order.charAt(i);
			int v = d == 'Z' ? z : d == 'C' ? c : t, n = d == 'Z' ? sz : d == 'C' ? sc : st;
			index += v * stride;
			stride *= n;
		}
		return index;
	}

	static int integer(Element e, String attribute) {
		try {
			int v = Integer.parseInt(e.getAttribute(attribute).trim());
			if (v < 1) throw new NumberFormatException();
			return v;
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

	private static double size(Element e, String attribute) {
		try {
			double v = Double.parseDouble(e.getAttribute(attribute).trim());
			return v > 0 && Double.isFinite(v) ? v : 1;
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}
}
