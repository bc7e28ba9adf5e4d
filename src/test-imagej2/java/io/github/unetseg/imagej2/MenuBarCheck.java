package io.github.unetseg.imagej2;

import java.awt.Menu;
import java.awt.MenuBar;
import java.awt.MenuItem;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import net.imagej.ImageJ;
import net.imagej.patcher.LegacyInjector;

/**
 * Run by {@link DatasetAndMenuBarTest} under Xvfb: starts ImageJ2 with its user interface (the ImageJ 1
 * window and menu bar), prints every menu item under {@code Plugins > Segmentation > U-Net} as
 * {@code menu bar: Plugins>Segmentation>U-Net>Segment Image...}, then segments a nuclei image with an
 * instance model from a short macro line (the inputs it leaves out take their defaults, no dialog) with the
 * ROI Manager and the object table as outputs and prints
 * {@code instances: labelMax=N roiManager=N tableRows=N}.
 *
 * <p>Arguments: the nuclei image, the instance model folder.
 */
public final class MenuBarCheck {

	static {
		LegacyInjector.preinit();
	}

	private MenuBarCheck() {}

	public static void main(String[] args) throws Exception {
		ImageJ ij = new ImageJ();
		ij.ui().showUI();
		for (int i = 0; i < 100 && IJ.getInstance() == null; i++) Thread.sleep(100);
		MenuBar bar = IJ.getInstance().getMenuBar();
		for (int i = 0; i < bar.getMenuCount(); i++) print(bar.getMenu(i), bar.getMenu(i).getLabel());
		// a short macro line, as a user writes one or an older version recorded it: the inputs it leaves out take their
		// defaults (MacroDefaults) instead of opening the dialog, which would wait here for a click
		IJ.runMacro("open(\"" + args[0] + "\");\nrun(\"Segment Image...\", \"image=" + new java.io.File(args[0]).getName() +
			" model=[other folder] modelfolder=" + args[1] + " device=cpu rgb=luminance rois=both clearrois=true measure=true\");");
		ImagePlus labels = WindowManager.getImage(new java.io.File(args[0]).getName().replaceFirst("\\.[^.]+$", "") + "_labels");
		ResultsTable table = ResultsTable.getResultsTable("Objects of " + new java.io.File(args[0]).getName().replaceFirst("\\.[^.]+$", ""));
		int objects = labels == null ? -1 : (int) labels.getStatistics().max;
		System.out.println("instances: labelMax=" + objects + " roiManager=" + (RoiManager.getInstance() == null ? -1 : RoiManager
			.getInstance().getCount()) + " tableRows=" + (table == null ? -1 : table.size()));
		System.out.flush();
		System.exit(0);
	}

	private static void print(Menu menu, String path) {
		for (int j = 0; j < menu.getItemCount(); j++) {
			MenuItem m = menu.getItem(j);
			String p = path + ">" + m.getLabel();
			if (m instanceof Menu sub) print(sub, p);
			else if (p.startsWith("Plugins>Segmentation>U-Net>")) System.out.println("menu bar: " + p);
		}
	}
}
