package io.github.unetseg.objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.gui.Roi;
import ij.gui.ShapeRoi;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.io.ObjectRois;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.view.Views;

/** ROIs, measurements and label types of known objects. */
class ObjectOutputsTest {

	@TempDir
	Path dir;

	/** 10 x 8 image: object 1 a 3 x 2 rectangle at (1, 1); object 2 two separate pixels; object 3 one 4 x 4 square at (5, 3). */
	static Volume<UnsignedShortType> labels(Calibration cal) {
		short[] l = new short[80];
		for (int y = 1; y <= 2; y++) for (int x = 1; x <= 3; x++) l[x + 10 * y] = 1;
		l[0 + 10 * 6] = 2;
		l[2 + 10 * 7] = 2;
		for (int y = 3; y <= 6; y++) for (int x = 5; x <= 8; x++) l[x + 10 * y] = 3;
		return new Volume<>(ArrayImgs.unsignedShorts(l, 10, 8, 1), cal);
	}

	@Test
	void oneRoiPerObjectCompositeWhenInParts() throws Exception {
		List<Roi> rois = ObjectRois.of(labels(Calibration.uncalibrated(2)), 3);
		assertEquals(3, rois.size());
		assertEquals("1", rois.get(0).getName());
		assertEquals(6, rois.get(0).getContainedPoints().length);
		assertEquals(new java.awt.Rectangle(1, 1, 3, 2), rois.get(0).getBounds());
		assertTrue(rois.get(1) instanceof ShapeRoi, "two parts: a composite ROI");
		assertEquals(2, rois.get(1).getContainedPoints().length);
		assertEquals(16, rois.get(2).getContainedPoints().length);
		Path zip = dir.resolve("RoiSet.zip");
		ObjectRois.writeZip(rois, zip);
		// read back as ImageJ's ROI Manager does: one .roi entry per ROI
		try (var z = new java.util.zip.ZipFile(zip.toFile())) {
			assertEquals(3, z.size());
			byte[] b = z.getInputStream(z.getEntry("3.roi")).readAllBytes();
			Roi back = new ij.io.RoiDecoder(b, "3.roi").getRoi();
			assertEquals(new java.awt.Rectangle(5, 3, 4, 4), back.getBounds());
		}
	}

	@Test
	void stackRoisCarryTheirPlane() {
		short[] l = new short[4 * 4 * 3];
		l[5] = 7; // plane 1
		l[16 * 2 + 5] = 7; // plane 3
		List<Roi> rois = ObjectRois.of(new Volume<>(ArrayImgs.unsignedShorts(l, 4, 4, 3, 1), Calibration.uncalibrated(3)), 7);
		assertEquals(2, rois.size());
		assertEquals("7-z1", rois.get(0).getName());
		assertEquals(1, rois.get(0).getZPosition());
		assertEquals(3, rois.get(1).getZPosition());
	}

	@Test
	void measurementsInCalibratedUnits() {
		Calibration cal = Calibration.of("µm", 0.5, 0.25);
		float[] px = new float[80];
		for (int i = 0; i < 80; i++) px[i] = i; // value = x + 10 y
		var m = ObjectMeasurements.measure(labels(cal), new Volume<>(ArrayImgs.floats(px, 10, 8, 1), cal), 3);
		assertEquals(3, m.size());
		ObjectMeasurements.Measurement r = m.get(0);
		assertEquals(6, r.voxels());
		assertEquals(6 * 0.125, r.size(), 1e-12);
		// centroid of pixel centres x = 1..3, y = 1..2: (2 + 0.5) * 0.5, (1.5 + 0.5) * 0.25
		assertEquals(1.25, r.centroid()[0], 1e-12);
		assertEquals(0.5, r.centroid()[1], 1e-12);
		assertEquals(List.of(1L, 1L), List.of(r.boxMin()[0], r.boxMin()[1]));
		assertEquals(List.of(3L, 2L), List.of(r.boxSize()[0], r.boxSize()[1]));
		// values 11, 12, 13, 21, 22, 23
		assertEquals(17, r.mean()[0], 1e-12);
		assertEquals(11, r.min()[0], 0);
		assertEquals(23, r.max()[0], 0);
		assertEquals(Math.sqrt((36 + 25 + 16 + 16 + 25 + 36) / 5.0), r.std()[0], 1e-12);
		assertEquals(2 * Math.sqrt(0.75 / Math.PI), r.equivalentDiameter(), 1e-12);
		String csv = ObjectMeasurements.csv(m, 2, 1, "µm");
		assertTrue(csv.startsWith("label,area_µm2,voxels,centroid_x_µm,centroid_y_µm,bbox_x_px,bbox_y_px,bbox_width_px,bbox_height_px," +
			"mean_c1,min_c1,max_c1,std_c1,equivalent_diameter_µm\n1,0.750000,6,1.25000,0.500000,1,1,3,2,17.0000,11.0000,23.0000,"), csv);
		assertEquals(4, csv.split("\n").length);
	}

	@Test
	void seventyThousandObjectsGiveA32BitLabelImage() {
		int w = 350, h = 200; // 70,000 one-pixel objects
		int[] ids = new int[w * h];
		for (int i = 0; i < ids.length; i++) ids[i] = i + 1;
		Volume<?> v = ObjectLabels.volume(ids.clone(), new long[] { w, h }, ids.length, Calibration.of("µm", 0.3, 0.3));
		assertTrue(v.image().getType() instanceof UnsignedIntType);
		Path tif = dir.resolve("many.tif"), nii = dir.resolve("many.nii");
		@SuppressWarnings("unchecked")
		Volume<UnsignedIntType> u = (Volume<UnsignedIntType>) v;
		ImageFiles.write(u, tif, 70_001);
		ImageFiles.write(u, nii, 70_001);
		for (Path p : List.of(tif, nii)) {
			Volume<?> back = ImageFiles.read(p);
			int i = 0;
			for (Object t : Views.flatIterable(back.image()))
				assertEquals(ids[i++], ((net.imglib2.type.numeric.RealType<?>) t).getRealDouble(), 0, p.getFileName() + " keeps every id");
		}
		assertEquals(70_000, ObjectRois.of(v, 70_000).size(), "in 2D the ROI count equals the label count");
		Volume<?> few = ObjectLabels.volume(new int[] { 0, 1, 2, 65_535 }, new long[] { 2, 2 }, 65_535, Calibration.uncalibrated(2));
		assertTrue(few.image().getType() instanceof UnsignedShortType);
	}
}
