package io.github.unetseg.tensorflow;

import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import io.github.unetseg.SegmentationException;
import io.github.unetseg.tiling.BatchMemoryException;
import io.github.unetseg.tiling.TileModel;

/**
 * A {@link TileModel} over named input and output tensors of a session: the bulk copy between Java
 * arrays and tensors shared by {@link TensorFlowModel} and the trainer's validation. Every tensor and
 * result is closed before {@link #predict} returns. Does not own the session.
 */
final class SessionTileModel implements TileModel {

	private final Session session;
	private final String input, output;
	private final int inChannels, outChannels;

	SessionTileModel(Session session, String input, String output, int inChannels, int outChannels) {
		this.session = session;
		this.input = input;
		this.output = output;
		this.inChannels = inChannels;
		this.outChannels = outChannels;
	}

	@Override
	public int inputChannels() {
		return inChannels;
	}

	@Override
	public int outputChannels() {
		return outChannels;
	}

	@Override
	public float[] predict(float[] data, int batch, long[] tileSize) {
		return run(session, input, output, data, batch, tileSize, inChannels, outChannels);
	}

	/**
	 * Runs one batch: {@code data} {@code [batch, (z,) y, x, inChannels]} in, probabilities
	 * {@code [batch, (z,) y, x, outChannels]} out.
	 *
	 * @throws BatchMemoryException when TensorFlow, native memory (JavaCPP) or the Java heap runs out of memory
	 * @throws SegmentationException when the output shape is not the input's with {@code outChannels}
	 */
	static float[] run(Session session, String input, String output, float[] data, int batch, long[] tileSize, int inChannels,
		int outChannels)
	{
		int n = tileSize.length;
		long[] shape = new long[n + 2];
		shape[0] = batch;
		for (int d = 0; d < n; d++) shape[n - d] = tileSize[d];
		shape[n + 1] = inChannels;
		long voxels = batch;
		for (long t : tileSize) voxels *= t;
		float[] out;
		try {
			out = new float[Math.toIntExact(voxels * outChannels)];
		}
		catch (OutOfMemoryError | ArithmeticException e) {
			throw new BatchMemoryException("no Java heap for the output of " + batch + " tiles", e);
		}
		try (TFloat32 in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
			Result r = session.runner().feed(input, in).fetch(output).run())
		{
			TFloat32 t = (TFloat32) r.get(0);
			Shape os = t.shape();
			boolean same = os.numDimensions() == n + 2;
			for (int d = 0; same && d < n + 1; d++) same = os.get(d) == shape[d];
			if (!same)
				throw new SegmentationException("The model's output " + os + " does not have the input's batch and spatial size " +
					Shape.of(shape) + ". unetseg needs 'SAME'-padded networks. Fix: export the model with padding='same'.");
			if (os.get(n + 1) != outChannels)
				throw new SegmentationException("The model returned " + os.get(n + 1) + " channels, model.json implies " + outChannels +
					". Fix: correct classNames/output in model.json.");
			t.copyTo(DataBuffers.of(out, false, false));
		}
		catch (TFResourceExhaustedException | OutOfMemoryError e) {
			// OutOfMemoryError: JavaCPP's "Physical memory usage is too high" when native memory runs out
			throw new BatchMemoryException("TensorFlow ran out of memory for " + batch + " tiles of " +
				java.util.Arrays.toString(tileSize) + " (" + e.getMessage() + ")", e);
		}
		return out;
	}
}
