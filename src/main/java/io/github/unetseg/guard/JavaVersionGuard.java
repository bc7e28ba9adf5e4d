package io.github.unetseg.guard;

import java.util.ArrayList;
import java.util.List;

import org.scijava.Priority;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.log.LogService;
import org.scijava.module.ModuleInfo;
import org.scijava.module.ModuleService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/**
 * On a Java older than {@link JavaVersion#REQUIRED} (Fiji's Java 8 distribution) replaces every unetseg
 * command in the menus by {@link JavaTooOldCommand}, which shows {@link JavaVersion#message} instead of
 * the {@code UnsupportedClassVersionError} the Java 17 classes would raise, and logs that message once at
 * start-up. On a current Java it does nothing.
 *
 * <p>Compiled for Java 8 (class-file version 52) and using only long-stable SciJava API. Its priority puts it
 * before the legacy layer, which builds ImageJ 1's menus from the module service. Replacing reads only the
 * plugin index (class names and menu paths); no Java 17 class is loaded.
 */
@Plugin(type = Service.class, priority = Priority.EXTREMELY_HIGH)
public class JavaVersionGuard extends AbstractService {

	@Parameter
	private ModuleService modules;

	/** Required so that the commands are registered with the module service before this guard looks at them. */
	@Parameter
	private CommandService commands;

	@Parameter(required = false)
	private LogService log;

	private final List<ModuleInfo> replaced = new ArrayList<ModuleInfo>();

	@Override
	public void initialize() {
		if (JavaVersion.supported()) return;
		List<ModuleInfo> ours = new ArrayList<ModuleInfo>(), stand = new ArrayList<ModuleInfo>();
		for (ModuleInfo info : modules.getModules()) {
			if (!(info instanceof CommandInfo)) continue;
			String cls = ((CommandInfo) info).getDelegateClassName();
			if (cls == null || !cls.startsWith("io.github.unetseg.") || cls.startsWith("io.github.unetseg.guard.")) continue;
			ours.add(info);
			if (info.getMenuPath() == null || info.getMenuPath().isEmpty()) continue;
			CommandInfo s = new CommandInfo(JavaTooOldCommand.class);
			s.setMenuPath(info.getMenuPath());
			s.setLabel(info.getLabel());
			stand.add(s);
		}
		modules.removeModules(ours);
		modules.addModules(stand);
		replaced.addAll(ours);
		if (log != null) log.warn(JavaVersion.message(JavaVersion.running()));
	}

	/** @return the unetseg commands this guard took out of the menus (empty on a current Java) */
	public List<ModuleInfo> replaced() {
		return new ArrayList<ModuleInfo>(replaced);
	}
}
