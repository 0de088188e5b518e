//! Readers on the small committed fixtures in `tests/data/`, made by
//! `tools/readers/make_fixtures.py`; expected values in `tests/data/expected.json` were decoded
//! by pydicom 3 / Pillow (independent of this crate), see the script for each case.

use dlr_image::{
    read_bytes, read_image, read_image_with, read_mask, ColourMode, Format, ImageError,
    MaskOptions, ReadOptions,
};
use serde_json::Value;
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn expected() -> Value {
    let text = std::fs::read_to_string(data("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key}"))
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn dims(v: &Value) -> [usize; 3] {
    let d = floats(v, "dims");
    [d[0] as usize, d[1] as usize, d[2] as usize]
}

/// Reads `name` with `opts` and compares dims and values with `expected.json[name][key]`.
fn check(name: &str, key: &str, opts: &ReadOptions, tol: f64) -> dlr_image::Image {
    let exp = expected();
    let e = &exp[name];
    let img = read_image_with(&data(name), opts).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert_eq!(img.dims(), dims(e), "{name} dims");
    let want = floats(e, key);
    assert_eq!(img.len(), want.len(), "{name}");
    for (i, (&got, &w)) in img.data().iter().zip(&want).enumerate() {
        assert!(
            (got as f64 - w).abs() <= tol,
            "{name}[{i}] ({key}): got {got}, expected {w} (tol {tol})"
        );
    }
    img
}

const DEF: ReadOptions = ReadOptions {
    colour: ColourMode::Luminance,
    frame: None,
};

#[test]
fn dicom_monochrome1_rescale_and_spacing() {
    let img = check("mono1_rescale.dcm", "values", &DEF, 0.0);
    assert_eq!(img.spacing, [0.25, 0.5, 1.0]);
    assert_eq!(img.meta.format.as_deref(), Some("dicom"));
    assert_eq!(img.meta.bits_stored, Some(12));
    assert!(img
        .meta
        .notes
        .iter()
        .any(|n| n.contains("MONOCHROME1 inverted")));
    assert!(img.meta.notes.iter().any(|n| n.contains("rescaled")));
}

#[test]
fn dicom_signed_implicit_with_patient_geometry() {
    let img = check("mono2_signed_implicit.dcm", "values", &DEF, 0.0);
    let e = &expected()["mono2_signed_implicit.dcm"];
    assert_eq!(img.origin.to_vec(), floats(e, "origin"));
    assert_eq!(img.direction.to_vec(), floats(e, "direction"));
}

#[test]
fn dicom_cine_frame_time_vector_deflated_us_regions() {
    let img = check("cine_deflated.dcm", "values", &DEF, 0.0);
    let e = &expected()["cine_deflated.dcm"];
    for (s, w) in img.spacing.iter().zip(floats(e, "spacing")) {
        assert!((s - w).abs() < 1e-12, "spacing {:?}", img.spacing);
    }
    let t = img.meta.frame_times_ms.clone().unwrap();
    for (a, b) in t.iter().zip(floats(e, "frame_times_ms")) {
        assert!((a - b).abs() < 1e-9, "{t:?}");
    }
    // One frame on request: equals slice z of the whole loop, with its time.
    let one = read_image_with(
        &data("cine_deflated.dcm"),
        &ReadOptions {
            frame: Some(3),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(one.dims(), [6, 4, 1]);
    assert_eq!(one.data(), img.slice_z(3).unwrap().data());
    assert_eq!(one.meta.frame_times_ms, Some(vec![t[3]]));
    let bad = read_image_with(
        &data("cine_deflated.dcm"),
        &ReadOptions {
            frame: Some(5),
            ..Default::default()
        },
    );
    assert!(matches!(bad, Err(ImageError::Invalid(_))));
}

#[test]
fn dicom_cine_frame_time() {
    let img = check("cine_frame_time.dcm", "values", &DEF, 0.0);
    assert_eq!(img.meta.frame_times_ms, Some(vec![0.0, 50.0, 100.0]));
}

#[test]
fn dicom_rgb_interleaved_planar_and_channel() {
    check("rgb.dcm", "values", &DEF, 1e-4);
    check("rgb_planar.dcm", "values", &DEF, 1e-4);
    let g = ReadOptions {
        colour: ColourMode::Channel(1),
        frame: None,
    };
    check("rgb.dcm", "green", &g, 0.0);
    check("rgb_planar.dcm", "green", &g, 0.0);
}

#[test]
fn dicom_ybr_full_422_matches_pydicom_rgb() {
    for (k, key) in ["red", "green", "blue"].iter().enumerate() {
        let o = ReadOptions {
            colour: ColourMode::Channel(k),
            frame: None,
        };
        check("ybr_full_422.dcm", key, &o, 0.0);
    }
    check("ybr_full_422.dcm", "values", &DEF, 1e-4);
}

#[test]
fn dicom_grey_stored_as_rgb_is_exact() {
    let img = check("grey_as_rgb.dcm", "values", &DEF, 0.0);
    assert!(img
        .meta
        .notes
        .iter()
        .any(|n| n.contains("grey stored as RGB")));
}

#[test]
fn dicom_jpeg_baseline_within_decoder_rounding() {
    // Different JPEG decoders (Pillow's libjpeg vs zune-jpeg) may differ by a few grey levels
    // (IDCT and chroma upsampling); 3 levels bound it on these smooth images.
    let img = check("jpeg_grey.dcm", "values", &DEF, 3.0);
    assert_eq!(img.dims()[2], 2);
    let g = ReadOptions {
        colour: ColourMode::Channel(1),
        frame: None,
    };
    check("jpeg_ybr.dcm", "values", &g, 3.0);
}

#[test]
fn dicom_truncated_and_unsupported_fail_clearly() {
    let e = read_image(&data("truncated.dcm")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("truncated.dcm") && msg.contains("truncated"),
        "{msg}"
    );
    let e = read_image(&data("j2k_unsupported.dcm")).unwrap_err();
    assert!(matches!(e, ImageError::Unsupported { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("JPEG 2000")
            && msg.contains("j2k_unsupported.dcm")
            && msg.contains("gdcmconv"),
        "{msg}"
    );
}

#[test]
fn png_tiff_16bit_float_and_colour() {
    let img = check("grey16.png", "values", &DEF, 0.0);
    assert_eq!(img.meta.bits_stored, Some(16));
    check("grey16.tif", "values", &DEF, 0.0);
    // serde_json's default float parsing is not always correctly rounded: allow 1 ulp-ish.
    check("float32.tif", "values", &DEF, 1e-6);
    // PIL convert("L") exactly, unrounded BT.601, one channel.
    let rounded = ReadOptions {
        colour: ColourMode::LuminanceRounded,
        frame: None,
    };
    check("colour.png", "values", &rounded, 0.0);
    check("colour.png", "luminance", &DEF, 1e-4);
    let blue = ReadOptions {
        colour: ColourMode::Channel(2),
        frame: None,
    };
    check("colour.png", "blue", &blue, 0.0);
    let img = check("colour_alpha.png", "values", &rounded, 0.0);
    assert!(img
        .meta
        .notes
        .iter()
        .any(|n| n.contains("alpha channel ignored")));
    let bad = ReadOptions {
        colour: ColourMode::Channel(3),
        frame: None,
    };
    assert!(read_image_with(&data("colour.png"), &bad).is_err());
}

#[test]
fn masks_from_labels_and_colour() {
    // The 16-bit PNG as a "label map": label 0 is absent with overwhelming probability; the mask
    // of a present value has exactly as many voxels as that value occurs.
    let img = read_image(&data("grey16.png")).unwrap();
    let v = img.data()[3];
    let n = img.data().iter().filter(|&&x| x == v).count();
    let m = read_mask(
        &data("grey16.png"),
        &MaskOptions {
            label: Some(v as u32),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(m.count(), n);
    let all = read_mask(&data("grey16.png"), &MaskOptions::default()).unwrap();
    assert_eq!(
        all.count(),
        img.data().iter().filter(|&&x| x != 0.0).count()
    );
    let nifti = dlr_image::read_labels(&data("float32.tif"));
    assert!(nifti.is_err(), "float data are not a label map");
}

#[test]
fn read_bytes_matches_read_image_and_wrong_extension_is_tolerated() {
    let bytes = std::fs::read(data("rgb.dcm")).unwrap();
    let a = read_bytes(&bytes, Format::Dicom).unwrap();
    let b = read_image(&data("rgb.dcm")).unwrap();
    assert_eq!(a.data(), b.data());
    // A PNG handed over as "DICOM": magic bytes win.
    let png = std::fs::read(data("grey16.png")).unwrap();
    assert_eq!(read_bytes(&png, Format::Dicom).unwrap().dims(), [7, 5, 1]);
}

#[test]
fn nifti_and_nrrd_round_trip_synthetic_headers() {
    // NRRD big-endian raw float with RAS space, written by hand per the NRRD spec.
    let mut f = b"NRRD0004\ntype: double\ndimension: 3\nspace: right-anterior-superior\nsizes: 2 1 2\nspace directions: (2,0,0) (0,3,0) (0,0,4)\nspace origin: (1,2,3)\nendian: big\nencoding: raw\n\n".to_vec();
    for v in [1.5f64, -2.0, 3.25, 1e6] {
        f.extend_from_slice(&v.to_be_bytes());
    }
    let img = read_bytes(&f, Format::Nrrd).unwrap();
    assert_eq!(img.data(), &[1.5, -2.0, 3.25, 1e6]);
    assert_eq!(img.spacing, [2.0, 3.0, 4.0]);
    assert_eq!(img.origin, [-1.0, -2.0, 3.0]);
    assert_eq!(&img.direction[..5], &[-1.0, 0.0, 0.0, 0.0, -1.0]);
    // ASCII encoding
    let t = b"NRRD0001\ntype: short\ndimension: 2\nsizes: 3 1\nspacings: 0.5 0.5\nencoding: ascii\n\n-1 2\n 3\n";
    let img = read_bytes(t, Format::Nrrd).unwrap();
    assert_eq!(img.data(), &[-1.0, 2.0, 3.0]);
    assert_eq!(img.spacing, [0.5, 0.5, 1.0]);
}

fn check_geometry(img: &dlr_image::Image, name: &str, tol: f64) {
    let e = &expected()[name];
    for key in ["spacing", "origin", "direction"] {
        if e.get(key).is_none() {
            continue;
        }
        let got: Vec<f64> = match key {
            "spacing" => img.spacing.to_vec(),
            "origin" => img.origin.to_vec(),
            _ => img.direction.to_vec(),
        };
        for (g, w) in got.iter().zip(floats(e, key)) {
            assert!(
                (g - w).abs() <= tol,
                "{name} {key}: got {got:?}, expected {w}"
            );
        }
    }
}

#[test]
fn nifti_variants_match_nibabel() {
    // Values from nibabel (scl_slope applied), geometry = nibabel's affine in LPS.
    let img = check("sform_slope.nii.gz", "values", &DEF, 1e-4);
    check_geometry(&img, "sform_slope.nii.gz", 1e-5);
    assert!(img.meta.notes.iter().any(|n| n.contains("sform")));
    let img = check("nifti2_f64.nii", "values", &DEF, 1e-6);
    check_geometry(&img, "nifti2_f64.nii", 1e-6);
    assert!(img.meta.notes.iter().any(|n| n.contains("NIfTI-2")));
    let img = check("big_endian_u16.nii", "values", &DEF, 0.0);
    check_geometry(&img, "big_endian_u16.nii", 1e-6);
    // 2D+t: 4 frames stacked along z; one frame on request.
    let img = check("cine_2dt.nii.gz", "values", &DEF, 0.0);
    let f2 = read_image_with(
        &data("cine_2dt.nii.gz"),
        &ReadOptions {
            frame: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(f2.data(), img.slice_z(2).unwrap().data());
}

#[test]
fn nrrd_detached_and_ascii_match_pynrrd() {
    let img = check("detached.nhdr", "values", &DEF, 0.0);
    check_geometry(&img, "detached.nhdr", 1e-12);
    let img = check("ascii_ras.nrrd", "values", &DEF, 0.0);
    check_geometry(&img, "ascii_ras.nrrd", 1e-12);
    // Detached data cannot be found from memory: clear error, no panic.
    let hdr = std::fs::read(data("detached.nhdr")).unwrap();
    assert!(matches!(
        read_bytes(&hdr, Format::Nrrd),
        Err(ImageError::Unsupported { .. })
    ));
}

#[test]
fn dicom_explicit_big_endian() {
    let img = check("big_endian.dcm", "values", &DEF, 0.0);
    check_geometry(&img, "big_endian.dcm", 1e-12);
}

#[test]
fn dicom_rle_lossless_matches_pydicom() {
    let img = check("rle_mono16.dcm", "values", &DEF, 0.0);
    assert!(img.meta.notes.iter().any(|n| n.contains("RLE")));
    let b = ReadOptions {
        colour: ColourMode::Channel(2),
        frame: None,
    };
    check("rle_rgb.dcm", "values", &b, 0.0);
}

#[test]
fn geometry_and_values_agree_with_simpleitk() {
    // `itk` entries: spacing, origin, direction and voxels as SimpleITK 2.5 (ITK 5.4) reads the
    // same files — the convention this crate promises (PyRadiomics reads through SimpleITK).
    let exp = expected();
    let mut n = 0;
    for (name, e) in exp.as_object().unwrap() {
        let Some(itk) = e.get("itk") else { continue };
        n += 1;
        let img = read_image(&data(name)).unwrap();
        let pairs = [
            ("spacing", img.spacing.to_vec()),
            ("origin", img.origin.to_vec()),
            ("direction", img.direction.to_vec()),
        ];
        for (key, got) in pairs {
            for (g, w) in got.iter().zip(floats(itk, key)) {
                assert!((g - w).abs() < 1e-5, "{name} {key}: {got:?} vs ITK {w}");
            }
        }
        let want = floats(itk, "values");
        assert_eq!(want.len(), img.len(), "{name}");
        for (g, w) in img.data().iter().zip(&want) {
            assert!((*g as f64 - w).abs() < 1e-4, "{name}: {g} vs ITK {w}");
        }
    }
    assert!(n >= 9, "expected.json has {n} ITK entries");
}

#[test]
fn dicom_series_folder_ordered_by_position() {
    // File names are not in slice order; positions run along +y (coronal slices).
    let img = check("series_ct", "values", &DEF, 0.0);
    check_geometry(&img, "series_ct", 1e-9);
    assert!(img.meta.notes.iter().any(|n| n.contains("4 slices")));
    let s2 = read_image_with(
        &data("series_ct"),
        &ReadOptions {
            frame: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(s2.data(), img.slice_z(2).unwrap().data());
    // A missing slice (a.dcm, the 2nd position) leaves a gap: clear error, not a silent spacing.
    let tmp = tempfile::tempdir().unwrap();
    for name in ["b.dcm", "c.dcm", "d.dcm"] {
        std::fs::copy(data("series_ct").join(name), tmp.path().join(name)).unwrap();
    }
    std::fs::write(tmp.path().join("notes.txt"), b"not DICOM, skipped").unwrap();
    let e = dlr_image::read_dicom_series(tmp.path(), &DEF)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not uniform"), "{e}");
    // A multi-frame file does not belong in a series folder.
    std::fs::copy(data("cine_frame_time.dcm"), tmp.path().join("x.dcm")).unwrap();
    assert!(read_image(tmp.path()).is_err());
    let empty = tempfile::tempdir().unwrap();
    assert!(read_image(empty.path())
        .unwrap_err()
        .to_string()
        .contains("no DICOM files"));
}

#[test]
fn dicom_palette_colour_matches_pydicom_lut() {
    // pydicom.pixels.apply_color_lut: indices below the first mapped value take entry 0, above
    // the table the last entry.
    check("palette.dcm", "values", &DEF, 0.02);
    let g = ReadOptions {
        colour: ColourMode::Channel(1),
        frame: None,
    };
    check("palette.dcm", "green", &g, 0.0);
}

#[test]
fn nifti_hdr_img_pair() {
    // nibabel Nifti1Pair (magic ni1, vox_offset 0, data in pair.img); also in the ITK cross-check.
    let img = check("pair.hdr", "values", &DEF, 1e-4);
    check_geometry(&img, "pair.hdr", 1e-5);
    let hdr = std::fs::read(data("pair.hdr")).unwrap();
    assert!(matches!(
        read_bytes(&hdr, Format::Nifti),
        Err(ImageError::Unsupported { .. })
    ));
}

#[test]
fn bmp_jpeg_and_16bit_rgb_png() {
    // Pillow's decode (BMP: convert("L") of a palette/24-bit file; colour BMP via PIL "L").
    check("grey.bmp", "values", &DEF, 0.0);
    let rounded = ReadOptions {
        colour: ColourMode::LuminanceRounded,
        frame: None,
    };
    check("colour.bmp", "values", &rounded, 0.0);
    // libjpeg (Pillow) vs zune-jpeg: a few grey levels on this smooth image.
    check("grey.jpg", "values", &DEF, 3.0);
    let red = ReadOptions {
        colour: ColourMode::Channel(0),
        frame: None,
    };
    let img = check("rgb16.png", "values", &red, 0.0);
    assert_eq!(img.meta.bits_stored, Some(16));
    check("rgb16.png", "luminance", &DEF, 0.02);
}

#[test]
fn dicom_compressed_syntaxes_are_refused_naming_syntax_and_way_out() {
    // Real files written by GDCM / pydicom (tools/readers/make_compressed_fixtures.py).
    let exp: Value =
        serde_json::from_str(&std::fs::read_to_string(data("compressed_expected.json")).unwrap())
            .unwrap();
    let cases = [
        ("jpeg_lossless_sv1.dcm", "process 14, SV1", "dcmdjpeg"),
        ("jpegls_lossless.dcm", "JPEG-LS lossless", "dcmdjpls"),
        ("j2k_lossless.dcm", "JPEG 2000 lossless", "gdcmconv --raw"),
    ];
    for (name, syntax, tool) in cases {
        let uid = exp[name]["transfer_syntax"].as_str().unwrap();
        assert_eq!(exp[name]["values"].as_array().unwrap().len(), 64 * 64);
        let e = read_image(&data(name)).unwrap_err();
        assert!(matches!(e, ImageError::Unsupported { .. }), "{e}");
        let msg = e.to_string();
        for part in [name, uid, syntax, tool, "gdcmconv --raw"] {
            assert!(msg.contains(part), "{name}: {part:?} missing in {msg}");
        }
    }
    // The other JPEG family syntaxes, claimed by rewriting the 22-character UID of a fixture.
    let bytes = std::fs::read(data("jpeg_lossless_sv1.dcm")).unwrap();
    let at = bytes
        .windows(22)
        .position(|w| w == b"1.2.840.10008.1.2.4.70")
        .unwrap();
    for (uid, syntax, tool) in [
        ("1.2.840.10008.1.2.4.51", "JPEG extended", "dcmdjpeg"),
        ("1.2.840.10008.1.2.4.57", "JPEG lossless", "dcmdjpeg"),
        (
            "1.2.840.10008.1.2.4.81",
            "JPEG-LS near-lossless",
            "dcmdjpls",
        ),
        ("1.2.840.10008.1.2.4.91", "JPEG 2000", "gdcmconv --raw"),
        ("1.2.840.10008.1.2.4.99", "unknown", "gdcmconv --raw"),
    ] {
        let mut b = bytes.clone();
        b[at..at + 22].copy_from_slice(uid.as_bytes());
        let e = dlr_image::read_bytes(&b, dlr_image::Format::Dicom).unwrap_err();
        assert!(matches!(e, ImageError::Unsupported { .. }), "{e}");
        let msg = e.to_string();
        for part in [uid, syntax, tool] {
            assert!(msg.contains(part), "{uid}: {part:?} missing in {msg}");
        }
    }
}
