package io.github.unetseg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writing outputs so that a crash, a kill or a full disk never leaves a half-written file where a
 * complete one is expected: content goes to a temporary file in the target's folder, which is renamed
 * over the target when complete (atomically where the file system allows). Every output of unetseg
 * (images, models, reports, checkpoints) is written this way, which is also what makes reruns of
 * killed batch jobs safe: an output that exists is complete.
 */
public final class AtomicFiles {

	/** Writes the content of a file to the path it is given. */
	@FunctionalInterface
	public interface Writer {
		/**
		 * @param temporary the file to write
		 * @throws IOException if writing fails
		 */
		void write(Path temporary) throws IOException;
	}

	private AtomicFiles() {}

	/**
	 * Writes a file through a temporary file and a rename. The folder is created if missing. On
	 * failure the temporary file is deleted and the target is left as it was.
	 *
	 * @param target the file to write
	 * @param writer writes the content to the temporary file it is given
	 * @throws SegmentationException naming the target and the fix if anything fails
	 */
	public static void write(Path target, Writer writer) {
		Path tmp = null;
		try {
			Path dir = target.toAbsolutePath().getParent();
			Files.createDirectories(dir);
			tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
			writer.write(tmp);
			move(tmp, target);
			tmp = null;
		}
		catch (IOException e) {
			throw new SegmentationException("Cannot write " + target + ": " + e.getMessage() + ". Fix: check that the folder is " +
				"writable and the disk is not full.", e);
		}
		finally {
			if (tmp != null) try {
				Files.deleteIfExists(tmp);
			}
			catch (IOException e) {
				// the temporary file is ours; the original error is the one reported
			}
		}
	}

	/**
	 * @param target the file to write
	 * @param text its UTF-8 content
	 * @throws SegmentationException if it cannot be written
	 */
	public static void writeString(Path target, CharSequence text) {
		write(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
	}

	/**
	 * Moves a finished temporary file or folder into place, replacing an existing file, atomically where
	 * the file system allows; gives it the usual permissions ({@code rw-r--r--}, folders
	 * {@code rwxr-xr-x}) instead of the private ones of temporary files.
	 *
	 * @param tmp the finished temporary file or folder, on the same file system as {@code target}
	 * @param target final path
	 * @throws IOException if the move fails
	 */
	public static void move(Path tmp, Path target) throws IOException {
		try {
			Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(Files.isDirectory(tmp) ? "rwxr-xr-x" : "rw-r--r--"));
		}
		catch (UnsupportedOperationException e) {
			// not a POSIX file system: keep its defaults
		}
		try {
			Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException e) {
			Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	/**
	 * Deletes a file or a folder with everything in it; a missing path is not an error.
	 *
	 * @param path file or folder
	 * @throws IOException if something cannot be deleted
	 */
	public static void deleteTree(Path path) throws IOException {
		if (!Files.exists(path)) return;
		try (Stream<Path> s = Files.walk(path)) {
			for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
		}
	}
}
