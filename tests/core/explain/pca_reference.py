"""The first two principal components of a feature matrix, computed independently of Graft (and of
OpenCV) for DataMapTest.cpp: numpy's SVD of the centred rows.

usage: /usr/bin/python3 pca_reference.py FEATURES.csv

Each line of FEATURES.csv is one row. Prints JSON: "plane", each row's coordinates on the two
components (a component's sign is arbitrary), and "explained", each component's share of the
total variance.
"""
import json
import sys

import numpy as np

features = np.loadtxt(sys.argv[1], delimiter=',', dtype=np.float64, ndmin=2)
centred = features - features.mean(axis=0)
_, singular, components = np.linalg.svd(centred, full_matrices=False)
plane = centred @ components[:2].T
explained = singular[:2] ** 2 / np.sum(singular ** 2)
print(json.dumps({"plane": plane.tolist(), "explained": explained.tolist()}))
