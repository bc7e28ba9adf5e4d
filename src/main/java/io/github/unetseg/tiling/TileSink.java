package io.github.unetseg.tiling;

/**
 * Receives the network output of each tile during {@link TiledInference}: the in-memory
 * {@link Stitcher}, or a writer that streams labels to disk for volumes larger than memory.
 * Called from one thread, tile by tile in plan order.
 */
public interface TileSink {

	/**
	 * @param tile a tile of the plan
	 * @param output network output holding this tile at {@code offset}, layout {@code [(z,) y, x, channel]}
	 *     of the plan's tile size, probabilities in {@code [0, 1]}
	 * @param offset index of the tile's first value in {@code output}
	 */
	void add(Tile tile, float[] output, int offset);
}
