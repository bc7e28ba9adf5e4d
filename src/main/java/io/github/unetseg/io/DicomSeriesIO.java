package io.github.unetseg.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import ij.ImagePlus;
import ij.ImageStack;
import ij.plugin.DICOM;
import ij.process.ImageProcessor;
import ij.util.DicomTools;
import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;
import net.imglib2.img.array.ArrayImgs;

/**
 * A DICOM series given as a folder of single-slice files (CT, MRI), read with ImageJ 1's DICOM reader.
 * Slices are sorted by their position along the slice normal (Image Position (Patient) 0020,0032
 * projected on the cross product of the two Image Orientation (Patient) 0020,0037 directions), not by
 * file name; values are rescaled to physical units (Rescale Slope/Intercept 0028,1053/0028,1052, e.g.
 * Hounsfield units) as 32-bit float; spacing is Pixel Spacing (0028,0030, row then column) and the
 * median distance between slice positions, in mm; the orientation as NIfTI's voxel-to-RAS+ affine
 * (see {@code image.Orientation}). A series with missing slices (uneven spacing), mixed sizes or
 * mixed orientations is refused with one message naming the files. Compressed transfer syntaxes that
 * ImageJ 1 cannot decode need Bio-Formats (Fiji).
 */
public final class DicomSeriesIO {

	private DicomSeriesIO() {}

	/**
	 * @param file a file
	 * @return true if it has the DICOM preamble ("DICM" at byte 128)
	 */
	static boolean isDicom(Path file) {
		try (InputStream in = Files.newInputStream(file)) {
			byte[] h = in.readNBytes(132);
			return h.length == 132 && h[128] == 'D' && h[129] == 'I' && h[130] == 'C' && h[131] == 'M';
		}
		catch (IOException e) {
			return false;
		}
	}

	/**
	 * @param folder a folder
	 * @return true if it holds at least one DICOM file and no other image file, so it is one series
	 */
	public static boolean isSeriesFolder(Path folder) {
		if (!Files.isDirectory(folder)) return false;
		try (Stream<Path> s = Files.list(folder)) {
			return s.filter(Files::isRegularFile).anyMatch(DicomSeriesIO::isDicom);
		}
		catch (IOException e) {
			return false;
		}
	}

	private record Slice(Path file, ImagePlus imp, double position) {}

	/**
	 * Reads a series folder, or a single DICOM file as one slice.
	 *
	 * @param folder folder of DICOM files of one series, or one DICOM file
	 * @return the volume {@code [x, y, z, 1]} (or {@code [x, y, 1]} for one slice) in rescaled units, mm spacing
	 * @throws SegmentationException for unreadable files, mixed sizes or orientations, or missing slices
	 */
	public static Volume<?> read(Path folder) {
		if (Files.isRegularFile(folder)) return read(folder, List.of(folder));
		List<Path> files;
		try (Stream<Path> s = Files.list(folder)) {
			files = s.filter(Files::isRegularFile).filter(DicomSeriesIO::isDicom).sorted().toList();
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot list " + folder + ": " + e.getMessage(), e);
		}
		if (files.isEmpty()) throw new SegmentationException(folder + " holds no DICOM file. Fix: give the folder of one series.");
		return read(folder, files);
	}

	/**
	 * ImageJ 1 fills the missing pixels of a truncated DICOM slice with a constant; this checks that the
	 * pixel data its header describes lies inside the file.
	 */
	private static void checkComplete(Path file, ImagePlus slice) {
		ij.io.FileInfo fi = slice.getOriginalFileInfo();
		if (fi == null || fi.compression > ij.io.FileInfo.COMPRESSION_NONE) return;
		long need = fi.getOffset() + (long) fi.width * fi.height * Math.max(1, fi.getBytesPerPixel()) * Math.max(1, fi.nImages);
		long have;
		try {
			have = Files.size(file);
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot read " + file + ": " + e.getMessage(), e);
		}
		if (need > have)
			throw new SegmentationException(file + " is truncated: its pixel data needs " + need + " bytes, the file has " + have +
				". Fix: re-copy or re-export the series.");
	}

	private static Volume<?> read(Path folder, List<Path> files) {
		List<Slice> slices = new ArrayList<>();
		double[] normal = null;
		String orientation = null, series = null;
		Path seriesFile = null;
		for (Path f : files) {
			DICOM d = new DICOM();
			try {
				open(d, f);
			}
			catch (RuntimeException e) {
				throw new SegmentationException(f + " could not be read as DICOM (" + e + "). Fix: re-export the series, or open it " +
					"in Fiji with Bio-Formats.");
			}
			catch (OutOfMemoryError e) {
				// ImageJ's decoder allocates what an element's length field claims; one absurd claim fails here, nothing is held
				throw new SegmentationException(f + " has a damaged DICOM header (an element claims more memory than there is: " +
					e.getMessage() + "). Fix: re-export or re-copy the series.");
			}
			if (d.getWidth() == 0 || d.getProcessor() == null)
				throw new SegmentationException(f + " has no image ImageJ can decode (compressed?). Fix: open the series in Fiji " +
					"(Bio-Formats) or convert it to NIfTI (e.g. dcm2niix).");
			checkComplete(f, d);
			String uid = tag(d, "0020,000E"); // Series Instance UID
			if (uid != null && !uid.isBlank()) {
				if (series == null) {
					series = uid.trim();
					seriesFile = f;
				}
				else if (!series.equals(uid.trim()))
					throw new SegmentationException(folder + " mixes DICOM series: " + seriesFile.getFileName() + " belongs to series " + series +
						", " + f.getFileName() + " to " + uid.trim() + ". Fix: give a folder that holds one series (sort the files by their " +
						"Series Instance UID, e.g. with dcm2niix).");
			}
			String o = tag(d, "0020,0037");
			if (orientation == null) {
				orientation = o;
				normal = normal(o);
			}
			else if (!sameVector(orientation, o))
				throw new SegmentationException(folder + " mixes slice orientations (" + files.get(0).getFileName() + ": " + orientation +
					", " + f.getFileName() + ": " + o + "). Fix: give the folder of one series.");
			double[] pos = vector(tag(d, "0020,0032"));
			double projected = pos == null ? slices.size() : pos[0] * normal[0] + pos[1] * normal[1] + pos[2] * normal[2];
			slices.add(new Slice(f, d, projected));
		}
		slices.sort(Comparator.comparingDouble(Slice::position));
		int w = slices.get(0).imp().getWidth(), h = slices.get(0).imp().getHeight();
		for (Slice s : slices)
			if (s.imp().getWidth() != w || s.imp().getHeight() != h)
				throw new SegmentationException(folder + " mixes slice sizes (" + slices.get(0).file().getFileName() + ": " + w + " x " + h +
					", " + s.file().getFileName() + ": " + s.imp().getWidth() + " x " + s.imp().getHeight() + "). Fix: give one series.");
		double dz = 1;
		if (slices.size() > 1) {
			double[] gaps = new double[slices.size() - 1];
			for (int i = 1; i < slices.size(); i++) gaps[i - 1] = slices.get(i).position() - slices.get(i - 1).position();
			double[] sorted = gaps.clone();
			java.util.Arrays.sort(sorted);
			dz = sorted[sorted.length / 2]; // the median: one missing slice does not move it
			if (!(sorted[0] > 0)) throw new SegmentationException(folder + " has slices at the same position. Fix: give one series per folder.");
			for (int i = 1; i < slices.size(); i++) {
				double gap = gaps[i - 1];
				if (Math.abs(gap - dz) > Math.max(0.01, 0.05 * dz))
					throw new SegmentationException(folder + " is missing slices or spaced unevenly: " + slices.get(i - 1).file().getFileName() +
						" and " + slices.get(i).file().getFileName() + " are " + String.format(java.util.Locale.ROOT, "%.3f", gap) +
						" mm apart, the other slices " + String.format(java.util.Locale.ROOT, "%.3f", dz) + " mm. Fix: complete the series.");
			}
		}
		float[] data = new float[w * h * slices.size()];
		for (int z = 0; z < slices.size(); z++) {
			ImagePlus imp = slices.get(z).imp();
			ImageProcessor ip = imp.getProcessor();
			double slope = number(tag(imp, "0028,1053"), 1), intercept = number(tag(imp, "0028,1052"), 0);
			if (slope == 0) slope = 1;
			// ImageJ stores signed 16-bit samples shifted by 32768 into its unsigned processor
			double shift = imp.getBitDepth() == 16 && "1".equals(tag(imp, "0028,0103")) ? -32768 : 0;
			for (int i = 0, n = w * h; i < n; i++) data[z * n + i] = (float) ((ip.getf(i) + shift) * slope + intercept);
		}
		double[] ps = vector(tag(slices.get(0).imp(), "0028,0030"));
		double sx = ps != null && ps.length > 1 ? ps[1] : 1, sy = ps != null ? ps[0] : 1;
		if (slices.size() == 1)
			return new Volume<>(ArrayImgs.floats(data, w, h, 1), io.github.unetseg.image.Calibration.of("mm", sx, sy));
		double[] affine = affine(orientation, vector(tag(slices.get(0).imp(), "0020,0032")), normal, sx, sy, dz);
		return new Volume<>(ArrayImgs.floats(data, w, h, slices.size(), 1),
			new io.github.unetseg.image.Calibration(new double[] { sx, sy, dz }, "mm", affine));
	}

	/**
	 * NIfTI's voxel-to-RAS+ affine of a series (as dcm2niix writes it): columns along the row direction
	 * of Image Orientation (Patient), rows along its column direction, slices along the normal in the
	 * sorted order, origin at the first slice's Image Position (Patient); DICOM's LPS world turned into
	 * RAS by negating x and y. {@code null} when orientation or position are missing.
	 */
	private static double[] affine(String orientation, double[] origin, double[] normal, double sx, double sy, double dz) {
		double[] o = vector(orientation);
		if (o == null || o.length != 6 || origin == null || origin.length != 3) return null;
		double[] a = new double[12];
		for (int row = 0; row < 3; row++) {
			double sign = row < 2 ? -1 : 1;
			a[4 * row] = sign * o[row] * sx;
			a[4 * row + 1] = sign * o[3 + row] * sy;
			a[4 * row + 2] = sign * normal[row] * dz;
			a[4 * row + 3] = sign * origin[row];
		}
		return a;
	}

	/**
	 * The orientation of a one-channel stack opened by ImageJ's DICOM reader (Fiji's File > Import > Image
	 * Sequence, or a series folder dropped on Fiji), from the DICOM headers ImageJ keeps as its slice labels:
	 * NIfTI's voxel-to-RAS+ affine with columns along the row and column directions of Image Orientation
	 * (Patient) 0020,0037 (scaled by the pixel spacing), slices along the step between the slices' Image
	 * Position (Patient) 0020,0032 in the stack's own order, origin at the first slice's position; DICOM's LPS
	 * world turned into RAS by negating x and y (as {@link #read} and dcm2niix).
	 *
	 * @param stack the stack, one slice per DICOM image, in the order ImageJ opened them
	 * @param sx pixel spacing along x (columns), mm
	 * @param sy pixel spacing along y (rows), mm
	 * @return the affine (12 values, row-major 3 x 4), or {@code null} where a slice has no DICOM header,
	 *     the orientation differs between slices, or the positions do not lie evenly spaced on one line (a
	 *     stack out of order: the slice spacing and orientation are then unknown)
	 */
	static double[] stackAffine(ImageStack stack, double sx, double sy) {
		int n = stack.getSize();
		if (n < 2) return null;
		String orientation = labelTag(stack.getSliceLabel(1), "0020,0037");
		double[][] pos = new double[n][];
		for (int i = 0; i < n; i++) {
			String label = stack.getSliceLabel(i + 1);
			pos[i] = vector(labelTag(label, "0020,0032"));
			if (pos[i] == null || pos[i].length != 3 || !sameVector(orientation, labelTag(label, "0020,0037"))) return null;
		}
		double[] step = new double[3];
		for (int d = 0; d < 3; d++) step[d] = (pos[n - 1][d] - pos[0][d]) / (n - 1);
		double length = Math.sqrt(step[0] * step[0] + step[1] * step[1] + step[2] * step[2]);
		if (!(length > 1e-6)) return null;
		for (int i = 1; i < n - 1; i++)
			for (int d = 0; d < 3; d++)
				if (Math.abs(pos[i][d] - (pos[0][d] + i * step[d])) > Math.max(0.01, 0.05 * length)) return null;
		double[] unit = { step[0] / length, step[1] / length, step[2] / length };
		return affine(orientation, pos[0], unit, sx, sy, length);
	}

	/** A tag's value in a DICOM header as ImageJ lists it ({@code "0020,0032  Image Position (Patient): 0\\0\\-5"}), or {@code null}. */
	private static String labelTag(String header, String tag) {
		if (header == null) return null;
		int at = header.startsWith(tag) ? 0 : header.indexOf("\n" + tag);
		if (at < 0) return null;
		int colon = header.indexOf(':', at), end = header.indexOf('\n', at + 1);
		if (colon < 0 || end >= 0 && colon > end) return null;
		return header.substring(colon + 1, end < 0 ? header.length() : end).trim();
	}

	/**
	 * Opens one file with ImageJ's DICOM reader, keeping the stored values: with a rescale slope ImageJ
	 * would convert the image through its menu commands (32-bit, Multiply), which need a display; the
	 * rescale is applied here instead.
	 */
	private static synchronized void open(DICOM d, Path f) {
		boolean ignore = ij.Prefs.ignoreRescaleSlope, asFloat = ij.Prefs.openDicomsAsFloat;
		try {
			ij.Prefs.ignoreRescaleSlope = true;
			ij.Prefs.openDicomsAsFloat = false;
			d.open(f.toString());
		}
		finally {
			ij.Prefs.ignoreRescaleSlope = ignore;
			ij.Prefs.openDicomsAsFloat = asFloat;
		}
	}

	private static String tag(ImagePlus imp, String tag) {
		String v = DicomTools.getTag(imp, tag);
		return v == null ? null : v.trim();
	}

	private static double number(String s, double fallback) {
		try {
			return s == null ? fallback : Double.parseDouble(s.trim());
		}
		catch (NumberFormatException e) {
			return fallback;
		}
	}

	private static double[] vector(String s) {
		if (s == null || s.isBlank()) return null;
		String[] p = s.split("\\\\");
		double[] v = new double[p.length];
		try {
			for (int i = 0; i < p.length; i++) v[i] = Double.parseDouble(p[i].trim());
		}
		catch (NumberFormatException e) {
			return null;
		}
		return v;
	}

	private static double[] normal(String orientation) {
		double[] o = vector(orientation);
		if (o == null || o.length != 6) return new double[] { 0, 0, 1 };
		return new double[] { o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3] };
	}

	private static boolean sameVector(String a, String b) {
		double[] x = vector(a), y = vector(b);
		if (x == null || y == null) return x == y;
		if (x.length != y.length) return false;
		for (int i = 0; i < x.length; i++) if (Math.abs(x[i] - y[i]) > 1e-3) return false;
		return true;
	}
}
