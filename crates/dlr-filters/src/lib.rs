//! Image filters for radiomics: LoG, undecimated wavelets, IBSI-2 mean/Laws/Gabor filters.
//!
//! [`pyradiomics_log`] and [`pyradiomics_wavelet`] reproduce PyRadiomics 3.1's own filters
//! (SimpleITK's recursive-Gaussian LoG, `_swt3` wavelets) on an ROI box only.
//!
//! Every filter takes an [`Image`](dlr_image::Image) (2D or 3D, f32) and returns a response map
//! on the same grid, computed in f64 with one of the IBSI 2 [`BoundaryMode`]s. To filter only
//! around an ROI, crop first with [`crop_with_margin`] using a margin at least the filter's
//! half-width (e.g. [`log_margin_voxels`]): the response inside the ROI is then identical to the
//! full-image response.
//!
//! ```
//! use dlr_image::Image;
//! use dlr_filters::{laplacian_of_gaussian, LogOptions};
//! let img = Image::new_2d((0..32 * 32).map(|i| (i % 32) as f32).collect(), 32, 32).unwrap();
//! let log = laplacian_of_gaussian(&img, 2.0, &LogOptions::default()).unwrap();
//! assert_eq!(log.dims(), img.dims());
//! ```

mod boundary;
mod error;
mod filters;
mod gabor;
mod kernels;
mod pyradiomics;

pub use boundary::BoundaryMode;
pub use error::{FilterError, Result};
pub use filters::{
    crop_with_margin, laplacian_of_gaussian, laws, log_margin_voxels, mean_filter, wavelet_band,
    wavelet_undecimated, FilterDims, LawsOptions, LogOptions, LogScale, Pooling, WaveletOptions,
};
pub use gabor::{gabor, GaborOptions};
pub use kernels::Wavelet;
pub use pyradiomics::{
    log_iir_margin, log_name, log_skip_reason, pyradiomics_log, pyradiomics_wavelet,
    pyradiomics_wavelet_names, wavelet_name, BoxResponse, VoxelBox,
};
