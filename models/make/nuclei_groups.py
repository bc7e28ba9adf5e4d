#!/usr/bin/env python3
"""AP (TP/(TP+FP+FN)) at IoU 0.5 per held-out group, from the per-image rows of an
`unetseg evaluate --instances --output` CSV and the split.csv of nuclei_split.py.
Usage: nuclei_groups.py split.csv evaluate.csv"""
import csv
import sys

group = {r["id"]: r["group"] for r in csv.DictReader(open(sys.argv[1]))}
sums = {}
for r in csv.DictReader(open(sys.argv[2])):
    if r["image"] == "ALL" or r["threshold"] != "0.50":
        continue
    g = group[r["image"]]
    s = sums.setdefault(g, [0, 0, 0, 0])
    s[0] += int(r["tp"]); s[1] += int(r["fp"]); s[2] += int(r["fn"]); s[3] += 1
for g, (tp, fp, fn, n) in sorted(sums.items()):
    print("group %-12s %3d images: AP@0.5 %.4f (TP %d, FP %d, FN %d)" % (g, n, tp / max(1, tp + fp + fn), tp, fp, fn))
