//! The MaZda 2D texture feature set with MaZda's feature names.
