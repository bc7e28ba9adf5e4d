package io.github.unetseg.guard;

/**
 * Which Java unetseg needs, and the one message it gives on an older one (Fiji's Java 8 distribution).
 * Compiled for Java 8 (class-file version 52), like the rest of this package, so that an old Fiji can load
 * it and say so instead of failing with {@code UnsupportedClassVersionError}.
 */
public final class JavaVersion {

	/** The oldest Java unetseg runs on. */
	public static final int REQUIRED = 17;

	/**
	 * Overrides the running Java's version (e.g. {@code 1.8.0_322}) to test the guard on Java 17; not for users.
	 */
	public static final String TEST_PROPERTY = "unetseg.guard.javaVersion";

	private JavaVersion() {}

	/**
	 * @param version a {@code java.version} string: {@code 1.8.0_322}, {@code 11.0.2}, {@code 17}, {@code 21-ea}
	 * @return its feature release: 8, 11, 17, 21; 0 if it cannot be read
	 */
	public static int feature(String version) {
		if (version == null) return 0;
		String v = version.startsWith("1.") ? version.substring(2) : version;
		int end = 0;
		while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
		try {
			return Integer.parseInt(v.substring(0, end));
		}
		catch (NumberFormatException e) {
			return 0;
		}
	}

	/** @return the running Java's version string ({@link #TEST_PROPERTY} if set) */
	public static String running() {
		String forced = System.getProperty(TEST_PROPERTY);
		return forced != null && !forced.isEmpty() ? forced : System.getProperty("java.version");
	}

	/** @return whether the running Java is {@link #REQUIRED} or newer (an unreadable version counts as new enough) */
	public static boolean supported() {
		int f = feature(running());
		return f == 0 || f >= REQUIRED;
	}

	/**
	 * @param version the running Java's version
	 * @return the message shown instead of unetseg's commands: what is wrong and which Fiji to install
	 */
	public static String message(String version) {
		return "unetseg needs Java " + REQUIRED + " or newer, but this Fiji runs Java " + version + ". Fix: install the current Fiji " +
			"(https://fiji.sc, the download that bundles Java 21; on Fiji's Java 8 distribution run Help > Update... and switch to " +
			"\"Fiji (Java 21)\" if offered) and add unetseg to it. Nothing of unetseg has run.";
	}
}
