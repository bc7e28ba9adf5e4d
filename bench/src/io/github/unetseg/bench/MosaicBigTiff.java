package io.github.unetseg.bench;

import java.nio.file.Path;

import io.github.unetseg.image.Calibration;
import io.github.unetseg.image.Volume;
import io.github.unetseg.io.ImageFiles;
import io.github.unetseg.testutil.Images;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * Writes a SIZE x SIZE 8-bit BigTIFF (strips, 1 mm pixels) tiled with the MRI slice of test-images, mirrored
 * at every repeat so that the mosaic has no seams: the input of bench/run.sh large2d.
 * Usage: MosaicBigTiff SIZE OUT.btf
 */
public final class MosaicBigTiff {

	public static void main(String[] args) {
		int size = Integer.parseInt(args[0]);
		Volume<?> slice = ImageFiles.read(Path.of("test-images/mri-t1-axial-z90.tif"));
		float[] v = Images.toFloats(cast(slice).image());
		int w = (int) slice.spatialSize()[0], h = (int) slice.spatialSize()[1];
		byte[] out = new byte[Math.multiplyExact(size, size)];
		for (int y = 0; y < size; y++) {
			int ty = y / h % 2 == 0 ? y % h : h - 1 - y % h;
			for (int x = 0; x < size; x++) {
				int tx = x / w % 2 == 0 ? x % w : w - 1 - x % w;
				out[y * size + x] = (byte) v[ty * w + tx];
			}
		}
		Volume<UnsignedByteType> mosaic = new Volume<>(ArrayImgs.unsignedBytes(out, size, size, 1), Calibration.of("mm", 1, 1));
		ImageFiles.write(mosaic, Path.of(args[1]), 0);
		System.out.println("wrote " + args[1] + ": " + size + " x " + size + " uint8");
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static Volume<UnsignedByteType> cast(Volume<?> v) {
		return (Volume) v;
	}
}
