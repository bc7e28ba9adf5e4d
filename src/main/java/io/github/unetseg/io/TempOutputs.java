package io.github.unetseg.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.github.unetseg.AtomicFiles;

/**
 * Output files written in place by positional writes (the streaming writers {@link NiftiPlaneWriter} and
 * {@link BigTiffTileWriter}): each target is written as a temporary file beside it, moved into place by
 * {@link #finish} only when all are complete, and deleted by {@link #close} otherwise.
 */
final class TempOutputs implements AutoCloseable {

	private final Path[] targets, tmps;
	private final FileChannel[] channels;
	private boolean done;

	/**
	 * @param targets the files to create (their folders are created)
	 * @throws IOException if a temporary file cannot be created; the ones made are deleted
	 */
	TempOutputs(Path... targets) throws IOException {
		this.targets = targets.clone();
		tmps = new Path[targets.length];
		channels = new FileChannel[targets.length];
		try {
			for (int f = 0; f < targets.length; f++) {
				Path dir = Files.createDirectories(targets[f].toAbsolutePath().getParent());
				tmps[f] = Files.createTempFile(dir, "." + targets[f].getFileName(), ".tmp");
				channels[f] = FileChannel.open(tmps[f], StandardOpenOption.WRITE, StandardOpenOption.READ);
			}
		}
		catch (IOException e) {
			close();
			throw e;
		}
	}

	/** @return the channel of target {@code f}, writing its temporary file */
	FileChannel channel(int f) {
		return channels[f];
	}

	/** @return the number of targets */
	int count() {
		return targets.length;
	}

	/** @return target {@code f} */
	Path target(int f) {
		return targets[f];
	}

	/**
	 * Flushes the files to disk and moves them into place.
	 *
	 * @throws IOException if that fails (then {@link #close} deletes what is left)
	 */
	void finish() throws IOException {
		for (FileChannel c : channels) {
			c.force(true);
			c.close();
		}
		for (int f = 0; f < tmps.length; f++) AtomicFiles.move(tmps[f], targets[f]);
		done = true;
	}

	/** Deletes the temporary files unless {@link #finish} completed. */
	@Override
	public void close() {
		if (done) return;
		for (int f = 0; f < tmps.length; f++)
			try {
				if (channels[f] != null) channels[f].close();
				if (tmps[f] != null) Files.deleteIfExists(tmps[f]);
			}
			catch (IOException e) {
				// the temporary files are ours; the original error is the one reported
			}
	}
}
