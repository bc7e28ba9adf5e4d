package io.github.unetseg.facade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.unetseg.image.Orientation;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.metrics.Overlap;
import io.github.unetseg.tensorflow.Device;
import io.github.unetseg.tensorflow.EngineOptions;
import io.github.unetseg.tiling.ProgressListener;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * The shipped head-and-neck CT model on the test CT (OpenKBP {@code pt_4}, from its training split) given
 * two ways: as the NIfTI in OpenKBP's axes (PLI) and as a DICOM series in the patients' LPS coordinates
 * made from a crop of it ({@code test-images/make/make_ct_dicom_series.py}), read from its folder and opened as
 * Fiji opens it. The organs it finds overlap the clinical contours, and the right parotid stays on the
 * patient's right in the DICOM series' axes.
 */
class ShippedCtModelTest {

	static final Path MODEL = Path.of("models/hn-ct-oar-3d");
	/** Crop of the DICOM series in the NIfTI's axes: axis 0 and 1 from 16 (96 voxels), axis 2 slices 20..67. */
	static final int CROP = 16, SIZE = 96, FIRST_SLICE = 20, SLICES = 48;

	static short[] direct, truth;

	@BeforeAll
	static void segmentTheNifti() {
		try (Segmenter s = Engines.segmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
			Volume<?> ct = ImageFiles.read(Path.of("test-images/openkbp-pt4-ct.nii.gz"));
			SegmentationResult r = segment(s, ct);
			assertArrayEquals(ct.spatialSize(), r.labels().spatialSize(), "labels on the input's grid");
			assertEquals(ct.calibration(), r.labels().calibration());
			direct = values(r.labels());
			truth = values(ImageFiles.read(Path.of("test-images/openkbp-pt4-organs.nii.gz")));
		}
	}

	@Test
	void theOrgansOverlapTheClinicalContours() {
		Overlap[] o = Overlap.perClass(direct, truth, 8);
		List<String> names = List.of("", "Brainstem", "SpinalCord", "RightParotid", "LeftParotid", "Esophagus", "Larynx", "Mandible");
		// measured with the shipped weights (session 16's annealed Dice + focal stage, with its per-class post-processing; model
		// card): Brainstem 0.803, SpinalCord 0.801, RightParotid 0.796, LeftParotid 0.848, Esophagus 0.642, Larynx 0.717,
		// Mandible 0.884 (as bin/example-ct)
		double[] min = { 0, 0.77, 0.77, 0.76, 0.81, 0.6, 0.68, 0.85 };
		for (int k = 1; k < 8; k++) assertTrue(o[k].dice() >= min[k], names.get(k) + ": Dice " + o[k].dice());
	}

	@Test
	void theRightParotidStaysOnThePatientsRightInADicomSeries() {
		Volume<?> series = ImageFiles.read(Path.of("test-images/dicom-hn-ct"));
		assertEquals("LPS", Orientation.codes(series.calibration().affine()));
		assertArrayEquals(new long[] { SIZE, SIZE, SLICES }, series.spatialSize());
		short[] labels, fiji;
		try (Segmenter s = Engines.segmenter(MODEL, new EngineOptions(Device.CPU, 0))) {
			labels = values(segment(s, series).labels());
			// as Fiji opens the folder (File > Import > Image Sequence: head to feet, values through ImageJ's rescale function)
			fiji = values(segment(s, io.github.unetseg.io.ImagePlusAdapter.wrap(ij.plugin.FolderOpener.open("test-images/dicom-hn-ct"), "fiji"))
				.labels());
		}
		for (int z = 0; z < SLICES; z++)
			for (int i = 0; i < SIZE * SIZE; i++)
				assertEquals(labels[(SLICES - 1 - z) * SIZE * SIZE + i], fiji[z * SIZE * SIZE + i], "the series opened in Fiji: the same labels");
		// LPS: x runs towards the patient's left; the right parotid (3) lies at lower x than the left one (4)
		double[] x = new double[8];
		long[] n = new long[8];
		for (int i = 0; i < labels.length; i++) {
			x[labels[i]] += i % SIZE;
			n[labels[i]]++;
		}
		assertTrue(n[3] > 100 && n[4] > 100, "both parotids found: " + n[3] + ", " + n[4] + " voxels");
		assertTrue(x[3] / n[3] + 10 < x[4] / n[4], "right parotid at x " + x[3] / n[3] + ", left at " + x[4] / n[4]);
		// the same organs as in the whole CT's result on that crop: series (x, y, z) = NIfTI (y + 16, x + 16, 67 - z)
		short[] crop = new short[labels.length];
		for (int z = 0; z < SLICES; z++)
			for (int y = 0; y < SIZE; y++)
				for (int xx = 0; xx < SIZE; xx++)
					crop[xx + SIZE * (y + SIZE * z)] = direct[(y + CROP) + 128 * ((xx + CROP) + 128 * (FIRST_SLICE + SLICES - 1 - z))];
		Overlap[] o = Overlap.perClass(labels, crop, 8);
		for (int k = 3; k <= 4; k++) assertTrue(o[k].dice() >= 0.8, "parotid " + k + ": Dice to the whole CT's result " + o[k].dice());
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static SegmentationResult segment(Segmenter s, Volume<?> v) {
		return s.segment((Volume) v, SegmentationSettings.defaults(), ProgressListener.NONE, "ct");
	}

	private static short[] values(Volume<?> v) {
		short[] out = new short[(int) v.voxelCount()];
		int i = 0;
		for (Object t : Views.flatIterable(v.image())) out[i++] = (short) Math.round(((RealType<?>) t).getRealDouble());
		return out;
	}
}
