#!/usr/bin/env python3
"""Per-organ held-out scores of several CT evaluations side by side, as a Markdown table (issue 14's model card).

Each argument is LABEL=DIR, where DIR holds the test-report_summary.csv that `unetseg evaluate` writes
(eval_hn_ct.sh's OUT). A cell is the organ's mean Dice over the patients where it was contoured, then its mean
HD95 in mm where defined (patients whose prediction of the organ is empty have no HD95); the last column is the
mean of the per-organ mean Dice over all organs of the report (issue 14's target figure).

Usage: ct_summary_table.py LABEL=DIR [LABEL=DIR ...]
"""
import csv
import math
import os
import sys


def summary(folder):
    path = os.path.join(folder, "test-report_summary.csv")
    dice, hd95, organs = {}, {}, []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            organ = row["class_name"]
            if organ not in organs:
                organs.append(organ)
            if row["metric"] == "dice":
                dice[organ] = float(row["mean"])
            elif row["metric"] == "hd95":
                hd95[organ] = float(row["mean"]) if row["mean"] not in ("", "NaN") else math.nan
    return organs, dice, hd95


def main(args):
    runs = []
    for a in args:
        if "=" not in a:
            sys.exit(f"argument {a!r} is not LABEL=DIR\n" + __doc__)
        label, folder = a.split("=", 1)
        runs.append((label, summary(folder)))
    organs = runs[0][1][0]
    print("| | " + " | ".join(organs) + " | mean Dice |")
    print("| --- " * (len(organs) + 2) + "|")
    for label, (_, dice, hd95) in runs:
        cells = []
        for organ in organs:
            d, h = dice.get(organ, math.nan), hd95.get(organ, math.nan)
            cells.append(f"{d:.3f}" + (f" / {h:.1f}" if math.isfinite(h) else ""))
        mean = sum(dice.get(o, 0.0) for o in organs) / len(organs)
        print(f"| {label} | " + " | ".join(cells) + f" | **{mean:.3f}** |")
    print("cells: mean Dice / mean HD95 in mm")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
