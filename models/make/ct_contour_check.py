#!/usr/bin/env python3
"""Issue 14: do a CT and its organ contours agree? A data check of the prepared OpenKBP cases.

For every case of DATA/{train,select,test} (PrepareOpenKbp's output: CT in HU, labels 1-7) this prints the median HU
inside each organ's contour. Soft-tissue organs read about 0-60 HU (brainstem, spinal cord; the parotids, fattier,
-90-110 over the 202 good cases); the oesophagus and larynx hold air and the mandible is bone, so only the first four are checked: a case is
flagged where one of them (of at least 20 voxels) has its median outside -150..150 HU, i.e. the contour lies on bone
or air, which the CT and its contours cannot both be right about (the whole case is flagged: its CT and contours
do not match). A contour of any organ is also flagged where its volume is over 5 times that organ's median over all
cases (a spinal cord of 500 mL is another structure under the organ's name; the larynx, contoured to different
extents by different planners, spans 1-76 mL around a median of 22 and is not flagged). Flags are faults of the
data, not of a model: report held-out scores with and without them. Where REPORT (an `unetseg evaluate` report,
eval_hn_ct.sh's OUT/test-report.csv) is named, it also gives the mean of the per-organ mean Dice with and without
the flagged cases and contours.

Needs numpy. Usage: ct_contour_check.py DATA [REPORT.csv]
"""
import csv
import gzip
import math
import os
import struct
import sys

import numpy as np

NAMES = ["Brainstem", "SpinalCord", "RightParotid", "LeftParotid", "Esophagus", "Larynx", "Mandible"]
CHECKED = 4  # the soft-tissue organs (labels 1-4)
TYPES = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 64: np.float64, 256: np.int8, 512: np.uint16}


def read_nifti(path):
    """A NIfTI-1 file's voxels as [z, y, x] (its scale applied) and its voxel size (x, y, z) in mm: enough for
    PrepareOpenKbp's output."""
    b = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    spacing = struct.unpack("<3f", b[80:92])
    dims = struct.unpack("<8h", b[40:56])
    datatype = struct.unpack("<h", b[70:72])[0]
    offset = int(struct.unpack("<f", b[108:112])[0])
    slope, inter = struct.unpack("<2f", b[112:120])
    shape = dims[1:1 + dims[0]][::-1]
    t = np.dtype(TYPES[datatype])
    a = np.frombuffer(b[offset:offset + int(np.prod(shape)) * t.itemsize], t).reshape(shape).astype(np.float32)
    return (a * slope + inter if slope not in (0, 1) else a), spacing


def check(data):
    """Prints each case's median HU and volume (mL) per contour; returns the flagged cases and (case, organ) pairs."""
    rows = []
    for split in ("train", "select", "test"):
        folder = os.path.join(data, split, "images")
        for name in sorted(os.listdir(folder)):
            ct, spacing = read_nifti(os.path.join(folder, name))
            labels = read_nifti(os.path.join(data, split, "labels", name))[0]
            voxel_ml = float(np.prod(spacing)) / 1000
            counts = [int((labels == k).sum()) for k in range(1, 8)]
            medians = [float(np.median(ct[labels == k])) if counts[k - 1] >= 20 else math.nan for k in range(1, 8)]
            volumes = [c * voxel_ml if c >= 20 else math.nan for c in counts]
            case = name[:-7] if name.endswith(".nii.gz") else name.rsplit(".", 1)[0]
            rows.append((split, case, medians, volumes))
    typical = [float(np.median([r[3][k] for r in rows if not math.isnan(r[3][k])])) for k in range(7)]
    cases, contours = [], []
    for split, case, medians, volumes in rows:
        bad = [NAMES[k] + " on %.0f HU" % medians[k] for k in range(CHECKED) if not math.isnan(medians[k])
               and not -150 <= medians[k] <= 150]
        big = [k for k in range(7) if volumes[k] > 5 * typical[k]]
        if bad:
            cases.append(case)
        contours += [(case, NAMES[k]) for k in big]
        notes = bad + [NAMES[k] + " %.0f mL (median %.0f)" % (volumes[k], typical[k]) for k in big]
        print("%-6s %-26s %s%s" % (split, case, " ".join("%6.0f" % m for m in medians),
                                   "  FLAGGED: " + "; ".join(notes) if notes else ""))
    print("median HU per contour, columns " + " ".join(NAMES) + "; cases whose contours miss their CT: " +
          (", ".join(cases) or "none") + "; implausible contours: " +
          (", ".join("%s %s" % c for c in contours) or "none"))
    return cases, contours


def mean_dice(report, cases, contours):
    per = {}
    with open(report, newline="") as f:
        for row in csv.DictReader(f):
            if row["class"] == "0" or row["image"] in cases or (row["image"], row["class_name"]) in contours \
                    or row["dice"] == "":
                continue
            per.setdefault(row["class_name"], []).append(float(row["dice"]))
    return sum(sum(v) / len(v) for v in per.values()) / len(per), len(per)


def main(args):
    cases, contours = check(args[0])
    if len(args) > 1:
        for label, exclude in (("all cases", ((), ())), ("without the flagged", (cases, contours))):
            m, organs = mean_dice(args[1], *exclude)
            print("%s: mean of the per-organ mean Dice over %d organs %.4f" % (label, organs, m))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
