#!/usr/bin/env python3
"""Prints independent reference values (pynrrd, nibabel) for the shared NRRD/NIfTI files used by
crates/dlr-image/tests/readers_shared.rs. Run: tools/readers/.venv/bin/python tools/readers/reference_values.py
The constants in the test were copied from this output."""
import os
import numpy as np
import nrrd
import nibabel as nib

S = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")
pts = [(0, 0, 0), (128, 128, 12), (100, 150, 5), (40, 100, 20), (255, 255, 24)]
for name in ["brain1_image", "brain1_label", "breast1_image", "prostate_phantom_subvolume"]:
    a, h = nrrd.read(os.path.join(S, "pyradiomics", name + ".nrrd"))  # index order x, y, z
    print(name, a.dtype, a.shape, "sum", float(a.astype(np.float64).sum()),
          "min", a.min(), "max", a.max(), "count==1", int((a == 1).sum()))
    print("  space", h.get("space"), "dirs", h["space directions"].tolist(), "origin", h["space origin"].tolist())
    for p in pts:
        if all(i < s for i, s in zip(p, a.shape)):
            print("  ", p, a[p])
for name in ["ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
             "ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz"]:
    img = nib.load(os.path.join(S, "ibsi", "theibsi_data_sets", name))
    a = np.asarray(img.dataobj, dtype=np.float64)
    print(name, img.get_data_dtype(), a.shape, img.header.get_zooms(), "sum", a.sum(), "min", a.min(), "max", a.max())
    print("  qform", int(img.header["qform_code"]), "sform", int(img.header["sform_code"]))
    print("  affine (RAS)", img.affine.tolist())
    for p in [(0, 0, 0), (100, 100, 30), (150, 60, 10), (203, 200, 59)]:
        print("  ", p, a[p])
