//! IBSI-1 radiomics feature families (2D/2.5D/3D) and the PyRadiomics-compatible preset.
