package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.IntUnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.testutil.Images;
import loci.formats.IFormatWriter;
import loci.formats.MetadataTools;
import loci.formats.meta.IMetadata;
import loci.formats.out.ICSWriter;
import loci.formats.out.OMETiffWriter;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import ome.units.UNITS;
import ome.units.quantity.Length;

/**
 * unetseg's run-time Bio-Formats adapter ({@link BioFormatsReader}, {@link BioFormatsImage}) against the
 * real Bio-Formats 8.0.0 (formats-bsd, built from source in {@code ../shared/vendor/}): files written by
 * Bio-Formats' own OME-TIFF and ICS writers and by unetseg, 16-bit, float and RGB data, several series,
 * region reads equal to whole reads, physical sizes and units. Compiled only when the {@code bioformats}
 * Maven profile is on (Bio-Formats in the local Maven repository); {@code BioFormatsAvailabilityTest}
 * reports the skip otherwise.
 */
class RealBioFormatsTest {

	@TempDir
	Path dir;

	@AfterEach
	void realReader() {
		System.clearProperty(BioFormatsReader.READER_PROPERTY);
	}

	/** Writes one series of planes {@code [c][z]} of {@code bytes}-byte values {@code value(x + w*(y + h*(z + d*c)))}. */
	static void series(IFormatWriter w, IMetadata meta, int series, String type, int bytes, int width, int height, int depth, int channels,
		int samples, IntUnaryOperator value, boolean interleaved) throws Exception
	{
		w.setSeries(series);
		int planes = depth * channels / samples;
		for (int p = 0; p < planes; p++) {
			// XYZCT: plane p holds z = p % depth, channel p / depth (times samples for RGB)
			int z = p % depth, c0 = p / depth * samples;
			ByteBuffer b = ByteBuffer.allocate(width * height * samples * bytes).order(ByteOrder.BIG_ENDIAN);
			for (int s = 0; s < samples; s++)
				for (int i = 0; i < width * height; i++) {
					int at = (interleaved ? i * samples + s : s * width * height + i) * bytes;
					int v = value.applyAsInt(i + width * height * (z + depth * (c0 + s)));
					switch (type) {
						case "uint8" -> b.put(at, (byte) v);
						case "uint16" -> b.putShort(at, (short) v);
						case "float" -> b.putFloat(at, v / 4f);
						default -> throw new IllegalArgumentException(type);
					}
				}
			w.saveBytes(p, b.array());
		}
	}

	static IMetadata meta(int seriesCount, String[] types, int[][] sizes, int samples, double[] physical, ome.units.unit.Unit<Length> unit) {
		IMetadata meta = MetadataTools.createOMEXMLMetadata();
		for (int s = 0; s < seriesCount; s++) {
			int[] z = sizes[s];
			MetadataTools.populateMetadata(meta, s, "series" + s, false, "XYZCT", types[s], z[0], z[1], z[2], z[3], 1, samples);
			if (physical != null) {
				meta.setPixelsPhysicalSizeX(new Length(physical[0], unit), s);
				meta.setPixelsPhysicalSizeY(new Length(physical[1], unit), s);
				if (physical.length > 2) meta.setPixelsPhysicalSizeZ(new Length(physical[2], unit), s);
			}
		}
		return meta;
	}

	static float[] values(Volume<?> v) {
		return Images.toFloats(cast(v).image());
	}

	@SuppressWarnings("unchecked")
	static <T extends RealType<T>> Volume<T> cast(Volume<?> v) {
		return (Volume<T>) v;
	}

	@Test
	void omeTiffFromBioFormatsSixteenBitZStackWithChannelsAndMicrometres() throws Exception {
		Path f = dir.resolve("stack.ome.tif");
		IMetadata meta = meta(1, new String[] { "uint16" }, new int[][] { { 40, 30, 5, 2 } }, 1, new double[] { 0.5, 0.5, 2.0 }, UNITS.MICROMETER);
		try (OMETiffWriter w = new OMETiffWriter()) {
			w.setMetadataRetrieve(meta);
			w.setId(f.toString());
			series(w, meta, 0, "uint16", 2, 40, 30, 5, 2, 1, i -> i % 60000, false);
		}
		Volume<?> v = BioFormatsReader.read(f);
		assertArrayEquals(new long[] { 40, 30, 5, 2 }, v.image().dimensionsAsLongArray());
		float[] got = values(v);
		for (int i = 0; i < got.length; i++) assertEquals(i % 60000, got[i], 0, "voxel " + i);
		assertEquals("µm", v.calibration().unit());
		assertArrayEquals(new double[] { 0.5, 0.5, 2.0 }, v.calibration().spacing(), 1e-12);
		// unetseg's own OME-TIFF reader agrees with Bio-Formats on Bio-Formats' file
		Volume<?> ours = ImageFiles.read(f);
		assertArrayEquals(got, values(ours));
		assertArrayEquals(v.calibration().spacing(), ours.calibration().spacing(), 1e-12);
	}

	@Test
	void icsFromBioFormatsFloatTwoChannelsReadThroughImageFiles() throws Exception {
		Path f = dir.resolve("cells.ics");
		IMetadata meta = meta(1, new String[] { "float" }, new int[][] { { 33, 17, 1, 2 } }, 1, new double[] { 0.25, 0.3 }, UNITS.MICROMETER);
		try (ICSWriter w = new ICSWriter()) {
			w.setMetadataRetrieve(meta);
			w.setId(f.toString());
			series(w, meta, 0, "float", 4, 33, 17, 1, 2, 1, i -> i - 500, false);
		}
		// not a format unetseg reads itself: ImageFiles goes through Bio-Formats
		assertEquals(ImageFormat.BIOFORMATS, ImageFiles.detect(f));
		Volume<?> v = ImageFiles.read(f);
		assertArrayEquals(new long[] { 33, 17, 2 }, v.image().dimensionsAsLongArray());
		float[] got = values(v);
		for (int i = 0; i < got.length; i++) assertEquals((i - 500) / 4f, got[i], 0, "pixel " + i);
		assertArrayEquals(new double[] { 0.25, 0.3 }, v.calibration().spacing(), 1e-9);
		assertEquals("µm", v.calibration().unit());
	}

	@Test
	void unetsegsOmeTiffReadsTheSameThroughBioFormats() throws Exception {
		float[] data = new float[24 * 20 * 3];
		for (int i = 0; i < data.length; i++) data[i] = (i * 37) % 1000 - 300.5f;
		Volume<net.imglib2.type.numeric.real.FloatType> written = new Volume<>(ArrayImgs.floats(data, 24, 20, 3, 1),
			Calibration.of("µm", 0.2, 0.2, 1.5));
		Path f = dir.resolve("ours.ome.tif");
		ImageFiles.write(written, f, 0);
		Volume<?> v = BioFormatsReader.read(f);
		assertArrayEquals(new long[] { 24, 20, 3, 1 }, v.image().dimensionsAsLongArray());
		assertArrayEquals(data, values(v));
		assertEquals("µm", v.calibration().unit());
		assertArrayEquals(new double[] { 0.2, 0.2, 1.5 }, v.calibration().spacing(), 1e-9);
	}

	@Test
	void unetsegsTiledBigTiffOutputsReadThroughBioFormats() throws Exception {
		int width = 70, height = 50;
		Path labels = dir.resolve("m_labels.btf"), probabilities = dir.resolve("m_probabilities.btf");
		BigTiffTileWriterTest.write(labels, probabilities, width, height, 32);
		try (BioFormatsImage image = BioFormatsImage.open(labels, 0)) {
			assertArrayEquals(new int[] { 32, 32 }, image.optimalTile());
			assertArrayEquals(BigTiffTileWriterTest.expectedLabels(width, height), values(image.read(new long[2], image.spatialSize())));
		}
		// the OME-XML description makes the class pages channels (without it Bio-Formats took them as time points)
		try (loci.formats.ImageReader reader = new loci.formats.ImageReader()) {
			reader.setId(probabilities.toString());
			assertEquals("OME-TIFF", reader.getFormat());
			assertEquals(2, reader.getSizeC());
			assertEquals(1, reader.getSizeT());
			assertEquals(1, reader.getSizeZ());
		}
		Volume<?> p = BioFormatsReader.read(probabilities);
		assertArrayEquals(new long[] { width, height, 2 }, p.image().dimensionsAsLongArray());
		float[] got = values(p);
		for (int c = 0, i = 0; c < 2; c++)
			for (int y = 0; y < height; y++) for (int x = 0; x < width; x++, i++) assertEquals(BigTiffTileWriterTest.p(x, y, c), got[i], 0);
		Calibration cal = BioFormatsReader.read(labels).calibration();
		assertArrayEquals(new double[] { 0.5, 0.25 }, java.util.Arrays.copyOf(cal.spacing(), 2), 1e-9);
		assertEquals("µm", cal.unit());
	}

	@Test
	void severalSeriesAreChosenByIndex() throws Exception {
		Path f = dir.resolve("two.ome.tif");
		IMetadata meta = meta(2, new String[] { "uint8", "uint16" }, new int[][] { { 16, 12, 1, 1 }, { 20, 10, 3, 1 } }, 1,
			new double[] { 1, 1, 1 }, UNITS.MICROMETER);
		try (OMETiffWriter w = new OMETiffWriter()) {
			w.setMetadataRetrieve(meta);
			w.setId(f.toString());
			series(w, meta, 0, "uint8", 1, 16, 12, 1, 1, 1, i -> i % 251, false);
			series(w, meta, 1, "uint16", 2, 20, 10, 3, 1, 1, i -> 1000 + i, false);
		}
		try (BioFormatsImage second = BioFormatsImage.open(f, 1)) {
			assertEquals(2, second.seriesCount());
			assertArrayEquals(new long[] { 20, 10, 3 }, second.spatialSize());
			float[] got = values(second.read(new long[3], second.spatialSize()));
			for (int i = 0; i < got.length; i++) assertEquals(1000 + i, got[i], 0);
		}
		// the pipeline reads the first series (and warns)
		assertArrayEquals(new long[] { 16, 12, 1 }, BioFormatsReader.read(f).image().dimensionsAsLongArray());
		SegmentationException e = assertThrows(SegmentationException.class, () -> BioFormatsImage.open(f, 2));
		assertTrue(e.getMessage().contains("has 2 series") && e.getMessage().contains("Fix:"), e.getMessage());
	}

	@Test
	void rgbPlanesBecomeThreeChannelsInterleavedOrNot() throws Exception {
		for (boolean interleaved : new boolean[] { true, false }) {
			Path f = dir.resolve("rgb-" + interleaved + ".ome.tif");
			IMetadata meta = meta(1, new String[] { "uint8" }, new int[][] { { 9, 7, 1, 3 } }, 3, null, null);
			try (OMETiffWriter w = new OMETiffWriter()) {
				w.setMetadataRetrieve(meta);
				w.setInterleaved(interleaved);
				w.setId(f.toString());
				series(w, meta, 0, "uint8", 1, 9, 7, 1, 3, 3, i -> (i * 7) % 256, interleaved);
			}
			Volume<?> v = BioFormatsReader.read(f);
			assertEquals(3, v.channels(), "interleaved " + interleaved);
			float[] got = values(v);
			for (int i = 0; i < got.length; i++) assertEquals((i * 7) % 256, got[i], 0, "interleaved " + interleaved + " value " + i);
		}
	}

	@Test
	void regionReadsOfATiledFileEqualTheWholeRead() throws Exception {
		Path f = dir.resolve("tiled.ome.tif");
		int w = 96, h = 80, d = 4;
		IMetadata meta = meta(1, new String[] { "uint16" }, new int[][] { { w, h, d, 2 } }, 1, new double[] { 0.1, 0.1, 0.5 }, UNITS.MICROMETER);
		try (OMETiffWriter wr = new OMETiffWriter()) {
			wr.setMetadataRetrieve(meta);
			wr.setTileSizeX(32);
			wr.setTileSizeY(32);
			wr.setId(f.toString());
			series(wr, meta, 0, "uint16", 2, w, h, d, 2, 1, i -> (i * 13) % 65521, false);
		}
		try (BioFormatsImage image = BioFormatsImage.open(f, 0)) {
			assertArrayEquals(new int[] { 32, 32 }, image.optimalTile());
			Volume<?> whole = image.read(new long[3], image.spatialSize());
			long[] min = { 7, 33, 1 }, size = { 50, 29, 2 };
			Volume<?> region = image.read(min, size);
			Volume<?> crop = new Volume<>(Views.zeroMin(Views.interval(cast(whole).image(), new long[] { 7, 33, 1, 0 },
				new long[] { 56, 61, 2, 1 })), whole.calibration());
			assertArrayEquals(values(crop), values(region));
			assertEquals("µm", region.calibration().unit());
			// the same series read lazily, cell by cell through a cache far smaller than the image
			Volume<?> lazy = LazyRegions.open(image, 16 << 10);
			assertTrue(LazyRegions.isLazy(lazy));
			assertArrayEquals(values(whole), values(lazy));
		}
	}

	@Test
	void nanometresAndMillimetresKeepTheirUnits() throws Exception {
		for (var unit : java.util.List.of(UNITS.NANOMETER, UNITS.MILLIMETER)) {
			Path f = dir.resolve("unit-" + unit.getSymbol().replace('µ', 'u') + ".ome.tif");
			IMetadata meta = meta(1, new String[] { "uint8" }, new int[][] { { 8, 8, 1, 1 } }, 1, new double[] { 65, 70 }, unit);
			try (OMETiffWriter w = new OMETiffWriter()) {
				w.setMetadataRetrieve(meta);
				w.setId(f.toString());
				series(w, meta, 0, "uint8", 1, 8, 8, 1, 1, 1, i -> i, false);
			}
			Calibration c = BioFormatsReader.read(f).calibration();
			assertEquals(unit.getSymbol(), c.unit());
			assertArrayEquals(new double[] { 65, 70 }, c.spacing(), 1e-9);
		}
	}

	@Test
	void withoutBioFormatsTheCliSaysWhatIsNeeded() throws Exception {
		System.setProperty(BioFormatsReader.READER_PROPERTY, "no.such.Reader");
		Path czi = dir.resolve("real.czi");
		java.nio.file.Files.write(czi, "ZISRAWFILE and then some bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		String m = assertThrows(SegmentationException.class, () -> ImageFiles.read(czi)).getMessage();
		assertTrue(m.contains("Zeiss CZI") && m.contains("Bio-Formats is not on the class path") && m.contains("BIOFORMATS_JARS"), m);
	}
}
