#!/usr/bin/env python3
"""Reference for dlr-deep's head training: scikit-learn LogisticRegression (lbfgs, L2) on the
breast-cancer data in ../shared/golden/data, standardised with StandardScaler (population sd).

sklearn minimises C·ΣCE + ½‖W‖², i.e. mean CE + λ/2‖W‖² with λ = 1/(C·n): the same objective as
HeadTrainer with weight_decay = λ. Binary: label `malignant`; three classes: malignant*2 +
(mean_radius > median) collapsed to 0..2 (an arbitrary but fixed multinomial problem).
Writes crates/dlr-deep/tests/fixtures/head_reference.json.
"""
import json, os
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
data = np.genfromtxt(os.path.join(REPO, "..", "shared", "golden", "data", "breast_cancer.csv"),
                     delimiter=",", names=True)
names = data.dtype.names
feats = [n for n in names if n not in ("target", "malignant")]
X = np.column_stack([data[n] for n in feats]).astype(np.float32).astype(np.float64)
yb = data["malignant"].astype(int)
y3 = np.minimum(yb * 2 + (data["mean_radius"] > np.median(data["mean_radius"])).astype(int), 2)
Z = StandardScaler().fit_transform(X)
n = len(yb)
out = {"generator": "tools/deep/make_head_fixture.py", "features": feats, "n": n}
for key, y, C in (("binary", yb, 0.1), ("three_class", y3, 0.1)):
    m = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(Z, y)
    P = m.predict_proba(Z)
    lam = 1.0 / (C * n)
    ce = -np.mean(np.log(P[np.arange(n), y]))
    obj = ce + 0.5 * lam * np.sum(m.coef_ ** 2)
    out[key] = {"C": C, "weight_decay": lam, "objective": obj, "coef": m.coef_.tolist(),
                "intercept": m.intercept_.tolist(), "proba_first10": P[:10].tolist(),
                "labels": y.tolist()}
    print(key, obj)
path = os.path.join(REPO, "crates", "dlr-deep", "tests", "fixtures", "head_reference.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path, os.path.getsize(path))
