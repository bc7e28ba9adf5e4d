#!/usr/bin/env python3
"""Writes models/nuclei-fluo-2d/split.csv: the train/validation/test split of the fluorescence images of
../shared/data/dsb2018 for the nuclei-fluo-2d model (issue 13), and links the files into folders.

Rule (fixed before training): group the fluorescence images by (height, width, tercile of the mean
intensity among the fluorescence images); draw whole groups in a random order (seed 2018) into
"test-group" until at least 50 images from at least two size classes are held out. Then draw 50 of the
remaining images at random (seed 2018) into "test-random" (for comparison with StarDist's random 50-image
split), and 40 of the rest at random into "validation" (model selection). The rest is "train".

Usage: python3 models/make/nuclei_split.py ../shared/data/dsb2018 [link-folder]
With a link folder, creates <link-folder>/<split>/{images,labels}/<id>.png as symbolic links.
"""
import csv
import os
import random
import sys

data = sys.argv[1]
rows = [r for r in csv.DictReader(open(os.path.join(data, "index.csv"))) if r["modality"] == "fluorescence"]
means = sorted(float(r["mean_intensity"]) for r in rows)
cut1, cut2 = means[len(means) // 3], means[2 * len(means) // 3]


def tercile(r):
    m = float(r["mean_intensity"])
    return 0 if m < cut1 else 1 if m < cut2 else 2


groups = {}
for r in sorted(rows, key=lambda r: r["id"]):
    groups.setdefault((int(r["h"]), int(r["w"]), tercile(r)), []).append(r)
keys = sorted(groups)
rng = random.Random(2018)
rng.shuffle(keys)
split = {}
held, sizes = 0, set()
for k in keys:
    if held >= 50 and len(sizes) >= 2:
        break
    for r in groups[k]:
        split[r["id"]] = ("test-group", "%dx%d-t%d" % k)
    held += len(groups[k])
    sizes.add(k[:2])
rest = sorted(r["id"] for r in rows if r["id"] not in split)
rng = random.Random(2018)
rng.shuffle(rest)
group_of = {r["id"]: "%dx%d-t%d" % (int(r["h"]), int(r["w"]), tercile(r)) for r in rows}
for i, rid in enumerate(rest):
    split[rid] = ("test-random" if i < 50 else "validation" if i < 90 else "train", group_of[rid])
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nuclei-fluo-2d", "split.csv")
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "split", "group"])
    for rid in sorted(split):
        w.writerow([rid, split[rid][0], split[rid][1]])
counts = {}
for s, g in split.values():
    counts[s] = counts.get(s, 0) + 1
print("intensity terciles cut at", cut1, cut2, "; groups held out:", sorted({g for s, g in split.values() if s == "test-group"}))
print(counts)
if len(sys.argv) > 2:
    for rid, (s, g) in split.items():
        for kind in ("images", "labels"):
            d = os.path.join(sys.argv[2], s, kind)
            os.makedirs(d, exist_ok=True)
            link = os.path.join(d, rid + ".png")
            if not os.path.lexists(link):
                os.symlink(os.path.abspath(os.path.join(data, kind, rid + ".png")), link)
