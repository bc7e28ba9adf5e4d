package io.github.unetseg.io;

import java.nio.file.Path;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.image.Volume;

/**
 * The files that can be read lazily, for images larger than memory: uncompressed 3D NIfTI
 * ({@link LazyNifti}), TIFF, BigTIFF and OME-TIFF, also multi-file ({@link ImageIoTiff#regions}: planes
 * and channels as the ImageJ or OME description lays them out, as they are read in memory), uncompressed
 * NRRD and MetaImage ({@link RawVolumes#regions}) and, where Bio-Formats is on the class path, every format
 * it reads ({@link BioFormatsImage}, first series).
 */
public final class LazyInputs {

	/**
	 * An open lazy image and the file it reads from.
	 *
	 * @param volume the image {@code [x, y(, z), c]}, read on access
	 * @param source the open file, or {@code null} where nothing stays open
	 */
	public record Opened(Volume<?> volume, RegionSource source) implements AutoCloseable {

		/** Releases the file. */
		@Override
		public void close() {
			if (source != null) source.close();
		}
	}

	private LazyInputs() {}

	/**
	 * @param path a file
	 * @return whether {@link #open} reads it lazily
	 */
	public static boolean supports(Path path) {
		if (LazyNifti.supports(path)) return true;
		try {
			ImageFormat f = ImageFiles.detect(path);
			return f == ImageFormat.BIGTIFF || f == ImageFormat.TIFF || f == ImageFormat.BIOFORMATS && BioFormatsReader.available() ||
				(f == ImageFormat.NRRD || f == ImageFormat.METAIMAGE) && RawRegions.supports(path);
		}
		catch (SegmentationException e) {
			return false;
		}
	}

	/**
	 * @param path a file {@link #supports} accepts
	 * @param cacheBytes bytes of the file kept in memory
	 * @return the lazily read image; the caller closes it when done
	 * @throws SegmentationException if the file cannot be read lazily or at all
	 */
	public static Opened open(Path path, long cacheBytes) {
		if (LazyNifti.supports(path)) return new Opened(LazyNifti.open(path, cacheBytes), null);
		ImageFormat f = ImageFiles.detect(path);
		RegionSource source = switch (f) {
			case BIGTIFF, TIFF -> ImageIoTiff.regions(path);
			case NRRD, METAIMAGE -> new RawRegions(path);
			case BIOFORMATS -> BioFormatsImage.open(path, 0);
			default -> throw new SegmentationException(path + " (" + f + ") cannot be read lazily. Fix: convert it to OME-TIFF, BigTIFF or .nii " +
				"(for .nii.gz: gunzip it), or give stream=never.");
		};
		try {
			return new Opened(LazyRegions.open(source, cacheBytes), source);
		}
		catch (RuntimeException e) {
			source.close();
			throw e;
		}
	}
}
