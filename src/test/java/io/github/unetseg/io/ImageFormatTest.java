package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The one list of formats: names asked for when writing, output names derived from inputs, help texts. */
class ImageFormatTest {

	@Test
	void targetNamesChooseTheWriter() {
		Map<String, ImageFormat> expected = Map.of("a.nii", ImageFormat.NIFTI, "a.NII.GZ", ImageFormat.NIFTI, "a.nrrd", ImageFormat.NRRD,
			"a.mha", ImageFormat.METAIMAGE, "a.ome.tif", ImageFormat.TIFF, "a.btf", ImageFormat.BIGTIFF, "a.tf8", ImageFormat.BIGTIFF,
			"a.tif", ImageFormat.TIFF, "a.png", ImageFormat.RASTER, "a.data", ImageFormat.TIFF);
		expected.forEach((name, f) -> assertEquals(f, ImageFormat.forWriting(Path.of(name)), name));
		io.github.unetseg.SegmentationException e = org.junit.jupiter.api.Assertions.assertThrows(io.github.unetseg.SegmentationException.class,
			() -> ImageFiles.write(new io.github.unetseg.image.Volume<>(net.imglib2.img.array.ArrayImgs.unsignedBytes(2, 2, 1),
				io.github.unetseg.image.Calibration.uncalibrated(2)), Path.of("x.png"), 2));
		assertTrue(e.getMessage().contains("Fix: name the output .tif"), e.getMessage());
	}

	@Test
	void outputsKeepTheInputsFormat() {
		Map<String, String> expected = Map.ofEntries(Map.entry("a.nii", ".nii"), Map.entry("a.nii.gz", ".nii.gz"),
			Map.entry("a.ome.tiff", ".ome.tif"), Map.entry("a.btf", ".btf"), Map.entry("a.tf8", ".btf"), Map.entry("a.nrrd", ".nrrd"),
			Map.entry("a.nhdr", ".nrrd"), Map.entry("a.mha", ".mha"), Map.entry("a.mhd", ".mha"), Map.entry("a.dcm", ".nii.gz"),
			Map.entry("a.tiff", ".tif"), Map.entry("a.czi", ".tif"), Map.entry("a", ".tif"));
		expected.forEach((name, ext) -> assertEquals(ext, ImageFiles.outputExtension(Path.of(name)), name));
		assertEquals(".nii.gz", ImageFiles.outputExtension(Path.of("test-images")), "a folder is a DICOM series");
	}

	@Test
	void theHelpTextNamesEveryFormat() {
		Map<ImageFormat, String> names = Map.of(ImageFormat.TIFF, "TIFF", ImageFormat.BIGTIFF, "BigTIFF", ImageFormat.NRRD, "NRRD",
			ImageFormat.METAIMAGE, "MetaImage", ImageFormat.NIFTI, "NIfTI", ImageFormat.DICOM, "DICOM", ImageFormat.BIOFORMATS, "Bio-Formats",
			ImageFormat.RASTER, "PNG, JPEG, BMP, GIF");
		assertEquals(ImageFormat.values().length, names.size());
		names.forEach((f, n) -> assertTrue(ImageFiles.READABLE.contains(n), n));
	}
}
