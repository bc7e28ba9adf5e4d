#!/usr/bin/env python3
"""This machine's single-precision matrix-multiply peak (numpy/OpenBLAS sgemm), the yardstick of the
'useful GFLOP/s' figures. bench/run.sh calls it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for
this command only (the machine notes explain why they are set and why they slow a current numpy)."""
import time

import numpy as np

best = 0.0
for n in (2048, 4096):
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    a @ b
    for _ in range(3):
        t0 = time.perf_counter()
        a @ b
        best = max(best, 2.0 * n ** 3 / (time.perf_counter() - t0) / 1e9)
print("matmul peak (numpy %s float32): %.1f GFLOP/s" % (np.__version__, best))
