//! `configs/mazda/default.toml` spells out exactly the documented defaults, and unknown keys fail.

use dlr_mazda::MazdaSettings;

#[test]
fn default_config_file_equals_default_settings() {
    let path = dlr_testutil::repo_root().join("configs/mazda/default.toml");
    let text = std::fs::read_to_string(&path).expect("configs/mazda/default.toml");
    let s: MazdaSettings = toml::from_str(&text).expect("parse default.toml");
    assert_eq!(s, MazdaSettings::default());
}

#[test]
fn unknown_keys_and_values_are_rejected() {
    assert!(toml::from_str::<MazdaSettings>("bits_per_pixle = 6").is_err());
    assert!(toml::from_str::<MazdaSettings>("normalisation = \"minmax\"").is_err());
    let s: MazdaSettings =
        toml::from_str("normalisation = \"sigma3\"\nbits_per_pixel = 8").unwrap();
    assert_eq!(s.bits_per_pixel, 8);
    assert_eq!(s.distances, vec![1, 2, 3, 4, 5]);
}
