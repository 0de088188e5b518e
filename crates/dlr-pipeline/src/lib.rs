//! The study pipeline: study.toml, feature extraction driver, selection and models, evaluation, model bundle and prediction.
