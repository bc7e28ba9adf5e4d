# Writes test-images/npy/*.npy, the .npy fixtures of NpyTest (numpy 2.4.6 made the committed files):
#   python3 test-images/make/make_npy.py
import numpy as np
from pathlib import Path
out = Path(__file__).resolve().parent.parent / "npy"
out.mkdir(exist_ok=True)
np.save(out / "f4_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3) / 4 - 0.5)
np.save(out / "u1_4.npy", np.array([0, 1, 254, 255], dtype="|u1"))
np.save(out / "be_i2_2x2.npy", np.array([[-2, 300], [32767, -32768]], dtype=">i2"))
np.save(out / "u2_3.npy", np.array([0, 40000, 65535], dtype="<u2"))
np.save(out / "f8_2.npy", np.array([1.5, -1e300], dtype="<f8"))
np.save(out / "fortran_f4_2x3.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
with open(out / "v2_i4_3.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([-1, 0, 2**31 - 1], dtype="<i4"), version=(2, 0))
with open(out / "v3_f4_scalar.npy", "wb") as f:
    np.lib.format.write_array(f, np.array(3.25, dtype="<f4"), version=(3, 0))
