#!/usr/bin/env python3
"""Compressed-DICOM fixtures written by GDCM (through SimpleITK), and a multi-frame cine for the
dicom-rs comparison in bench/readers.

Fixtures (crates/dlr-image/tests/data/, a 64 x 64 uint16 image, 12 bits used): one file for each
of JPEG lossless SV1 (1.2.840.10008.1.2.4.70), written by GDCM, and JPEG-LS lossless (.80) and
JPEG 2000 lossless (.90), written by pydicom with the pyjpegls (CharLS) and pylibjpeg-openjpeg
plugins (SimpleITK's GDCM writer has no JPEG-LS compressor and crashed on JPEG 2000) — the syntaxes clinical ultrasound exports use that dlr-image refuses; the test checks the
refusal names the syntax and the way out. Their pixel values (decoded back by SimpleITK) are in
compressed_expected.json, so a future decoder can be tested against them.

Bench cine (written to the folder given with --bench, never into the repository): 8-bit
MONOCHROME2, 480 x 640, 120 frames, Frame Time 66.7 ms, explicit VR little endian and RLE.

Run: tools/readers/setup.sh && tools/readers/.venv/bin/pip install pyjpegls pylibjpeg pylibjpeg-openjpeg &&
     tools/readers/.venv/bin/python tools/readers/make_compressed_fixtures.py [--bench DIR]"""
import json
import os
import sys

import numpy as np
import pydicom
import SimpleITK as sitk
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, RLELossless, UltrasoundMultiFrameImageStorage, generate_uid

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "crates", "dlr-image", "tests", "data")
rng = np.random.default_rng(20261203)
arr = rng.integers(0, 4096, size=(64, 64), dtype=np.uint16)  # OpenJPEG refuses small images (24 x 32)
expected = {}
for name, compressor, ts in [
    ("jpeg_lossless_sv1.dcm", "JPEG", "1.2.840.10008.1.2.4.70"),
]:
    path = os.path.join(OUT, name)
    img = sitk.GetImageFromArray(arr)
    w = sitk.ImageFileWriter()
    w.SetFileName(path)
    w.SetImageIO("GDCMImageIO")
    w.UseCompressionOn()
    w.SetCompressor(compressor)
    w.Execute(img)
    got = pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID
    assert got == ts, (name, got, ts)
    back = sitk.GetArrayFromImage(sitk.ReadImage(path))
    assert np.array_equal(back.reshape(arr.shape), arr), name  # lossless
    expected[name] = dict(transfer_syntax=ts, dims=[64, 64, 1], values=[int(v) for v in back.ravel()])
def pydicom_compressed(name, ts):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = pydicom.uid.SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["dlr", name])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "US"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = arr.shape
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = arr.tobytes()
    ds.compress(ts)
    path = os.path.join(OUT, name)
    ds.save_as(path, enforce_file_format=True)
    back = pydicom.dcmread(path).pixel_array
    assert np.array_equal(back, arr), name  # lossless
    expected[name] = dict(transfer_syntax=str(ts), dims=[64, 64, 1], values=[int(v) for v in back.ravel()])


pydicom_compressed("jpegls_lossless.dcm", pydicom.uid.JPEGLSLossless)
pydicom_compressed("j2k_lossless.dcm", pydicom.uid.JPEG2000Lossless)
with open(os.path.join(OUT, "compressed_expected.json"), "w") as f:
    json.dump(expected, f)

if "--bench" in sys.argv:
    bench = sys.argv[sys.argv.index("--bench") + 1]
    os.makedirs(bench, exist_ok=True)
    frames = rng.integers(0, 256, size=(120, 480, 640), dtype=np.uint8)
    for ts, name in [(ExplicitVRLittleEndian, "cine_native.dcm"), (RLELossless, "cine_rle.dcm")]:
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = UltrasoundMultiFrameImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["dlr-bench", name])
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.Modality = "US"
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = 480, 640
        ds.NumberOfFrames = 120
        ds.FrameTime = "66.7"
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit = 7
        ds.PixelRepresentation = 0
        ds.PixelData = frames.tobytes()
        if ts == RLELossless:
            ds.compress(RLELossless)
        ds.save_as(os.path.join(bench, name), enforce_file_format=True)
        print("wrote", os.path.join(bench, name))
