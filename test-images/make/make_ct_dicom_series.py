#!/usr/bin/python3
"""Writes test-images/dicom-hn-ct/: a CT DICOM series made from the OpenKBP test CT
(test-images/openkbp-pt4-ct.nii.gz, Hounsfield units, array axes anterior -> posterior, the patient's
right -> left, head -> feet), for the test that the head-and-neck model keeps left and right apart in
DICOM's patient coordinates (LPS: +x towards the patient's left, +y posterior, +z towards the head).
A crop around the parotids and the mandible: 96 x 96 pixels of 3.906 mm (array axis 0 from 16, axis 1
from 16) and the 48 slices 20..67 of axis 2 (2.5 mm apart); axial slices with rows running anterior ->
posterior and columns the patient's right -> left (ImageOrientationPatient 1\\0\\0\\0\\1\\0), slice
positions decreasing from head to feet, signed 16-bit stored values with RescaleSlope 1 and
RescaleIntercept -1024, files and instance numbers in the order of the slices (as scanners write them, so that
ImageJ's File > Import > Image Sequence opens them in order).
Uses Debian's python3-pydicom and numpy: /usr/bin/python3 test-images/make/make_ct_dicom_series.py
"""
import gzip
import os
import struct

import numpy as np
from pydicom.uid import generate_uid

from dicom_slices import write_slice

here = os.path.dirname(os.path.abspath(__file__))
raw = gzip.open(os.path.join(here, "..", "openkbp-pt4-ct.nii.gz")).read()
dims = struct.unpack("<8h", raw[40:56])
assert struct.unpack("<h", raw[70:72])[0] == 4, "int16 expected"
offset = int(struct.unpack("<f", raw[108:112])[0])
pix = struct.unpack("<8f", raw[76:108])
n0, n1, n2 = dims[1], dims[2], dims[3]
# NIfTI: axis 0 fastest; numpy index [axis2, axis1, axis0]
vol = np.frombuffer(raw[offset:offset + 2 * n0 * n1 * n2], dtype="<i2").reshape(n2, n1, n0)
a0, a1, size, k0, slices = 16, 16, 96, 20, 48
dx, dz = float(pix[1]), float(pix[3])
out = os.environ.get("OUT", os.path.join(here, "..", "dicom-hn-ct"))
os.makedirs(out, exist_ok=True)
series, study, frame = generate_uid(), generate_uid(), generate_uid()
names = list(range(slices))
for i in range(slices):
    k = k0 + i
    # rows = axis 0 (anterior -> posterior = +y), columns = axis 1 (right -> left = +x)
    plane = vol[k, a1:a1 + size, a0:a0 + size].T.astype(np.int32)
    stored = (plane + 1024).astype(np.int16)
    write_slice(os.path.join(out, "CT%04d.dcm" % names[i]), stored, (study, series, frame), ("OpenKBP^pt4", "unetseg-test-ct"),
                names[i] + 1, (0.0, 0.0, -dz * i), dx, dz, 1, -1024)
print("wrote %d slices to %s" % (slices, out))
