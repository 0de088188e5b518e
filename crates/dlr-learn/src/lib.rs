//! Feature selection and models without leakage: ICC/U-test/correlation filters, LASSO-CV, RF, SVM, logistic regression, stacking, validation schemes.
