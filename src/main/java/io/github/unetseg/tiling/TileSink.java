package io.github.unetseg.tiling;

/**
 * Receives the network output of each tile during {@link TiledInference}: the in-memory
 * {@link Stitcher}, or a writer that streams labels to disk for volumes larger than memory.
 * Called from one thread, tile by tile in plan order.
 */
public interface TileSink {

	/**
	 * @param output a tile's network output, probabilities in {@code [0, 1]}: its layout through
	 *     {@link TileOutput#index} or an ImgLib2 view in image coordinates through {@link TileOutput#view()}
	 */
	void add(TileOutput output);
}
