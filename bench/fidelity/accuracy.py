#!/usr/bin/env python3
"""Accuracy from a features folder in OODLab's layout (id_*_logits.npy beside id_*_labels.npy, or features with
fc_weight/fc_bias): test accuracy on id_test, train accuracy (eval mode) on id_train plus id_val when present.

Usage: python3 accuracy.py FEATURES_DIR   -> one JSON line
"""
import json
import os
import sys

import numpy as np


def logits(d, prefix):
    f = os.path.join(d, prefix + "_logits.npy")
    if os.path.exists(f):
        return np.load(f)
    h = np.load(os.path.join(d, prefix + "_features.npy")).astype(np.float64)
    return h @ np.load(os.path.join(d, "fc_weight.npy")).T.astype(np.float64) + np.load(os.path.join(d, "fc_bias.npy"))


def acc(d, prefixes):
    hits = n = 0
    for p in prefixes:
        if not os.path.exists(os.path.join(d, p + "_labels.npy")):
            continue
        y = np.load(os.path.join(d, p + "_labels.npy"))
        hits += int((logits(d, p).argmax(1) == y).sum())
        n += len(y)
    return hits / n, n


d = sys.argv[1]
te, nte = acc(d, ["id_test"])
tr, ntr = acc(d, ["id_train", "id_val"])
print(json.dumps({"testAcc": te, "testImages": nte, "trainAccEval": tr, "trainImages": ntr}))
