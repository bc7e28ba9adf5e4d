#!/usr/bin/env python3
"""Issue 14, item 3: held-out organ Dice by the input's slice spacing.

The OpenKBP validation CTs come with slices 2.0, 2.5, 2.7, 3.0 or 3.27 mm apart; the model works at 2.5 mm
and resamples every other input to it and its labels back (linear, argmax of the resampled probabilities).
This groups an `unetseg evaluate` report (eval_hn_ct.sh writes OUT/test-report.csv) by the CT's slice spacing
from models/make/openkbp-split.csv and prints, per spacing, the patients and the mean Dice (and mean HD95 in
mm where defined) of each organ, so that a resampling fault shows as one spacing falling behind.

Usage: ct_by_spacing.py REPORT.csv [SPLIT.csv]
"""
import csv
import math
import os
import sys
from collections import defaultdict


def main(report, split):
    spacing = {}
    with open(split, newline="") as f:
        for row in csv.DictReader(f):
            spacing[row["image"]] = float(row["spacing_mm"].split()[2])
    dice = defaultdict(list)
    hd95 = defaultdict(list)
    patients = defaultdict(set)
    organs = []
    with open(report, newline="") as f:
        for row in csv.DictReader(f):
            image = row["image"]
            if image not in spacing:
                sys.exit(f"{report}: image {image} is not in {split}; give the split the report was made from")
            key = (spacing[image], row["class_name"])
            if row["class_name"] not in organs:
                organs.append(row["class_name"])
            patients[spacing[image]].add(image)
            dice[key].append(float(row["dice"]))
            h = float(row["hd95"]) if row["hd95"] not in ("", "NaN") else math.nan
            if math.isfinite(h):
                hd95[key].append(h)
    print("slices (mm) | CTs | " + " | ".join(organs) + " | mean")
    print(" | ".join(["---"] * (len(organs) + 3)))
    for s in sorted(patients):
        cells, means = [], []
        for organ in organs:
            d = dice.get((s, organ), [])
            if not d:
                cells.append("-")
                continue
            mean = sum(d) / len(d)
            means.append(mean)
            h = hd95.get((s, organ), [])
            cells.append(f"{mean:.3f}" + (f" / {sum(h) / len(h):.1f}" if h else "") + f" ({len(d)})")
        print(f"{s:g} | {len(patients[s])} | " + " | ".join(cells) + f" | {sum(means) / len(means):.3f}")
    print("cells: mean Dice / mean HD95 in mm (organs scored); mean: of the organs scored at that spacing")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else os.path.join(here, "openkbp-split.csv"))
