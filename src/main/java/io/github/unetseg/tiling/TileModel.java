package io.github.unetseg.tiling;

/**
 * A network that maps a batch of tiles to per-pixel outputs, as seen by {@link TiledInference}.
 *
 * <p>Arrays are row-major in the layout TensorFlow uses: input {@code [batch, (z,) y, x, channel]}
 * and output {@code [batch, (z,) y, x, outputChannel]}, channel fastest; the spatial size of a tile is
 * given in ImgLib2 order {@code [x, y(, z)]}. The output has the same spatial size as the input and
 * holds probabilities in {@code [0, 1]}: one foreground probability for a binary model, one per class
 * (summing to 1) for a multiclass model.
 */
public interface TileModel {

	/** @return number of input channels the network expects, &gt;= 1 */
	int inputChannels();

	/** @return number of output channels: 1 for a binary (sigmoid) model, the class count otherwise */
	int outputChannels();

	/**
	 * Runs the network on a batch of tiles.
	 *
	 * @param input normalised pixels, {@code batch * prod(tileSize) * inputChannels()} values, layout
	 *     {@code [batch, (z,) y, x, channel]}
	 * @param batch number of tiles in {@code input}, &gt;= 1
	 * @param tileSize spatial tile size {@code [x, y(, z)]} in pixels
	 * @return probabilities, {@code batch * prod(tileSize) * outputChannels()} values, layout
	 *     {@code [batch, (z,) y, x, channel]}
	 * @throws BatchMemoryException if the batch does not fit in (accelerator) memory; the caller
	 *     retries with a smaller batch
	 */
	float[] predict(float[] input, int batch, long[] tileSize);
}
