package io.github.unetseg.image;

import java.util.Arrays;

/**
 * Physical calibration of the spatial axes of a {@link Volume}.
 *
 * <p>Axis order is ImgLib2's: {@code [x, y]} for 2D and {@code [x, y, z]} for 3D. The spacing is the
 * size of one voxel along each axis in {@link #unit()} (for example micrometres for microscopy,
 * millimetres for CT and MRI). The optional {@code affine} keeps a scanner orientation, as NIfTI's
 * sform/qform do, so that a mask written next to an image overlays it in radiology viewers.
 *
 * @param spacing voxel size per spatial axis, {@code [x, y(, z)]}, each finite and &gt; 0
 * @param unit name of the physical unit of {@code spacing}, for example {@code "mm"} or {@code "µm"};
 *     {@code "pixel"} when the image carries no calibration
 * @param affine optional 3 x 4 row-major voxel-index-to-world matrix (12 values, world in {@code unit}),
 *     or {@code null} when the source had none
 */
public record Calibration(double[] spacing, String unit, double[] affine) {

	/**
	 * Validates and defensively copies the arrays.
	 *
	 * @throws IllegalArgumentException if {@code spacing} does not have 2 or 3 finite positive values,
	 *     {@code unit} is null or blank, or {@code affine} is present but does not hold 12 finite values
	 */
	public Calibration {
		if (spacing == null || spacing.length < 2 || spacing.length > 3)
			throw new IllegalArgumentException("spacing must have 2 or 3 values (x, y[, z]), got " +
				(spacing == null ? "null" : Arrays.toString(spacing)));
		for (double s : spacing)
			if (!(s > 0) || Double.isInfinite(s))
				throw new IllegalArgumentException("spacing must be finite and > 0, got " + Arrays.toString(spacing));
		if (unit == null || unit.isBlank()) throw new IllegalArgumentException("unit must not be blank");
		if (affine != null) {
			if (affine.length != 12) throw new IllegalArgumentException("affine must have 12 values (3 x 4), got " + affine.length);
			for (double a : affine)
				if (!Double.isFinite(a)) throw new IllegalArgumentException("affine must be finite: " + Arrays.toString(affine));
		}
		spacing = spacing.clone();
		affine = affine == null ? null : affine.clone();
	}

	/**
	 * Calibration without physical information: spacing 1 pixel on every axis.
	 *
	 * @param spatialDims 2 or 3
	 * @return a calibration with unit {@code "pixel"}
	 */
	public static Calibration uncalibrated(int spatialDims) {
		double[] s = new double[spatialDims];
		Arrays.fill(s, 1);
		return new Calibration(s, "pixel", null);
	}

	/**
	 * Isotropic or anisotropic calibration without orientation.
	 *
	 * @param unit physical unit
	 * @param spacing voxel size per axis {@code [x, y(, z)]}
	 * @return the calibration
	 */
	public static Calibration of(String unit, double... spacing) {
		return new Calibration(spacing, unit, null);
	}

	/** @return 2 or 3, the number of spatial axes */
	public int spatialDims() {
		return spacing.length;
	}

	/** @return a copy of the voxel spacing {@code [x, y(, z)]} in {@link #unit()} */
	@Override
	public double[] spacing() {
		return spacing.clone();
	}

	/** @return a copy of the 3 x 4 affine, or {@code null} */
	@Override
	public double[] affine() {
		return affine == null ? null : affine.clone();
	}

	/**
	 * @param axis spatial axis index, 0 = x
	 * @return the spacing along that axis in {@link #unit()}
	 */
	public double spacing(int axis) {
		return spacing[axis];
	}

	/**
	 * One spelling per length unit, for comparing units: micrometres as {@code "um"} (µm, μm, micron,
	 * microns, micrometer, micrometre), no unit as {@code "pixel"} (empty, pixels, px); others in lower case.
	 *
	 * @param unit a unit as files and ImageJ write it, or {@code null}
	 * @return the canonical spelling
	 */
	public static String canonicalUnit(String unit) {
		String l = unit == null ? "pixel" : unit.trim().toLowerCase(java.util.Locale.ROOT);
		return switch (l) {
			case "\u00b5m", "\u03bcm", "um", "micron", "microns", "micrometer", "micrometre" -> "um";
			case "", "pixel", "pixels", "px" -> "pixel";
			default -> l;
		};
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof Calibration c && Arrays.equals(spacing, c.spacing) && unit.equals(c.unit) &&
			Arrays.equals(affine, c.affine);
	}

	@Override
	public int hashCode() {
		return 31 * (31 * Arrays.hashCode(spacing) + unit.hashCode()) + Arrays.hashCode(affine);
	}

	@Override
	public String toString() {
		return "Calibration" + Arrays.toString(spacing) + " " + unit;
	}
}
