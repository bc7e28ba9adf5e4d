package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

class ImageFilesTest {

	@TempDir
	Path dir;

	static final Path TEST_IMAGES = Path.of("test-images");

	@Test
	void realNiftiHasTheHeaderValues() {
		Volume<?> v = ImageFiles.read(TEST_IMAGES.resolve("ch2.nii.gz"));
		assertArrayEquals(new long[] { 181, 217, 181 }, v.spatialSize());
		assertEquals(1, v.channels());
		assertArrayEquals(new double[] { 1, 1, 1 }, v.calibration().spacing());
		assertEquals("mm", v.calibration().unit());
		assertNotNull(v.calibration().affine(), "sform_code 4 (MNI) gives an affine");
		assertTrue(v.image().getType() instanceof UnsignedByteType);
	}

	@Test
	void realNiftiRoundTripKeepsPixelsSpacingAndOrientation() {
		Volume<?> v = ImageFiles.read(TEST_IMAGES.resolve("ch2.nii.gz"));
		Path out = dir.resolve("copy.nii.gz");
		write(v, out);
		Volume<?> back = ImageFiles.read(out);
		assertArrayEquals(Images.toFloats(cast(v).image()), Images.toFloats(cast(back).image()));
		assertEquals(v.calibration(), back.calibration());
	}

	@SuppressWarnings("unchecked")
	@Test
	void realTiffSliceHasCalibrationAndMatchesTheNiftiVolume() {
		Volume<?> slice = ImageFiles.read(TEST_IMAGES.resolve("mri-t1-axial-z90.tif"));
		assertArrayEquals(new long[] { 181, 217 }, slice.spatialSize());
		assertEquals("mm", slice.calibration().unit());
		Volume<?> vol = ImageFiles.read(TEST_IMAGES.resolve("ch2.nii.gz"));
		var a = ((Volume<? extends net.imglib2.type.numeric.RealType<?>>) slice).image().randomAccess();
		var b = ((Volume<? extends net.imglib2.type.numeric.RealType<?>>) vol).image().randomAccess();
		for (int y = 0; y < 217; y += 7)
			for (int x = 0; x < 181; x += 5) {
				a.setPosition(new long[] { x, y, 0 });
				b.setPosition(new long[] { x, 216 - y, 90, 0 });
				assertEquals(b.get().getRealDouble(), a.get().getRealDouble(), "pixel " + x + "," + y);
			}
	}

	@Test
	void anisotropic16BitStackRoundTripsThroughTiff() {
		ArrayImg<UnsignedShortType, ?> img = ArrayImgs.unsignedShorts(33, 17, 5, 1);
		Random r = new Random(1);
		for (UnsignedShortType t : img) t.set(r.nextInt(65536));
		Volume<UnsignedShortType> v = new Volume<>(img, Calibration.of("µm", 0.25, 0.25, 2.0));
		Path out = dir.resolve("stack.tif");
		ImageFiles.write(v, out, 0);
		Volume<?> back = ImageFiles.read(out);
		assertArrayEquals(new long[] { 33, 17, 5 }, back.spatialSize());
		assertArrayEquals(new double[] { 0.25, 0.25, 2.0 }, back.calibration().spacing(), 1e-9);
		assertEquals("µm", back.calibration().unit());
		assertArrayEquals(Images.toFloats(img), Images.toFloats(cast(back).image()));
	}

	@Test
	void multiChannelFloatRoundTripsThroughTiffAndNifti() {
		ArrayImg<FloatType, ?> img = ArrayImgs.floats(20, 10, 3);
		Random r = new Random(2);
		for (FloatType t : img) t.set((float) r.nextGaussian());
		Volume<FloatType> v = new Volume<>(img, Calibration.of("mm", 0.5, 0.7));
		for (String name : new String[] { "p.tif", "p.nii", "p.nii.gz", "p.nrrd", "p.mha" }) { // compressed floats: deflate level 1
			Path out = dir.resolve(name);
			ImageFiles.write(v, out, 0);
			Volume<?> back = ImageFiles.read(out);
			assertArrayEquals(new long[] { 20, 10 }, back.spatialSize(), name);
			assertEquals(3, back.channels(), name);
			assertArrayEquals(new double[] { 0.5, 0.7 }, back.calibration().spacing(), 1e-6, name);
			assertArrayEquals(Images.toFloats(img), Images.toFloats(cast(back).image()), name);
		}
	}

	@Test
	void contentDecidesTheFormatNotTheName() throws IOException {
		Path disguised = dir.resolve("looks-like.tif");
		Files.copy(TEST_IMAGES.resolve("ch2bet.nii.gz"), disguised);
		assertEquals(ImageFormat.NIFTI, ImageFiles.detect(disguised));
		assertArrayEquals(new long[] { 181, 217, 181 }, ImageFiles.read(disguised).spatialSize());
	}

	@Test
	void truncatedAndForeignFilesGiveOneClearError() throws IOException {
		byte[] all = Files.readAllBytes(TEST_IMAGES.resolve("ch2.nii.gz"));
		Path cut = dir.resolve("cut.nii.gz");
		Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
		SegmentationException e = assertThrows(SegmentationException.class, () -> ImageFiles.read(cut));
		assertTrue(e.getMessage().contains("cut.nii.gz") && e.getMessage().contains("Fix"), e.getMessage());
		Path text = dir.resolve("notes.tif");
		Files.writeString(text, "hello, this is not an image at all".repeat(20));
		e = assertThrows(SegmentationException.class, () -> ImageFiles.read(text));
		// without Bio-Formats unetseg says what it reads; with it (the bioformats profile), Bio-Formats says why it cannot
		assertTrue(e.getMessage().contains(BioFormatsReader.available() ? "Bio-Formats could not read" : "is not TIFF, NIfTI-1, NRRD or MetaImage") &&
			e.getMessage().contains("notes.tif") && e.getMessage().contains("Fix:"), e.getMessage());
		e = assertThrows(SegmentationException.class, () -> ImageFiles.read(dir.resolve("missing.tif")));
		assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
		byte[] tif = Files.readAllBytes(TEST_IMAGES.resolve("mri-t1-axial-z90.tif"));
		Path cutTif = dir.resolve("cut.tif");
		Files.write(cutTif, java.util.Arrays.copyOf(tif, 400));
		assertThrows(SegmentationException.class, () -> ImageFiles.read(cutTif));
	}

	@Test
	void aFailedWriteLeavesNoFileBehind() throws IOException {
		Path blocked = dir.resolve("blocked");
		Files.writeString(blocked, "a file where a folder should be");
		Volume<FloatType> v = new Volume<>(ArrayImgs.floats(4, 4, 1), Calibration.uncalibrated(2));
		assertThrows(SegmentationException.class, () -> ImageFiles.write(v, blocked.resolve("out.tif"), 0));
		assertThrows(SegmentationException.class, () -> ImageFiles.write(v, blocked.resolve("out.nii.gz"), 0));
		try (var s = Files.list(dir)) {
			assertEquals(1, s.count(), "only the blocking file");
		}
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<FloatType> cast(Volume<?> v) {
		return (Volume) v;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static void write(Volume<?> v, Path p) {
		ImageFiles.write((Volume) v, p, 0);
	}
}
