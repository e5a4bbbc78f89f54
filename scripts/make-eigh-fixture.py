#!/usr/bin/env python3
"""Writes test/fixtures/eigh/numpy.json: symmetric matrices with numpy.linalg.eigh's eigenvalues and eigenvectors,
the independent reference of test/unit/engine/linalg/eigh.spec.ts (main/engine/linalg/eigh.ts is a port of EISPACK
tred2/tql2; numpy calls LAPACK's syevd, a different algorithm).
  random5     5 x 5, entries uniform in [-1, 1), symmetrised: distinct eigenvalues of both signs
  gram8rank3  8 x 8 = B B' with B 8 x 3: positive semi-definite, rank 3 (five zero eigenvalues, as a singular
              covariance has); only the three non-zero eigenvalues' eigenvectors are unique
  wide12      12 x 12 with entries spread over four orders of magnitude
Eigenvalues ascend; eigenvectors are stored as rows (vectors[r][k] = component k of the eigenvector of values[r]),
each up to sign. Values are written with repr, which round-trips float64.
Run: /usr/bin/python3 scripts/make-eigh-fixture.py   (needs numpy)
"""
import json
import os

import numpy as np

rng = np.random.RandomState(20)


def sym(a):
    return (a + a.T) / 2


matrices = {
    "random5": sym(rng.uniform(-1, 1, (5, 5))),
    "gram8rank3": (lambda b: b @ b.T)(rng.uniform(-1, 1, (8, 3))),
    "wide12": sym(rng.uniform(-1, 1, (12, 12)) * 10.0 ** rng.randint(-2, 2, (12, 12))),
}

out = {"numpy": np.__version__, "cases": []}
for name, a in matrices.items():
    values, vectors = np.linalg.eigh(a)
    out["cases"].append(
        {
            "name": name,
            "n": a.shape[0],
            "matrix": a.ravel().tolist(),
            "values": values.tolist(),
            "vectors": vectors.T.ravel().tolist(),
        }
    )

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "eigh", "numpy.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
