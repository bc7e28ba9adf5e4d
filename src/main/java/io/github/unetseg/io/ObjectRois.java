package io.github.unetseg.io;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import ij.gui.Roi;
import ij.io.RoiEncoder;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import io.github.unetseg.AtomicFiles;
import io.github.unetseg.image.Volume;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * ImageJ 1 regions of interest from an instance label image: in 2D one ROI per object (a composite
 * {@code ShapeRoi} when the object has several parts), in 3D one ROI per object per plane it occupies,
 * with its z position set ({@code Roi.setPosition(channel 0, slice z + 1, frame 1)}, as the ROI Manager
 * stores hyperstack positions). ROIs are traced with ImageJ's {@link ThresholdToSelection} on each
 * object's bounding box, so they outline pixel edges exactly; their names are the object ids (with the
 * z plane in 3D), zero-padded so that the ROI Manager sorts them in id order.
 *
 * <p>{@link #writeZip} writes them as a {@code RoiSet.zip} that ImageJ's ROI Manager opens
 * ({@code RoiEncoder} per ROI, the same entries as "More &gt;&gt; Save").
 */
public final class ObjectRois {

	private ObjectRois() {}

	/**
	 * Traces the objects.
	 *
	 * @param labels object ids {@code [x, y(, z), 1]} (or without the channel axis), 0 = background,
	 *     each plane at most 2<sup>31</sup> pixels
	 * @param count the largest id
	 * @return ROIs in id order (in 3D by id, then plane)
	 */
	public static List<Roi> of(Volume<?> labels, int count) {
		long[] size = labels.spatialSize();
		int w = (int) size[0], h = (int) size[1], planes = size.length == 3 ? (int) size[2] : 1;
		boolean stack = size.length == 3;
		List<List<Roi>> byId = new ArrayList<>(count + 1);
		for (int i = 0; i <= count; i++) byId.add(null);
		int digits = Integer.toString(Math.max(1, count)).length();
		int[] plane = new int[w * h];
		for (int z = 0; z < planes; z++) {
			var view = stack ? Views.hyperSlice(Views.hyperSlice(labels.image(), 3, 0), 2, z) : Views.hyperSlice(labels.image(), 2, 0);
			int i = 0;
			for (Object t : Views.flatIterable(view)) plane[i++] = (int) ((RealType<?>) t).getRealDouble();
			// bounding boxes of the objects in this plane
			int[] x0 = new int[count + 1], y0 = new int[count + 1], x1 = new int[count + 1], y1 = new int[count + 1];
			java.util.Arrays.fill(x0, Integer.MAX_VALUE);
			for (int y = 0, k = 0; y < h; y++)
				for (int x = 0; x < w; x++, k++) {
					int id = plane[k];
					if (id <= 0 || id > count) continue;
					if (x0[id] == Integer.MAX_VALUE) {
						x0[id] = x1[id] = x;
						y0[id] = y1[id] = y;
					}
					else {
						x0[id] = Math.min(x0[id], x);
						x1[id] = Math.max(x1[id], x);
						y1[id] = y;
					}
				}
			for (int id = 1; id <= count; id++) {
				if (x0[id] == Integer.MAX_VALUE) continue;
				int bw = x1[id] - x0[id] + 1, bh = y1[id] - y0[id] + 1;
				ByteProcessor mask = new ByteProcessor(bw, bh);
				byte[] px = (byte[]) mask.getPixels();
				for (int y = 0; y < bh; y++)
					for (int x = 0; x < bw; x++)
						if (plane[x0[id] + x + w * (y0[id] + y)] == id) px[x + bw * y] = (byte) 255;
				mask.setThreshold(255, 255, ij.process.ImageProcessor.NO_LUT_UPDATE);
				Roi roi = new ThresholdToSelection().convert(mask);
				roi.setLocation(x0[id], y0[id]);
				String name = String.format("%0" + digits + "d", id);
				if (stack) {
					roi.setPosition(0, z + 1, 1);
					name += String.format("-z%0" + Integer.toString(planes).length() + "d", z + 1);
				}
				roi.setName(name);
				if (byId.get(id) == null) byId.set(id, new ArrayList<>());
				byId.get(id).add(roi);
			}
		}
		List<Roi> out = new ArrayList<>();
		for (List<Roi> l : byId) if (l != null) out.addAll(l);
		return out;
	}

	/**
	 * Puts a ROI of one frame's objects into a time series: its position gets the frame (the slice kept, at
	 * least 1) and its name the suffix {@code -t<frame>}, zero-padded to the digits of {@code frames}.
	 *
	 * @param roi a ROI from {@link #of}
	 * @param t the frame, 1-based
	 * @param frames the series' frames
	 * @return the same ROI, changed
	 */
	public static Roi inFrame(Roi roi, int t, int frames) {
		roi.setPosition(0, Math.max(1, roi.getZPosition()), t);
		roi.setName(roi.getName() + String.format("-t%0" + Integer.toString(frames).length() + "d", t));
		return roi;
	}

	/**
	 * Writes ROIs as an ImageJ {@code RoiSet.zip} (one {@code <name>.roi} entry per ROI), to a
	 * temporary file moved into place.
	 *
	 * @param rois the ROIs, with distinct names
	 * @param path target {@code .zip}
	 * @throws io.github.unetseg.SegmentationException if it cannot be written
	 */
	public static void writeZip(List<Roi> rois, Path path) {
		AtomicFiles.write(path, tmp -> {
			try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)));
				DataOutputStream out = new DataOutputStream(zip))
			{
				RoiEncoder encoder = new RoiEncoder(out);
				for (Roi r : rois) {
					zip.putNextEntry(new ZipEntry(r.getName() + ".roi"));
					encoder.write(r);
					out.flush();
				}
			}
		});
	}
}
