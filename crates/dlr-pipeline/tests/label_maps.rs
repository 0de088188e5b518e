//! Label-map masks are never merged silently: without a chosen label a mask with several
//! non-zero values is refused with the way out; with one, exactly that label is the ROI.

use dlr_pipeline::extract::load_roi;
use std::path::Path;

fn png(path: &Path, nx: u32, ny: u32, f: impl Fn(u32, u32) -> u8) {
    let pixels: Vec<u8> = (0..ny)
        .flat_map(|y| (0..nx).map(move |x| (x, y)))
        .map(|(x, y)| f(x, y))
        .collect();
    image::save_buffer(path, &pixels, nx, ny, image::ColorType::L8).unwrap();
}

#[test]
fn label_map_is_refused_without_a_label_and_split_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("us.png");
    let mask = dir.path().join("labels.png");
    png(&img, 20, 10, |x, y| (x * 7 + y * 3) as u8);
    // Label 1 on the left half (x < 10), label 2 on 5 columns of the right half.
    png(&mask, 20, 10, |x, _| match x {
        2..=9 => 1,
        12..=16 => 2,
        _ => 0,
    });
    let err = load_roi(&img, std::slice::from_ref(&mask), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("label map") && err.contains("1, 2"), "{err}");
    assert!(
        err.contains("roi_label") && err.contains("--label"),
        "{err}"
    );
    let (_, one) = load_roi(&img, std::slice::from_ref(&mask), Some(1)).unwrap();
    assert_eq!(one.count(), 8 * 10);
    let (_, two) = load_roi(&img, std::slice::from_ref(&mask), Some(2)).unwrap();
    assert_eq!(two.count(), 5 * 10);
    let err = load_roi(&img, std::slice::from_ref(&mask), Some(3))
        .unwrap_err()
        .to_string();
    assert!(err.contains("label 3 does not occur"), "{err}");
}

#[test]
fn a_binary_mask_of_any_foreground_value_needs_no_label() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("us.png");
    let mask = dir.path().join("mask.png");
    png(&img, 8, 8, |x, y| (x + y) as u8);
    png(&mask, 8, 8, |x, y| if x < 4 && y < 2 { 255 } else { 0 });
    let (_, roi) = load_roi(&img, std::slice::from_ref(&mask), None).unwrap();
    assert_eq!(roi.count(), 8);
}
