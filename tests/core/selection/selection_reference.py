"""Selection scores and picks computed independently of Graft, with numpy, for SelectionTest.cpp.

usage: /usr/bin/python3 selection_reference.py INPUT.json

INPUT.json: {"features": [[...]], "probabilities": [[...]], "clusters": [...], "labelled": [0|1, ...],
"count": N, "first": ROW}. Prints JSON: typicality over all rows (20 neighbours), margin, entropy,
and the rows picked by TypiClust's select_samples (avihu111/TypiClust, deep-al/pycls/al/typiclust.py,
with faiss's squared L2 distances done by brute force) and by k-center greedy.
"""
import json
import sys

import numpy as np


def typicality(features, neighbours):
    neighbours = min(neighbours, len(features) - 1)
    if neighbours <= 0:
        return np.zeros(len(features))
    squared = ((features[:, None, :] - features[None, :, :]) ** 2).sum(-1)
    nearest = np.sort(squared, axis=1)[:, 1:neighbours + 1]  # the first is the row itself
    return 1 / (nearest.mean(axis=1) + 1e-5)


def typiclust(features, clusters, labelled, count):
    ids, sizes = np.unique(clusters, return_counts=True)
    existing = np.array([labelled[clusters == cid].sum() for cid in ids])
    keep = sizes > 5
    if not keep.any():
        keep[:] = True
    ids, sizes, existing = ids[keep], sizes[keep], existing[keep]
    order = ids[np.lexsort((-sizes, existing))]  # fewest labelled, then largest; stable by id
    available = ~labelled.astype(bool)
    picks = []
    for round_ in range(count):
        for step in range(len(order)):
            rows = np.nonzero(available & (clusters == order[(round_ + step) % len(order)]))[0]
            if len(rows):
                break
        if not len(rows):
            break
        scores = typicality(features[rows], min(20, len(rows) // 2))
        best = int(rows[int(np.argmax(scores))])
        picks.append(best)
        available[best] = False
    return picks


def k_center(features, labelled, count, first):
    nearest = np.full(len(features), np.inf)
    taken = labelled.astype(bool).copy()
    for row in np.nonzero(taken)[0]:
        nearest = np.minimum(nearest, ((features - features[row]) ** 2).sum(1))
    picks = []
    if not taken.any():
        picks.append(first)
        taken[first] = True
        nearest = np.minimum(nearest, ((features - features[first]) ** 2).sum(1))
    while len(picks) < min(count, int((~labelled.astype(bool)).sum())):
        candidates = np.where(taken, -np.inf, nearest)
        row = int(np.argmax(candidates))
        picks.append(row)
        taken[row] = True
        nearest = np.minimum(nearest, ((features - features[row]) ** 2).sum(1))
    return picks


data = json.load(open(sys.argv[1]))
features = np.array(data["features"], dtype=np.float32).astype(np.float64)
probabilities = np.array(data["probabilities"], dtype=np.float32).astype(np.float64)
clusters = np.array(data["clusters"])
labelled = np.array(data["labelled"])
ordered = np.sort(probabilities, axis=1)
print(json.dumps({
    "typicality": typicality(features, 20).tolist(),
    "margin": (ordered[:, -1] - ordered[:, -2]).tolist(),
    "entropy": (-(probabilities * np.log(np.where(probabilities > 0, probabilities, 1))).sum(1)).tolist(),
    "typical": typiclust(features, clusters, labelled, data["count"]),
    "kCenter": k_center(features, labelled, data["count"], data["first"]),
    "kCenterFromNothing": k_center(features, np.zeros_like(labelled), data["count"], data["first"]),
}))
