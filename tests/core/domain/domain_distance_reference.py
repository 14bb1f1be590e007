"""Domain distances computed independently of Graft, for FeatureDistancesTest.cpp.

usage: /usr/bin/python3 domain_distance_reference.py INPUT.json

INPUT.json: {"a": [[...]], "b": [[...]], "l2": LAMBDA}. Prints JSON:
- mmd: the linear-kernel MMD^2 from the kernel matrices, mean(K_aa) + mean(K_bb) - 2 mean(K_ab);
- frechet: FID's formula with scipy.linalg.sqrtm(C_a C_b), as pytorch-fid computes it;
- proxy_error / proxy_distance: a linear domain classifier by scikit-learn (StandardScaler and
  LogisticRegression, C = 1 / (LAMBDA n) so its objective is Graft's mean log-loss plus
  LAMBDA / 2 |w|^2) trained on the even rows of each set and tested on the odd ones;
- coral: Deep CORAL's loss, |C_s - C_t|_F^2 / (4 d^2), with numpy.cov.
"""
import json
import sys

import numpy as np
from scipy import linalg
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    a = np.array(data["a"], dtype=np.float64)
    b = np.array(data["b"], dtype=np.float64)

    mmd = (a @ a.T).mean() + (b @ b.T).mean() - 2 * (a @ b.T).mean()

    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
    root = root.real
    frechet = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(root)

    train = np.vstack([a[0::2], b[0::2]])
    train_labels = np.r_[np.zeros(len(a[0::2])), np.ones(len(b[0::2]))]
    test = np.vstack([a[1::2], b[1::2]])
    test_labels = np.r_[np.zeros(len(a[1::2])), np.ones(len(b[1::2]))]
    scaler = StandardScaler().fit(train)
    classifier = LogisticRegression(C=1.0 / (data["l2"] * len(train)), tol=1e-10, max_iter=10000)
    classifier.fit(scaler.transform(train), train_labels)
    error = float((classifier.predict(scaler.transform(test)) != test_labels).mean())

    d = a.shape[1]
    coral = ((cov_a - cov_b) ** 2).sum() / (4 * d * d)

    print(json.dumps({"mmd": mmd, "frechet": frechet, "proxy_error": error, "proxy_distance": 2 * (1 - 2 * error),
                      "held_out": len(test), "coral": coral}))


main()
