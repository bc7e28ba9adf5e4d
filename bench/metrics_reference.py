#!/usr/bin/python3
"""SciPy reference for bench/run.sh metrics: Dice, HD, HD95, ASSD of the volumes MetricsBench wrote.

Follows MONAI's recipe (monai.metrics.utils.get_mask_edges / get_surface_distance): crop to the
bounding box of both masks, boundary = mask XOR binary_erosion(mask), distances from one boundary to
the other with scipy.ndimage.distance_transform_edt(~edges, sampling=spacing), HD95 = max of the two
directed 95th percentiles, ASSD = mean of both directed sets. Uses Debian's python3-scipy.
"""
import sys
import time

import numpy as np
from scipy import ndimage

X, Y, Z = 512, 512, 200
SPACING = (2.0, 0.8, 0.8)  # z, y, x


def metrics(a, b):
    dice = 2.0 * np.logical_and(a, b).sum() / (a.sum() + b.sum())
    union = np.logical_or(a, b)
    box = tuple(slice(idx.min(), idx.max() + 1) for idx in np.nonzero(union))
    a, b = a[box], b[box]
    ea = a ^ ndimage.binary_erosion(a)
    eb = b ^ ndimage.binary_erosion(b)
    dab = ndimage.distance_transform_edt(~eb, sampling=SPACING)[ea]
    dba = ndimage.distance_transform_edt(~ea, sampling=SPACING)[eb]
    hd = max(dab.max(), dba.max())
    hd95 = max(np.percentile(dab, 95), np.percentile(dba, 95))
    assd = np.concatenate([dab, dba]).mean()
    return dice, hd, hd95, assd


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
    a = np.fromfile(folder + "/a.raw", dtype=np.uint8).reshape(Z, Y, X).astype(bool)
    b = np.fromfile(folder + "/b.raw", dtype=np.uint8).reshape(Z, Y, X).astype(bool)
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        dice, hd, hd95, assd = metrics(a, b)
        best = min(best, time.perf_counter() - t0)
    print("scipy %s: dice %.6f hd %.6f hd95 %.6f assd %.6f  time %.3f s (best of 2)" % (
        __import__("scipy").__version__, dice, hd, hd95, assd, best))


if __name__ == "__main__":
    main()
