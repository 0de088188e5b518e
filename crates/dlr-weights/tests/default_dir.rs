//! `default_cache_dir` honours `$DLR_WEIGHTS_DIR`, else `~/.cache/dlr/weights` (own test binary,
//! so changing the environment races with no other test).

#[test]
fn default_cache_dir_follows_env() {
    std::env::set_var("DLR_WEIGHTS_DIR", "/tmp/dlr-weights-test-dir");
    assert_eq!(
        dlr_weights::default_cache_dir(),
        std::path::PathBuf::from("/tmp/dlr-weights-test-dir")
    );
    std::env::remove_var("DLR_WEIGHTS_DIR");
    std::env::set_var("HOME", "/home/someone");
    assert_eq!(
        dlr_weights::default_cache_dir(),
        std::path::PathBuf::from("/home/someone/.cache/dlr/weights")
    );
}
