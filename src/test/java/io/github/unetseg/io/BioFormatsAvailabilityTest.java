package io.github.unetseg.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Says whether the tests against the real Bio-Formats ran. They live in {@code src/test-bioformats/java}
 * (they import {@code loci.formats}, which is not on Maven Central) and compile only under the
 * {@code bioformats} Maven profile, which switches itself on when Bio-Formats 8.0.0 is in the local Maven
 * repository. Without it this test is reported as skipped, with the reason and the fix.
 */
class BioFormatsAvailabilityTest {

	@Test
	void realBioFormatsTestsAreCompiledWhenBioFormatsIsThere() {
		Assumptions.assumeTrue(BioFormatsReader.available(), "Bio-Formats 8.0.0 is not in the local Maven repository, so RealBioFormatsTest " +
			"(src/test-bioformats) is not compiled: copy ../shared/vendor/bioformats-8.0.0/maven-repo/ome into ~/.m2/repository/ome, as " +
			".ci/run does, to run it");
		assertDoesNotThrow(() -> Class.forName("io.github.unetseg.io.RealBioFormatsTest"), "the bioformats profile adds src/test-bioformats");
	}
}
