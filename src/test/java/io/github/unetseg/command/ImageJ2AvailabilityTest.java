package io.github.unetseg.command;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Says whether the tests inside a real ImageJ2 with its legacy layer were compiled. They live in
 * {@code src/test-imagej2/java} (they import {@code net.imagej}, which is not on Maven Central) with the
 * Dataset command ({@code src/main-imagej2}), and compile only under the {@code imagej2} Maven profile,
 * which switches itself on when ImageJ2 2.17.0's legacy layer is in the local Maven repository; they then
 * run in their own JVM (surefire execution {@code imagej2-legacy-tests}). Without it this test is
 * reported as skipped, with the reason and the fix.
 */
class ImageJ2AvailabilityTest {

	@Test
	void imageJ2TestsAreCompiledWhenImageJ2IsThere() {
		boolean compiled;
		try {
			Class.forName("io.github.unetseg.imagej2.LegacyLayerTest", false, getClass().getClassLoader());
			compiled = true;
		}
		catch (ClassNotFoundException e) {
			compiled = false;
		}
		Assumptions.assumeTrue(compiled, "ImageJ2 2.17.0 (imagej-common, imagej-legacy) is not in the local Maven repository, so the Dataset " +
			"command and the tests inside ImageJ2's legacy layer (src/main-imagej2, src/test-imagej2) are not compiled: copy " +
			"../shared/vendor/imagej2-2.17.0/maven-repo/. into ~/.m2/repository, as .ci/run does, to build and run them");
		assertDoesNotThrow(() -> Class.forName("io.github.unetseg.imagej2.SegmentDatasetCommand", false, getClass().getClassLoader()),
			"the imagej2 profile adds src/main-imagej2");
	}
}
