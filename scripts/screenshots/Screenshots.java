import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.io.File;

import javax.imageio.ImageIO;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;

/**
 * Screenshots of ImageJ 1's GUI with unetseg under a virtual display, for the documentation:
 * docs/segment-image-dialog.png (the Segment Image dialog) and docs/segment-image-result.png (the
 * label image with its lookup table next to the input). Run from the repository root:
 * xvfb-run -a -s "-screen 0 1280x900x24" java -cp "target/classes:target/lib/*" scripts/screenshots/Screenshots.java
 */
public class Screenshots {

	public static void main(String[] args) throws Exception {
		new File("docs").mkdirs();
		new ImageJ();
		ImagePlus imp = IJ.openImage("test-images/mri-t1-axial-z90.tif");
		imp.show();
		IJ.wait(500);
		Robot robot = new Robot();
		Thread shooter = new Thread(() -> {
			IJ.wait(2500);
			for (Window w : Window.getWindows())
				if (w instanceof GenericDialog gd && w.isShowing()) {
					save(robot, w.getBounds(), "docs/segment-image-dialog.png");
					gd.dispatchEvent(new java.awt.event.KeyEvent(gd, java.awt.event.KeyEvent.KEY_PRESSED, System.currentTimeMillis(), 0,
						java.awt.event.KeyEvent.VK_ENTER, '\n'));
				}
		});
		shooter.start();
		new io.github.unetseg.macro.SegmentImagePlugin().run("");
		shooter.join();
		IJ.wait(1500);
		ImagePlus labels = WindowManager.getCurrentImage();
		imp.getWindow().setLocation(20, 120);
		labels.getWindow().setLocation(20 + imp.getWindow().getWidth() + 10, 120);
		IJ.wait(1000);
		Rectangle a = imp.getWindow().getBounds(), b = labels.getWindow().getBounds();
		save(robot, a.union(b), "docs/segment-image-result.png");
		System.out.println("labels: " + labels.getTitle() + ", " + labels.getBitDepth() + "-bit, unit " + labels.getCalibration().getUnit());
		System.exit(0);
	}

	static void save(Robot robot, Rectangle r, String path) {
		try {
			BufferedImage img = robot.createScreenCapture(r);
			ImageIO.write(img, "png", new File(path));
			System.out.println("wrote " + path + " " + r.width + "x" + r.height);
		}
		catch (Exception e) {
			throw new RuntimeException(e);
		}
	}
}
