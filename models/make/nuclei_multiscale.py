#!/usr/bin/python3
"""Issue 13, session 13: a multi-scale copy of a training folder (SRC/images, SRC/labels): every image and its
instance labels linked as they are, plus one copy shrunk by a factor drawn log-uniformly from [LOW, HIGH] (seed 42;
image bilinear with Pillow's antialiasing, labels nearest neighbour), so that training sees nuclei as small as a
held-out group's. Uses Debian's Pillow: /usr/bin/python3 models/make/nuclei_multiscale.py SRC DST 0.45 0.85"""
import os, sys, random, math, glob
from PIL import Image
src, dst, lo, hi = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rng = random.Random(42)
for sub in ("images", "labels"): os.makedirs(f"{dst}/{sub}", exist_ok=True)
for f in sorted(glob.glob(f"{src}/images/*")):
    name = os.path.basename(f); stem = os.path.splitext(name)[0]
    for sub, ff in (("images", f), ("labels", f"{src}/labels/{name}")):
        link = f"{dst}/{sub}/{name}"
        if not os.path.exists(link): os.symlink(os.path.realpath(ff), link)
    s = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    im = Image.open(f); lab = Image.open(f"{src}/labels/{name}")
    size = (max(1, round(im.size[0] * s)), max(1, round(im.size[1] * s)))
    im.resize(size, Image.BILINEAR).save(f"{dst}/images/{stem}-s{s:.2f}.png")
    lab.resize(size, Image.NEAREST).save(f"{dst}/labels/{stem}-s{s:.2f}.png")
