#!/usr/bin/python3
"""Writes test-images/dicom-ct-series/: a small CT-style DICOM series made from the Colin 27 MRI
(test-images/ch2.nii.gz), for the DICOM series reader's tests. 12 axial slices of 64 x 48 pixels,
0.9 x 0.9 mm pixels, 2 mm apart (every second slice of k = 70..93), signed 16-bit stored values with
RescaleSlope 2 and RescaleIntercept -1024 (value = 2 * stored - 1024 = the MRI intensity), patient
positions along z, files named in shuffled order so that sorting by position is tested.
Uses Debian's python3-pydicom and numpy: /usr/bin/python3 test-images/make/make_dicom_series.py
"""
import gzip
import os
import random
import struct

import numpy as np
from pydicom.uid import generate_uid

from dicom_slices import write_slice

here = os.path.dirname(os.path.abspath(__file__))
raw = gzip.open(os.path.join(here, "..", "ch2.nii.gz")).read()
dims = struct.unpack("<8h", raw[40:56])
offset = int(struct.unpack("<f", raw[108:112])[0])
vol = np.frombuffer(raw[offset:offset + dims[1] * dims[2] * dims[3]], dtype=np.uint8).reshape(dims[3], dims[2], dims[1])
out = os.environ.get("OUT", os.path.join(here, "..", "dicom-ct-series"))
os.makedirs(out, exist_ok=True)
series, study, frame = generate_uid(), generate_uid(), generate_uid()
names = list(range(12))
random.Random(3).shuffle(names)
for i, k in enumerate(range(70, 94, 2)):
    plane = vol[k, 110:158, 60:124].astype(np.int16)  # rows = y, columns = x
    stored = ((plane.astype(np.int32) + 1024) // 2).astype(np.int16)
    write_slice(os.path.join(out, "IMG%04d.dcm" % names[i]), stored, (study, series, frame), ("Colin27^Test", "unetseg-test"),
                names[i] + 1, (0.0, 0.0, 2.0 * i), 0.9, 2.0, 2, -1024)
print("wrote 12 slices to", out)
