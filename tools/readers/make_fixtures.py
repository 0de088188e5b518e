#!/usr/bin/env python3
"""Writes the small reader test fixtures in crates/dlr-image/tests/data/ and their expected values
(expected.json), computed by independent tools: pydicom 3 (pixel decoding, colour conversion),
Pillow (PNG/TIFF/JPEG decoding, convert("L")).
Run: tools/readers/setup.sh && tools/readers/.venv/bin/python tools/readers/make_fixtures.py"""
import io
import json
import os

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.pixels import convert_color_space
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian, DeflatedExplicitVRLittleEndian,
                         JPEGBaseline8Bit, SecondaryCaptureImageStorage, UltrasoundMultiFrameImageStorage,
                         generate_uid)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "dlr-image", "tests", "data")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261127)
expected = {}


def base(ts, sop=SecondaryCaptureImageStorage):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["dlr", str(len(expected))])
    meta.TransferSyntaxUID = ts
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "US"
    return ds


def save(ds, name, values, **extra):
    path = os.path.join(OUT, name)
    ds.save_as(path, enforce_file_format=True)
    # Re-read with pydicom: the expected values are what pydicom decodes from the written file.
    expected[name] = dict(values=[float(v) for v in np.asarray(values, dtype=np.float64).ravel()], **extra)
    return path


def mono(ds, arr, bits_alloc, bits_stored, signed, photometric="MONOCHROME2"):
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows, ds.Columns = arr.shape[-2:]
    ds.BitsAllocated = bits_alloc
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.PixelData = arr.tobytes()


# 1. MONOCHROME1, 12 of 16 bits, rescale, pixel spacing (row 0.5, col 0.25), explicit VR LE.
a = rng.integers(0, 4096, size=(3, 4), dtype=np.uint16)
ds = base(ExplicitVRLittleEndian)
mono(ds, a, 16, 12, False, "MONOCHROME1")
ds.RescaleSlope = "2"
ds.RescaleIntercept = "-1024"
ds.PixelSpacing = [0.5, 0.25]
p = save(ds, "mono1_rescale.dcm", [0])
px = pydicom.dcmread(p).pixel_array.astype(np.float64)
# MONOCHROME1 inverted within the stored range (4095 - v), then rescaled: what ITK/GDCM returns
# (the "itk" entry below, from SimpleITK, must agree; pydicom alone keeps the stored values).
expected["mono1_rescale.dcm"].update(values=list(((4095 - px) * 2 - 1024).ravel()), dims=[4, 3, 1],
                                      spacing=[0.25, 0.5, 1.0])

# 2. MONOCHROME2 signed 16-bit, implicit VR LE, rescale with non-integer slope, patient geometry.
a = rng.integers(-2000, 2000, size=(4, 5), dtype=np.int16)
ds = base(ImplicitVRLittleEndian)
mono(ds, a, 16, 16, True)
ds.RescaleSlope = "0.5"
ds.RescaleIntercept = "10"
ds.ImagePositionPatient = [-10.5, 20.0, 30.25]
ds.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
p = save(ds, "mono2_signed_implicit.dcm", [0])
d = pydicom.dcmread(p)
vals = pydicom.pixels.apply_modality_lut(d.pixel_array, d)
expected["mono2_signed_implicit.dcm"].update(values=[float(v) for v in vals.ravel()], dims=[5, 4, 1],
                                              origin=[-10.5, 20.0, 30.25],
                                              direction=[0, 0, -1, 1, 0, 0, 0, -1, 0])

# 3. Multi-frame 8-bit cine with Frame Time Vector and ultrasound region calibration; deflated.
a = rng.integers(0, 256, size=(5, 4, 6), dtype=np.uint8)
ds = base(DeflatedExplicitVRLittleEndian, UltrasoundMultiFrameImageStorage)
mono(ds, a, 8, 8, False)
ds.NumberOfFrames = 5
ds.FrameIncrementPointer = 0x00181065
ds.FrameTimeVector = [0, 33.3, 33.4, 33.3, 40]
reg = Dataset()
reg.RegionSpatialFormat = 1
reg.PhysicalUnitsXDirection = 3
reg.PhysicalUnitsYDirection = 3
reg.PhysicalDeltaX = 0.01
reg.PhysicalDeltaY = 0.02
ds.SequenceOfUltrasoundRegions = [reg]
p = save(ds, "cine_deflated.dcm", [0])
d = pydicom.dcmread(p)
expected["cine_deflated.dcm"].update(values=[float(v) for v in d.pixel_array.ravel()], dims=[6, 4, 5],
                                      spacing=[0.1, 0.2, 1.0], frame_times_ms=[0, 33.3, 66.7, 100.0, 140.0])

# 4. Multi-frame 16-bit with Frame Time, explicit VR LE.
a = rng.integers(0, 65536, size=(3, 2, 3), dtype=np.uint16)
ds = base(ExplicitVRLittleEndian, UltrasoundMultiFrameImageStorage)
mono(ds, a, 16, 16, False)
ds.NumberOfFrames = 3
ds.FrameTime = "50"
p = save(ds, "cine_frame_time.dcm", [0])
d = pydicom.dcmread(p)
expected["cine_frame_time.dcm"].update(values=[float(v) for v in d.pixel_array.ravel()], dims=[3, 2, 3],
                                        frame_times_ms=[0, 50, 100])


def colour(ds, raw, photometric, planar, rows, cols):
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = photometric
    ds.PlanarConfiguration = planar
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = raw


# 5. RGB interleaved and planar; expected luminance = 0.299 R + 0.587 G + 0.114 B of pydicom's RGB.
rgb = rng.integers(0, 256, size=(3, 4, 3), dtype=np.uint8)
for planar, name in [(0, "rgb.dcm"), (1, "rgb_planar.dcm")]:
    ds = base(ExplicitVRLittleEndian)
    raw = rgb.tobytes() if planar == 0 else np.ascontiguousarray(rgb.transpose(2, 0, 1)).tobytes()
    colour(ds, raw, "RGB", planar, 3, 4)
    p = save(ds, name, [0])
    arr = pydicom.dcmread(p).pixel_array.astype(np.float64)
    expected[name].update(values=list((arr @ np.array([0.299, 0.587, 0.114])).ravel()),
                          green=list(arr[..., 1].ravel()), dims=[4, 3, 1])

# 6. YBR_FULL_422 uncompressed (Y0 Y1 Cb Cr per pixel pair); expected = pydicom's RGB conversion.
rows, cols = 2, 4
ybr = bytearray()
for _ in range(rows * cols // 2):
    ybr += bytes([int(rng.integers(16, 240)), int(rng.integers(16, 240)), int(rng.integers(60, 200)), int(rng.integers(60, 200))])
ds = base(ExplicitVRLittleEndian)
colour(ds, bytes(ybr), "YBR_FULL_422", 0, rows, cols)
p = save(ds, "ybr_full_422.dcm", [0])
arr = pydicom.pixels.pixel_array(p, as_rgb=True).astype(np.float64)
expected["ybr_full_422.dcm"].update(red=list(arr[..., 0].ravel()), green=list(arr[..., 1].ravel()),
                                     blue=list(arr[..., 2].ravel()), dims=[4, 2, 1],
                                     values=list((arr @ np.array([0.299, 0.587, 0.114])).ravel()))

# 7. Grey stored as RGB (R = G = B): must read back exactly.
g = rng.integers(0, 256, size=(2, 3), dtype=np.uint8)
ds = base(ExplicitVRLittleEndian)
colour(ds, np.repeat(g[..., None], 3, axis=2).tobytes(), "RGB", 0, 2, 3)
save(ds, "grey_as_rgb.dcm", g.ravel(), dims=[3, 2, 1])

# 8. JPEG baseline, grey and YBR_FULL_422 colour, 2 frames each; expected = Pillow's decode.
smooth = (np.add.outer(np.arange(16), np.arange(24)) * 5).astype(np.uint8)
frames = [smooth, smooth[::-1].copy()]
ds = base(JPEGBaseline8Bit, UltrasoundMultiFrameImageStorage)
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.Rows, ds.Columns = 16, 24
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
ds.NumberOfFrames = 2
enc = []
for f in frames:
    b = io.BytesIO()
    Image.fromarray(f, "L").save(b, "JPEG", quality=90)
    enc.append(b.getvalue())
ds.PixelData = encapsulate(enc)
ds["PixelData"].VR = "OB"
ds["PixelData"].is_undefined_length = True
dec = [np.asarray(Image.open(io.BytesIO(e)).convert("L"), dtype=np.float64) for e in enc]
save(ds, "jpeg_grey.dcm", np.stack(dec), dims=[24, 16, 2])

col = np.stack([smooth, 255 - smooth, np.full_like(smooth, 90)], axis=2)
ds = base(JPEGBaseline8Bit)
ds.SamplesPerPixel = 3
ds.PhotometricInterpretation = "YBR_FULL_422"
ds.PlanarConfiguration = 0
ds.Rows, ds.Columns = 16, 24
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
b = io.BytesIO()
Image.fromarray(col, "RGB").save(b, "JPEG", quality=95)
ds.PixelData = encapsulate([b.getvalue()])
ds["PixelData"].VR = "OB"
ds["PixelData"].is_undefined_length = True
dec = np.asarray(Image.open(io.BytesIO(b.getvalue())).convert("RGB"), dtype=np.float64)
save(ds, "jpeg_ybr.dcm", dec[..., 1], dims=[24, 16, 1], note="green channel as decoded by Pillow")

# 9. Truncated: the RGB file cut in the middle of its pixel data.
whole = open(os.path.join(OUT, "rgb.dcm"), "rb").read()
open(os.path.join(OUT, "truncated.dcm"), "wb").write(whole[:-10])

# 10. Unsupported transfer syntax (JPEG 2000 claimed): must be refused clearly.
ds = base(ExplicitVRLittleEndian)
mono(ds, np.zeros((2, 2), np.uint8), 8, 8, False)
ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.90"
ds.PixelData = encapsulate([b"\x00" * 64])
ds["PixelData"].is_undefined_length = True
ds.save_as(os.path.join(OUT, "j2k_unsupported.dcm"), enforce_file_format=True)

# 11. 16-bit grey PNG, 16-bit grey TIFF, float32 TIFF, colour PNG (PIL "L" reference), RGBA PNG.
g16 = rng.integers(0, 65536, size=(5, 7), dtype=np.uint16)
Image.fromarray(g16).save(os.path.join(OUT, "grey16.png"))
expected["grey16.png"] = dict(values=[float(v) for v in np.asarray(Image.open(os.path.join(OUT, "grey16.png"))).ravel()], dims=[7, 5, 1])
Image.fromarray(g16).save(os.path.join(OUT, "grey16.tif"))
expected["grey16.tif"] = dict(values=[float(v) for v in np.asarray(Image.open(os.path.join(OUT, "grey16.tif"))).ravel()], dims=[7, 5, 1])
f32 = rng.normal(size=(3, 4)).astype(np.float32)
Image.fromarray(f32, "F").save(os.path.join(OUT, "float32.tif"))
expected["float32.tif"] = dict(values=[float(v) for v in np.asarray(Image.open(os.path.join(OUT, "float32.tif"))).ravel()], dims=[4, 3, 1])
c8 = rng.integers(0, 256, size=(4, 6, 3), dtype=np.uint8)
Image.fromarray(c8, "RGB").save(os.path.join(OUT, "colour.png"))
im = Image.open(os.path.join(OUT, "colour.png"))
expected["colour.png"] = dict(values=[float(v) for v in np.asarray(im.convert("L")).ravel()],
                              luminance=[float(v) for v in (np.asarray(im, np.float64) @ np.array([0.299, 0.587, 0.114])).ravel()],
                              blue=[float(v) for v in np.asarray(im)[..., 2].ravel()], dims=[6, 4, 1])
c8a = np.concatenate([c8, rng.integers(0, 256, size=(4, 6, 1), dtype=np.uint8)], axis=2)
Image.fromarray(c8a, "RGBA").save(os.path.join(OUT, "colour_alpha.png"))
expected["colour_alpha.png"] = dict(values=[float(v) for v in np.asarray(Image.open(os.path.join(OUT, "colour_alpha.png")).convert("RGB").convert("L")).ravel()], dims=[6, 4, 1])

# 12. NIfTI via nibabel: rotated sform + scl_slope (int16), NIfTI-2 float64 qform-only, big endian,
#     2D+t series. Expected geometry: nibabel's RAS affine converted to LPS (negate rows x, y).
import nibabel as nib


def nifti_case(name, arr, affine, klass=nib.Nifti1Image, dtype=None, slope=None, sform=True, qform=True,
               big_endian=False, zooms=None):
    img = klass(arr, affine)
    if dtype is not None:
        img.set_data_dtype(dtype)
    if not sform:
        img.set_sform(None, code=0)
        img.set_qform(affine, code=1)
    if not qform:
        img.set_qform(None, code=0)
    if slope is not None:
        img.header.set_slope_inter(*slope)
    if big_endian:
        img = klass(arr, affine, img.header.as_byteswapped(">"))
    path = os.path.join(OUT, name)
    nib.save(img, path)
    back = nib.load(path)
    data = np.asarray(back.dataobj, dtype=np.float64)  # applies scl_slope/inter
    aff = back.affine.copy()
    aff[:2] *= -1  # RAS -> LPS
    zooms = [float(z) for z in back.header.get_zooms()[:3]]
    spacing = np.sqrt((aff[:3, :3] ** 2).sum(axis=0))
    direction = aff[:3, :3] / spacing
    expected[name] = dict(values=[float(v) for v in data.ravel(order="F")], dims=list(data.shape[:2]) + [int(np.prod(data.shape[2:]))],
                          spacing=zooms, origin=[float(v) for v in aff[:3, 3]],
                          direction=[float(v) for v in direction.ravel()])


th = np.deg2rad(30)
rot = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
aff = np.eye(4)
aff[:3, :3] = rot @ np.diag([0.8, 0.9, 2.5])
aff[:3, 3] = [10.0, -20.0, 5.5]
nifti_case("sform_slope.nii.gz", rng.integers(-300, 300, size=(4, 3, 2)).astype(np.int16), aff,
           dtype=np.int16, slope=(0.5, -7.0), qform=False)
aff2 = np.diag([-1.5, 1.25, 3.0, 1.0])
aff2[:3, 3] = [1.0, 2.0, 3.0]
nifti_case("nifti2_f64.nii", rng.normal(size=(3, 2, 2)), aff2, klass=nib.Nifti2Image, dtype=np.float64, sform=False)
nifti_case("big_endian_u16.nii", rng.integers(0, 60000, size=(2, 3, 2)).astype(np.uint16), aff2, dtype=np.uint16,
           big_endian=True)
nifti_case("pair.hdr", rng.integers(-100, 100, size=(3, 2, 2)).astype(np.int16), aff, klass=nib.Nifti1Pair,
           dtype=np.int16, slope=(2.0, 1.0))
nifti_case("cine_2dt.nii.gz", rng.integers(0, 255, size=(3, 2, 1, 4)).astype(np.uint8), np.eye(4), dtype=np.uint8)

# 13. NRRD via pynrrd: detached header + raw big-endian data file, ASCII with RAS space.
import nrrd

a = rng.integers(-1000, 1000, size=(3, 4, 2)).astype(np.int32)
hdr = {"type": "int32", "endian": "big", "encoding": "raw", "space": "left-posterior-superior",
       "space directions": np.diag([0.5, 0.6, 1.5]), "space origin": np.array([1.0, 2.0, 3.0])}
nrrd.write(os.path.join(OUT, "detached.nhdr"), a, hdr, detached_header=True)
back, h = nrrd.read(os.path.join(OUT, "detached.nhdr"))
expected["detached.nhdr"] = dict(values=[float(v) for v in back.ravel(order="F")], dims=list(back.shape),
                                 spacing=[0.5, 0.6, 1.5], origin=[1.0, 2.0, 3.0])
a = rng.integers(0, 50, size=(2, 3)).astype(np.uint8)
hdr = {"type": "uint8", "encoding": "ascii", "space": "right-anterior-superior",
       "space directions": np.array([[1.0, 0, 0], [0, 2.0, 0]]), "space origin": np.array([4.0, 5.0, 6.0])}
# pynrrd writes a 2-D image in 3-D space; space dimension 3.
nrrd.write(os.path.join(OUT, "ascii_ras.nrrd"), a, hdr)
back, h = nrrd.read(os.path.join(OUT, "ascii_ras.nrrd"))
expected["ascii_ras.nrrd"] = dict(values=[float(v) for v in back.ravel(order="F")], dims=list(back.shape) + [1],
                                  spacing=[1.0, 2.0, 1.0], origin=[-4.0, -5.0, 6.0])

# 14. Explicit VR big endian DICOM (retired transfer syntax, still met in old archives).
from pydicom.uid import ExplicitVRBigEndian
a = rng.integers(0, 4000, size=(2, 3), dtype=np.uint16)
ds = base(ExplicitVRBigEndian)
mono(ds, a.byteswap(), 16, 16, False)
ds.PixelSpacing = [0.7, 0.3]
p = os.path.join(OUT, "big_endian.dcm")
ds.save_as(p, enforce_file_format=True, little_endian=False, implicit_vr=False)
d = pydicom.dcmread(p)
expected["big_endian.dcm"] = dict(values=[float(v) for v in d.pixel_array.ravel()], dims=[3, 2, 1], spacing=[0.3, 0.7, 1.0])

# 15. RLE Lossless (pydicom's own encoder): 16-bit signed multi-frame with runs, and 8-bit RGB.
from pydicom.uid import RLELossless
a = rng.integers(-500, 500, size=(3, 5, 6), dtype=np.int16)
a[:, 1, :] = 77  # runs
ds = base(ExplicitVRLittleEndian, UltrasoundMultiFrameImageStorage)
mono(ds, a, 16, 16, True)
ds.NumberOfFrames = 3
ds.compress(RLELossless, a, generate_instance_uid=False)
p = save(ds, "rle_mono16.dcm", [0])
expected["rle_mono16.dcm"].update(values=[float(v) for v in pydicom.dcmread(p).pixel_array.ravel()], dims=[6, 5, 3])
rgb = rng.integers(0, 256, size=(4, 5, 3), dtype=np.uint8)
rgb[2] = [10, 20, 30]
ds = base(ExplicitVRLittleEndian)
colour(ds, rgb.tobytes(), "RGB", 0, 4, 5)
ds.compress(RLELossless, rgb, generate_instance_uid=False)
p = save(ds, "rle_rgb.dcm", [0])
arr = pydicom.dcmread(p).pixel_array
expected["rle_rgb.dcm"].update(values=[float(v) for v in arr[..., 2].ravel()], dims=[5, 4, 1])

# 16. NIfTI with neither qform nor sform (method 1).
m1 = nib.Nifti1Image(rng.integers(0, 9, size=(2, 3, 2)).astype(np.int16), np.diag([1.5, 2.0, 3.0, 1.0]))
m1.set_sform(None, code=0)
m1.set_qform(None, code=0)
nib.save(m1, os.path.join(OUT, "method1.nii"))
expected["method1.nii"] = dict(values=[float(v) for v in np.asarray(nib.load(os.path.join(OUT, "method1.nii")).dataobj).ravel(order="F")],
                               dims=[2, 3, 2])

# 16b. A CT-like series of 4 single-frame slices, coronal orientation (normal +y), file names not
#      in slice order, per-slice rescale intercepts.
from pydicom.uid import CTImageStorage
sdir = os.path.join(OUT, "series_ct")
os.makedirs(sdir, exist_ok=True)
series_uid = generate_uid(entropy_srcs=["dlr-series"])
ys = [10.0, 12.5, 15.0, 17.5]
names = ["c.dcm", "a.dcm", "d.dcm", "b.dcm"]
vols = []
for k, (y, name) in enumerate(zip(ys, names)):
    a = rng.integers(0, 3000, size=(2, 3), dtype=np.uint16)
    ds = base(ExplicitVRLittleEndian, CTImageStorage)
    ds.Modality = "CT"
    ds.SeriesInstanceUID = series_uid
    ds.InstanceNumber = k + 1
    mono(ds, a, 16, 12, False)
    ds.RescaleSlope = "1"
    ds.RescaleIntercept = str(-1024 - 10 * k)
    ds.PixelSpacing = [0.8, 0.7]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 0, -1]
    ds.ImagePositionPatient = [-5.0, y, 20.0]
    ds.save_as(os.path.join(sdir, name), enforce_file_format=True)
    vols.append(a.astype(np.float64) - 1024 - 10 * k)
expected["series_ct"] = dict(values=[float(v) for v in np.stack(vols).ravel()], dims=[3, 2, 4],
                             spacing=[0.7, 0.8, 2.5], origin=[-5.0, 10.0, 20.0],
                             direction=[1, 0, 0, 0, 0, 1, 0, -1, 0])

# 16c. PALETTE COLOR (Doppler-style overlays): 8-bit indices, 16-bit 200-entry LUTs starting at 10.
a = rng.integers(0, 256, size=(3, 4), dtype=np.uint8)
ds = base(ExplicitVRLittleEndian)
mono(ds, a, 8, 8, False, "PALETTE COLOR")
for c, kw in enumerate(["Red", "Green", "Blue"]):
    setattr(ds, f"{kw}PaletteColorLookupTableDescriptor", [200, 10, 16])
    setattr(ds, f"{kw}PaletteColorLookupTableData", rng.integers(0, 65536, size=200, dtype=np.uint16).tobytes())
p = save(ds, "palette.dcm", [0])
d = pydicom.dcmread(p)
rgbp = pydicom.pixels.apply_color_lut(d.pixel_array, d).astype(np.float64)
expected["palette.dcm"].update(values=list((rgbp @ np.array([0.299, 0.587, 0.114])).ravel()),
                               green=list(rgbp[..., 1].ravel()), dims=[4, 3, 1])

# 17. Geometry as SimpleITK (ITK 5.4) reports it, for the files it reads: the "itk" entries.
try:
    import SimpleITK as sitk
except ImportError:
    sitk = None
if sitk is not None:
    for name in ["sform_slope.nii.gz", "big_endian_u16.nii", "method1.nii", "detached.nhdr", "pair.hdr",
                 "mono2_signed_implicit.dcm", "mono1_rescale.dcm", "big_endian.dcm"]:
        im = sitk.ReadImage(os.path.join(OUT, name))
        expected[name]["itk"] = dict(spacing=list(im.GetSpacing()), origin=list(im.GetOrigin()),
                                     direction=list(im.GetDirection()),
                                     values=[float(v) for v in sitk.GetArrayFromImage(im).ravel()])
    rd = sitk.ImageSeriesReader()
    rd.SetFileNames(rd.GetGDCMSeriesFileNames(sdir))
    im = rd.Execute()
    expected["series_ct"]["itk"] = dict(spacing=list(im.GetSpacing()), origin=list(im.GetOrigin()),
                                        direction=list(im.GetDirection()),
                                        values=[float(v) for v in sitk.GetArrayFromImage(im).ravel()])

# 18. BMP (8-bit palette grey and 24-bit colour), plain JPEG, 16-bit RGB PNG.
g8 = rng.integers(0, 256, size=(3, 5), dtype=np.uint8)
Image.fromarray(g8, "L").save(os.path.join(OUT, "grey.bmp"))
expected["grey.bmp"] = dict(values=[float(v) for v in np.asarray(Image.open(os.path.join(OUT, "grey.bmp")).convert("L")).ravel()], dims=[5, 3, 1])
cb = rng.integers(0, 256, size=(3, 5, 3), dtype=np.uint8)
Image.fromarray(cb, "RGB").save(os.path.join(OUT, "colour.bmp"))
im = Image.open(os.path.join(OUT, "colour.bmp"))
expected["colour.bmp"] = dict(values=[float(v) for v in np.asarray(im.convert("L")).ravel()], dims=[5, 3, 1])
Image.fromarray(smooth, "L").save(os.path.join(OUT, "grey.jpg"), quality=90)
expected["grey.jpg"] = dict(values=[float(v) for v in np.asarray(Image.open(os.path.join(OUT, "grey.jpg"))).ravel()], dims=[24, 16, 1])
c16 = rng.integers(0, 65536, size=(2, 3, 3), dtype=np.uint16)
# Pillow cannot write 16-bit RGB PNG: written by hand (PNG spec: IHDR bit depth 16, colour type 2,
# big-endian samples, filter byte 0 per row); expected values = the array written.
import struct
import zlib


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


h, w = c16.shape[:2]
raw = b"".join(b"\x00" + c16[r].astype(">u2").tobytes() for r in range(h))
with open(os.path.join(OUT, "rgb16.png"), "wb") as fh:
    fh.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
             + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))
expected["rgb16.png"] = dict(values=[float(v) for v in c16[..., 0].ravel()], dims=[3, 2, 1],
                             luminance=[float(v) for v in (c16.astype(np.float64) @ np.array([0.299, 0.587, 0.114])).ravel()])
# pynrrd stamps the write time into a comment: drop it so re-running leaves the fixtures unchanged.
for name in ["detached.nhdr", "ascii_ras.nrrd"]:
    path = os.path.join(OUT, name)
    lines = open(path, "rb").read().split(b"\n")
    open(path, "wb").write(b"\n".join(l for l in lines if not l.startswith(b"# on ")))

with open(os.path.join(OUT, "expected.json"), "w") as fh:
    json.dump(expected, fh, indent=0)
print("wrote", sorted(os.listdir(OUT)))
