//! Image filters for radiomics: LoG, undecimated wavelets, IBSI-2 mean/Laws/Gabor.
