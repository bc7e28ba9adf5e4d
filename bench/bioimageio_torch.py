"""Whole-image TorchScript reference and tile timing for bench/run.sh bioimageio (issue: bioimage.io, ONNX Runtime).

  whole PACKAGE IMAGE OUT.npy      the package's TorchScript weights in PyTorch on the whole image, with the package's
                                   preprocessing (zero_mean_unit_variance over x, y) and postprocessing (sigmoid): [y, x]
  time PACKAGE THREADS REPEATS     median ms of one 512^2 tile (the package's preprocessed test input) in PyTorch
  compare OURS.tif THEIRS.npy      largest |difference| between unetseg's tiled probabilities and the whole-image run

Runs with Debian's python3-torch (1.13) and numpy; reads PNG/TIFF with PIL.
"""
import statistics
import sys
import time

import numpy as np
import torch
from PIL import Image


def grey(path):
    a = np.asarray(Image.open(path))
    return (a[..., 0] if a.ndim == 3 else a).astype(np.float32)


def zmuv(x):
    return ((x - x.mean()) / (x.std() + 1e-6)).astype(np.float32)


def whole(package, image, out):
    m = torch.jit.load(package + "/weights.pt").eval()
    x = zmuv(grey(image))
    with torch.no_grad():
        p = torch.sigmoid(m(torch.from_numpy(x[None, None]))).numpy()[0, 0]
    np.save(out, p)
    print("pytorch %s whole image %s -> %s" % (torch.__version__, x.shape, out))


def timing(package, threads, repeats):
    torch.set_num_threads(threads)
    m = torch.jit.load(package + "/weights.pt").eval()
    x = np.load(package + "/test_input.npy").astype(np.float32)
    x = torch.from_numpy(zmuv(x))
    ms = []
    with torch.no_grad():
        for i in range(3 + repeats):
            t = time.perf_counter()
            m(x)
            if i >= 3:
                ms.append(1000 * (time.perf_counter() - t))
    print("pytorch %s torchscript 512x512 tile, %d threads: median %.1f ms (min %.1f, max %.1f, %d runs)"
          % (torch.__version__, threads, statistics.median(ms), min(ms), max(ms), repeats))


def compare(ours, theirs):
    a = np.asarray(Image.open(ours), dtype=np.float32)
    b = np.load(theirs)
    d = np.abs(a - b)
    print("%s vs whole image: largest difference %.3g, mean %.3g, %d of %d above 1e-5"
          % (ours, d.max(), d.mean(), int((d > 1e-5).sum()), d.size))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "whole":
        whole(*sys.argv[2:5])
    elif cmd == "time":
        timing(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3])
