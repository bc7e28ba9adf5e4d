package io.github.unetseg.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * {@link PackageTileModel} maps unetseg's tile layout {@code [(z,) y, x, c]} onto any axis order of a
 * package and back: a stand-in network writes, at every element of its C-order output, the element's
 * coordinates along x, y, z and the channel, read from its own axis order; after the round trip each
 * unetseg voxel must hold its own coordinates.
 */
class PackageTileModelTest {

	@Test
	void everyAxisOrderComesBackInUnetsegsLayout() {
		for (String order : List.of("bcyx", "byxc", "bxyc", "bcxy", "bczyx", "bzyxc", "bxyzc")) {
			boolean threeD = order.contains("z");
			long[] tile = threeD ? new long[] { 5, 4, 3 } : new long[] { 6, 4 };
			int channels = 2;
			List<ModelDescription.Axis> axes = new ArrayList<>();
			for (char a : order.toCharArray())
				axes.add(new ModelDescription.Axis(String.valueOf(a), a == 'b' ? "batch" : a == 'c' ? "channel" : "space", a == 'c' ? channels : 0,
					a == 'b' || a == 'c' ? 0 : 8, a == 'b' || a == 'c' ? 0 : 1, null, 1, 0, 1, null));
			ModelDescription.Tensor t = new ModelDescription.Tensor("t", List.copyOf(axes), null, List.of());
			ModelDescription d = new ModelDescription(Path.of("."), "stand-in", "0.5.4", List.of(t), List.of(t), Map.of(), Map.of());
			PackageTileModel m = new PackageTileModel(d, new CoordinateNetwork(order), channels, channels);
			long voxels = tile[0] * tile[1] * (threeD ? tile[2] : 1);
			float[] out = m.predict(new float[(int) (voxels * channels)], 1, tile);
			int i = 0;
			for (long z = 0; z < (threeD ? tile[2] : 1); z++)
				for (long y = 0; y < tile[1]; y++)
					for (long x = 0; x < tile[0]; x++)
						for (int c = 0; c < channels; c++, i++)
							assertEquals(x + 10 * y + 100 * z + 1000 * c, out[i], 0, order + " at x " + x + " y " + y + " z " + z + " c " + c);
		}
	}

	/** Outputs {@code x + 10 y + 100 z + 1000 c} of each element, decoded from the C-order index and its axis order. */
	record CoordinateNetwork(String order) implements PackageNetwork {

		@Override
		public String format() {
			return "stand-in";
		}

		@Override
		public List<Data> run(List<Data> inputs) {
			long[] shape = inputs.get(0).shape();
			float[] v = new float[inputs.get(0).values().length];
			for (int i = 0; i < v.length; i++) {
				long rest = i;
				double value = 0;
				for (int a = shape.length - 1; a >= 0; a--) {
					long coordinate = rest % shape[a];
					rest /= shape[a];
					value += coordinate * switch (order.charAt(a)) {
						case 'x' -> 1;
						case 'y' -> 10;
						case 'z' -> 100;
						case 'c' -> 1000;
						default -> 0;
					};
				}
				v[i] = (float) value;
			}
			return List.of(new Data(v, shape));
		}

		@Override
		public void close() {}
	}
}
