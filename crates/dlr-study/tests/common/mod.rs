//! Builders for small studies in a temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Writes an 8-bit grey PNG of `nx × ny` pixels.
pub fn write_png(path: &Path, nx: u32, ny: u32, pixels: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::save_buffer(path, pixels, nx, ny, image::ColorType::L8).unwrap();
}

/// A 32×32 image whose pixels depend on `seed` (distinct images for distinct seeds).
pub fn image_pixels(seed: u8) -> Vec<u8> {
    (0..32 * 32)
        .map(|i| ((i * 7 + seed as usize * 13) % 251) as u8)
        .collect()
}

/// A 32×32 mask with a `side × side` square of 255 at (8, 8).
pub fn square_mask(side: usize) -> Vec<u8> {
    let mut m = vec![0u8; 32 * 32];
    for y in 8..8 + side {
        for x in 8..8 + side {
            m[x + 32 * y] = 255;
        }
    }
    m
}

/// A clean two-patient, one-phase study with a clinical table:
/// `A` (outcome 1) and `B` (outcome 0), images `img/A.png`, masks `mask/A.png`.
pub struct MiniStudy {
    pub dir: tempfile::TempDir,
}

impl MiniStudy {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let s = Self { dir };
        for (k, p) in ["A", "B"].iter().enumerate() {
            write_png(
                &s.path(&format!("img/{p}.png")),
                32,
                32,
                &image_pixels(k as u8),
            );
            write_png(&s.path(&format!("mask/{p}.png")), 32, 32, &square_mask(10));
        }
        s.write(
            "manifest.csv",
            "patient_id,phase,image,mask\nA,US,img/A.png,mask/A.png\nB,US,img/B.png,mask/B.png\n",
        );
        s.write("clinical.csv", "patient_id,outcome,age\nA,1,60\nB,0,55\n");
        s
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    pub fn input(&self) -> dlr_study::StudyInput {
        let opts = dlr_study::ClinicalOptions::with_outcome("outcome");
        dlr_study::StudyInput::read(
            &self.path("manifest.csv"),
            &dlr_study::ManifestColumns::default(),
            Some((&self.path("clinical.csv"), &opts)),
        )
        .unwrap()
    }

    pub fn validate(&self) -> dlr_study::ValidationReport {
        dlr_study::validate(&self.input(), &dlr_study::ValidateOptions::default())
    }
}
