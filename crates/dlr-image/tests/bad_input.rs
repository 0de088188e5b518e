//! Corrupt, truncated and arbitrary bytes never panic any reader: they give an error (or, for
//! a harmless mutation, an image), and errors name the source.

use dlr_image::{read_bytes, read_image, Format};
use proptest::prelude::*;
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Valid seed files of every format (NIfTI and NRRD built in memory).
fn seeds() -> Vec<(Format, Vec<u8>)> {
    let mut v: Vec<(Format, Vec<u8>)> = [
        ("mono1_rescale.dcm", Format::Dicom),
        ("mono2_signed_implicit.dcm", Format::Dicom),
        ("cine_deflated.dcm", Format::Dicom),
        ("jpeg_grey.dcm", Format::Dicom),
        ("ybr_full_422.dcm", Format::Dicom),
        ("rle_mono16.dcm", Format::Dicom),
        ("rle_rgb.dcm", Format::Dicom),
        ("palette.dcm", Format::Dicom),
        ("grey16.png", Format::Png),
        ("colour.png", Format::Png),
        ("grey16.tif", Format::Tiff),
        ("float32.tif", Format::Tiff),
        ("grey.bmp", Format::Bmp),
        ("colour.bmp", Format::Bmp),
        ("grey.jpg", Format::Jpeg),
        ("rgb16.png", Format::Png),
    ]
    .iter()
    .map(|(n, f)| (*f, std::fs::read(data(n)).unwrap()))
    .collect();
    // Minimal NIfTI-1: 2x2x1 int16, qform identity.
    let mut n = vec![0u8; 352];
    n[0..4].copy_from_slice(&348i32.to_le_bytes());
    for (i, d) in [3i16, 2, 2, 1, 1, 1, 1, 1].iter().enumerate() {
        n[40 + 2 * i..42 + 2 * i].copy_from_slice(&d.to_le_bytes());
    }
    n[70..72].copy_from_slice(&4i16.to_le_bytes());
    n[72..74].copy_from_slice(&16i16.to_le_bytes());
    for i in 0..4 {
        n[76 + 4 * i..80 + 4 * i].copy_from_slice(&1f32.to_le_bytes());
    }
    n[108..112].copy_from_slice(&352f32.to_le_bytes());
    n[344..348].copy_from_slice(b"n+1\0");
    for v in [1i16, -2, 3, 4] {
        n.extend_from_slice(&v.to_le_bytes());
    }
    let img = read_bytes(&n, Format::Nifti).expect("seed NIfTI is valid");
    assert_eq!(img.data(), &[1.0, -2.0, 3.0, 4.0]);
    // qform_code = sform_code = 0 (NIfTI method 1): identity direction, as SimpleITK 2.5 reports.
    assert_eq!(img.direction, dlr_image::IDENTITY_DIRECTION);
    v.push((Format::Nifti, n.clone()));
    // Gzipped copy.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &n).unwrap();
    v.push((Format::Nifti, gz.finish().unwrap()));
    let mut r =
        b"NRRD0004\ntype: ushort\ndimension: 2\nsizes: 2 2\nencoding: raw\nendian: little\n\n"
            .to_vec();
    r.extend_from_slice(&[1, 0, 2, 0, 3, 0, 4, 0]);
    v.push((Format::Nrrd, r));
    let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut g, &[1u8, 0, 2, 0, 3, 0, 4, 0]).unwrap();
    let mut r = b"NRRD0004\ntype: ushort\ndimension: 2\nsizes: 2 2\nencoding: gzip\n\n".to_vec();
    r.extend_from_slice(&g.finish().unwrap());
    v.push((Format::Nrrd, r));
    v
}

#[test]
fn seeds_decode_and_every_truncation_fails_cleanly() {
    for (fmt, bytes) in seeds() {
        read_bytes(&bytes, fmt).unwrap_or_else(|e| panic!("seed {fmt}: {e}"));
        for cut in 0..bytes.len() {
            // Must not panic; truncated data must not silently succeed with the full size.
            if let Ok(img) = read_bytes(&bytes[..cut], fmt) {
                assert!(!img.is_empty());
            }
        }
    }
}

#[test]
fn huge_claimed_sizes_are_refused_without_allocating() {
    // NIfTI claiming 32767^3 voxels in a 352-byte file.
    let (_, mut n) = seeds()
        .into_iter()
        .find(|(f, b)| *f == Format::Nifti && b[0] != 0x1f)
        .unwrap();
    for i in 1..4 {
        n[40 + 2 * i..42 + 2 * i].copy_from_slice(&i16::MAX.to_le_bytes());
    }
    assert!(read_bytes(&n, Format::Nifti).is_err());
    let nrrd = b"NRRD0004\ntype: double\ndimension: 3\nsizes: 100000 100000 100000\nencoding: gzip\n\n\x1f\x8b";
    assert!(read_bytes(nrrd, Format::Nrrd).is_err());
    // Within the default ReadLimits (10^8 voxels), so the missing data are what is reported.
    let nrrd = b"NRRD0004\ntype: double\ndimension: 3\nsizes: 1000 1000 100\nencoding: raw\n\n1234";
    let e = read_bytes(nrrd, Format::Nrrd).unwrap_err().to_string();
    assert!(e.contains("truncated"), "{e}");
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "bad.png",
        "bad.jpg",
        "bad.dcm",
        "bad.nii",
        "bad.nii.gz",
        "bad.nrrd",
        "bad.tif",
        "bad.bmp",
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, b"this is not an image at all, not even close........").unwrap();
        let e = read_image(&p).unwrap_err().to_string();
        assert!(e.contains(name), "{name}: {e}");
    }
    let p = dir.path().join("missing.png");
    assert!(read_image(&p)
        .unwrap_err()
        .to_string()
        .contains("missing.png"));
    let p = dir.path().join("noext");
    std::fs::write(&p, b"plain text").unwrap();
    assert!(read_image(&p).unwrap_err().to_string().contains("noext"));
}

proptest! {
    #![proptest_config(dlr_testutil::proptest_config(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), k in 0usize..7) {
        let _ = read_bytes(&bytes, Format::ALL[k]);
    }

    #[test]
    fn mutated_seeds_never_panic(idx in 0usize..20, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let seeds = seeds();
        let (fmt, mut bytes) = seeds[idx % seeds.len()].clone();
        for (pos, val) in flips {
            let n = bytes.len();
            bytes[pos % n] = val;
        }
        let _ = read_bytes(&bytes, fmt);
    }
}
