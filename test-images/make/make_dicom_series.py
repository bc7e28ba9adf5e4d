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
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

here = os.path.dirname(os.path.abspath(__file__))
raw = gzip.open(os.path.join(here, "..", "ch2.nii.gz")).read()
dims = struct.unpack("<8h", raw[40:56])
offset = int(struct.unpack("<f", raw[108:112])[0])
vol = np.frombuffer(raw[offset:offset + dims[1] * dims[2] * dims[3]], dtype=np.uint8).reshape(dims[3], dims[2], dims[1])
out = os.path.join(here, "..", "dicom-ct-series")
os.makedirs(out, exist_ok=True)
series, study, frame = generate_uid(), generate_uid(), generate_uid()
names = list(range(12))
random.Random(3).shuffle(names)
for i, k in enumerate(range(70, 94, 2)):
    plane = vol[k, 110:158, 60:124].astype(np.int16)  # rows = y, columns = x
    stored = ((plane.astype(np.int32) + 1024) // 2).astype(np.int16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientName, ds.PatientID = "CT", "Colin27^Test", "unetseg-test"
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.InstanceNumber = names[i] + 1
    ds.ImagePositionPatient = [0.0, 0.0, 2.0 * i]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.9, 0.9]
    ds.SliceThickness = 2.0
    ds.Rows, ds.Columns = stored.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = 2, -1024
    ds.PixelData = stored.tobytes()
    pydicom.dcmwrite(os.path.join(out, "IMG%04d.dcm" % names[i]), ds, write_like_original=False)
print("wrote 12 slices to", out)
