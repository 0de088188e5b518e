//! Evaluation statistics matching R: ROC/DeLong, cut-off metrics, calibration, DCA, ICC, group tests, Table 1.
