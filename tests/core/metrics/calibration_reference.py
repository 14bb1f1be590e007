"""Expected calibration error and temperature scaling, computed independently of Graft, for
CalibrationTest.cpp.

usage: /usr/bin/python3 calibration_reference.py LOGITS.csv

Each line of LOGITS.csv is label,logit_0,...,logit_K-1. Prints JSON: the ECE over 15 equal-width
bins (Guo et al. 2017, as their reference code bins confidences), each bin's count, the
temperature that minimises the NLL (torch's L-BFGS on log T, in double precision, as Guo et al.'s
temperature_scaling fits it, but to convergence) and the NLL before and after.
"""
import json
import sys

import numpy as np
import torch


def ece(logits, labels, bins=15):
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    confidence, predicted = probabilities.max(1), probabilities.argmax(1)
    correct = predicted == labels
    edges = np.linspace(0, 1, bins + 1)
    total, counts = 0.0, []
    for lower, upper in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > lower) & (confidence <= upper)
        counts.append(int(in_bin.sum()))
        if in_bin.any():
            total += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return total, counts


def fit_temperature(logits, labels):
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=1, max_iter=500, tolerance_grad=1e-15, tolerance_change=1e-20,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.exp())


def main(path):
    rows = np.loadtxt(path, delimiter=',', dtype=np.float64)
    labels, logits = rows[:, 0].astype(np.int64), rows[:, 1:]
    temperature = fit_temperature(torch.from_numpy(logits), torch.from_numpy(labels))
    nll = lambda t: float(torch.nn.functional.cross_entropy(torch.from_numpy(logits) / t, torch.from_numpy(labels)))
    before, counts = ece(logits, labels)
    after, counts_after = ece(logits / temperature, labels)
    print(json.dumps({'ece': before, 'counts': counts, 'temperature': temperature, 'eceAfter': after,
                      'countsAfter': counts_after, 'nll': nll(1.0), 'nllAfter': nll(temperature)}))


if __name__ == '__main__':
    main(sys.argv[1])
