#!/usr/bin/env python3
"""LogME (You et al., ICML 2021, Algorithm 1) in numpy, float64: the reference Graft's logMe is held to.

  python3 logme_reference.py FEATURES.csv    (one image per line: its label, then its features)

Prints the mean over classes of each one-vs-rest target's maximised log evidence per image. Written
from the paper's fixed-point updates, as the authors' code runs them: at most 11 rounds, stopping
once alpha / beta moves less than 1 %, with 1e-5 added to both sums of squares.
"""
import sys

import numpy as np


def log_me(features, labels):
    n, d = features.shape
    eigenvectors, eigenvalues, _ = np.linalg.svd(features.T @ features)  # F^T F = V diag(s) V^T
    evidences = []
    for target_class in range(labels.max() + 1):
        y = (labels == target_class).astype(np.float64)
        projected = eigenvectors.T @ (features.T @ y)
        alpha, beta = 1.0, 1.0
        ratio = alpha / beta
        for _ in range(11):
            gamma = (eigenvalues / (eigenvalues + ratio)).sum()
            weights = eigenvectors @ (projected * beta / (alpha + beta * eigenvalues))
            weight_norm = (weights ** 2).sum() + 1e-5
            residual = ((y - features @ weights) ** 2).sum() + 1e-5
            alpha, beta = gamma / weight_norm, (n - gamma) / residual
            if abs(alpha / beta - ratio) / ratio < 0.01:
                break
            ratio = alpha / beta
        evidence = (d / 2 * np.log(alpha) + n / 2 * np.log(beta) - 0.5 * np.log(alpha + beta * eigenvalues).sum()
                    - beta / 2 * residual - alpha / 2 * weight_norm - n / 2 * np.log(2 * np.pi))
        evidences.append(evidence / n)
    return float(np.mean(evidences))


if __name__ == '__main__':
    table = np.loadtxt(sys.argv[1], delimiter=',', ndmin=2)
    print(repr(log_me(table[:, 1:].astype(np.float64), table[:, 0].astype(np.int64))))
