//! Study model: manifest and clinical tables, validation, and the simulated CEUS cohort.
