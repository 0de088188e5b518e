#!/usr/bin/env python3
"""Cross-check (not used by the tests directly): prints SimpleITK's spacing/origin/direction for the
reader fixtures and shared files, to confirm that dlr-image reports geometry in the ITK convention.
Needs `pip install SimpleITK` in tools/readers/.venv."""
import os
import sys
import SimpleITK as sitk

here = os.path.dirname(os.path.abspath(__file__))
D = os.path.join(here, "..", "..", "crates", "dlr-image", "tests", "data")
S = os.path.join(here, "..", "..", "..", "shared", "data")
files = [os.path.join(D, f) for f in ["sform_slope.nii.gz", "nifti2_f64.nii", "big_endian_u16.nii", "cine_2dt.nii.gz",
                                      "detached.nhdr", "ascii_ras.nrrd", "mono2_signed_implicit.dcm", "mono1_rescale.dcm",
                                      "cine_deflated.dcm"]]
files += [os.path.join(S, "ibsi/theibsi_data_sets/ibsi_1_digital_phantom/nifti/image/phantom.nii.gz"),
          os.path.join(S, "ibsi/theibsi_data_sets/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz"),
          os.path.join(S, "pyradiomics/prostate_phantom_subvolume.nrrd")]
files += sys.argv[1:]
for f in files:
    try:
        im = sitk.ReadImage(f)
        a = sitk.GetArrayViewFromImage(im)
        print(os.path.basename(f), im.GetSize(), "spacing", [round(v, 6) for v in im.GetSpacing()],
              "origin", [round(v, 6) for v in im.GetOrigin()], "direction", [round(v, 6) for v in im.GetDirection()],
              "first", float(a.ravel()[0]), "last", float(a.ravel()[-1]))
    except Exception as e:  # noqa: BLE001
        print(os.path.basename(f), "SimpleITK error:", str(e).splitlines()[0][:120])
