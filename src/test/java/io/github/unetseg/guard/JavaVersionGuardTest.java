package io.github.unetseg.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleService;

/**
 * The Java version guard: its classes (and the SciJava service an old Fiji loads at start-up) are Java 8
 * class files, so Fiji's Java 8 distribution can load them; on such a Java (simulated with
 * {@link JavaVersion#TEST_PROPERTY}, no Java 8 runs here) every unetseg menu command is replaced by one that
 * shows the message naming the Java and the Fiji to install; on Java 17 nothing changes.
 */
class JavaVersionGuardTest {

	@Test
	void guardClassesAreJava8ClassFiles() throws IOException {
		for (Class<?> c : List.of(JavaVersion.class, JavaVersionGuard.class, JavaTooOldCommand.class, Launcher.class,
			io.github.unetseg.command.SegmenterService.class))
			assertEquals(52, majorVersion(c), c.getName() + " must load on Java 8");
		assertEquals(61, majorVersion(io.github.unetseg.command.SegmentImageCommand.class), "the rest is Java 17");
	}

	@Test
	void readsJavaVersionsAndNamesTheFijiToInstall() {
		assertEquals(8, JavaVersion.feature("1.8.0_322"));
		assertEquals(11, JavaVersion.feature("11.0.2"));
		assertEquals(17, JavaVersion.feature("17"));
		assertEquals(21, JavaVersion.feature("21-ea"));
		assertEquals(0, JavaVersion.feature("unknown"));
		String m = JavaVersion.message("1.8.0_322");
		assertTrue(m.startsWith("unetseg needs Java 17 or newer, but this Fiji runs Java 1.8.0_322. Fix: install the current Fiji " +
			"(https://fiji.sc, the download that bundles Java 21"), m);
		assertTrue(JavaVersion.supported(), "this test runs on Java " + System.getProperty("java.version"));
	}

	@Test
	void onJava8EveryCommandIsReplacedByTheMessage() throws Exception {
		System.setProperty(JavaVersion.TEST_PROPERTY, "1.8.0_322");
		try (Context context = new Context()) {
			JavaVersionGuard guard = context.service(JavaVersionGuard.class);
			assertEquals(new TreeSet<>(List.of("Evaluate Segmentation...", "Export Model...", "Model Info...", "Segment Folder...",
				"Segment Image...", "Test Model...", "Train Model...")), guard.replaced().stream().filter(i -> i.getMenuPath() != null && !i
					.getMenuPath().isEmpty()).map(i -> i.getTitle()).collect(Collectors.toCollection(TreeSet::new)));
			// the module service is what the menus (SciJava's MenuService, ImageJ 1's through the legacy layer) are built from
			List<CommandInfo> ours = context.service(ModuleService.class).getModules().stream().filter(m -> m instanceof CommandInfo && m
				.getMenuPath() != null && m.getMenuPath().getMenuString().startsWith("Plugins > Segmentation > U-Net")).map(m -> (CommandInfo) m)
				.toList();
			assertEquals(7, ours.size());
			for (CommandInfo c : ours) assertEquals(JavaTooOldCommand.class.getName(), c.getDelegateClassName(), c.getTitle());
			CommandInfo segment = ours.stream().filter(c -> c.getTitle().equals("Segment Image...")).findFirst().orElseThrow();
			JavaTooOldCommand.shown = null;
			context.service(ModuleService.class).run(segment, true).get();
			assertEquals(JavaVersion.message("1.8.0_322"), JavaTooOldCommand.shown);
		}
		finally {
			System.clearProperty(JavaVersion.TEST_PROPERTY);
		}
	}

	@Test
	void onJava17NothingChanges() {
		try (Context context = new Context()) {
			assertTrue(context.service(JavaVersionGuard.class).replaced().isEmpty());
			CommandInfo segment = context.service(CommandService.class).getCommand(io.github.unetseg.command.SegmentImageCommand.class);
			assertEquals("Plugins > Segmentation > U-Net > Segment Image...", segment.getMenuPath().getMenuString());
			assertFalse(context.service(CommandService.class).getCommands().stream().anyMatch(c -> c.getDelegateClassName().equals(
				JavaTooOldCommand.class.getName())));
		}
	}

	private static int majorVersion(Class<?> c) throws IOException {
		try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class"); DataInputStream d = new DataInputStream(in)) {
			assertEquals(0xCAFEBABE, d.readInt());
			d.readUnsignedShort();
			return d.readUnsignedShort();
		}
	}
}
