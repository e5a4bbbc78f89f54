#!/usr/bin/env python3
"""The numpy reference of `oodlab analyze --features DIR`: the same Neural Collapse analysis, written the way a
researcher would write it in numpy (Papyan, Han & Donoho 2020: Sw and Sb as D x D matrices, NC1 = Tr(Sw Sb^+)/C
through a pseudo-inverse), on the same .npy folder (DESIGN.md's layout), in float64 like OODLab's accumulators.

Usage: python3 nc_numpy.py DIR [--float32]
Prints one JSON line: the seconds from loading the files to the last metric (interpreter start and `import numpy`
excluded), the dtype, and the metrics, so that bench/analyze-features.ts can also check that both agree.
"""
import json
import os
import sys
import time

import numpy as np


def load(d, name):
    return np.load(os.path.join(d, name))


def cosines(m):
    n = np.linalg.norm(m, axis=1)
    den = np.outer(n, n)
    g = m @ m.T
    return np.divide(g, den, out=np.zeros_like(g), where=den > 0)


def equiangular(m):
    c = cosines(m)
    C = len(m)
    iu = np.triu_indices(C, 1)
    dev = np.abs(c[iu] + 1 / (C - 1))
    return dev.mean(), dev.max()


def equinorm(m):
    n = np.linalg.norm(m, axis=1)
    return n.std() / n.mean()


def ncc(h, means):
    # argmin_c ||h - mu_c||^2 without the n x C x D tensor
    d = (means * means).sum(1)[None, :] - 2 * h @ means.T
    return d.argmin(1)


def main():
    d = sys.argv[1]
    dt = np.float32 if '--float32' in sys.argv else np.float64
    t0 = time.perf_counter()
    W = load(d, 'fc_weight.npy').astype(dt)
    b = load(d, 'fc_bias.npy').astype(dt)
    C, D = W.shape
    H = load(d, 'id_train_features.npy').astype(dt)
    y = load(d, 'id_train_labels.npy').astype(np.int64)
    Ht = load(d, 'id_test_features.npy').astype(dt)
    yt = load(d, 'id_test_labels.npy').astype(np.int64)
    oods = sorted(f[4:-13] for f in os.listdir(d) if f.startswith('ood_') and f.endswith('_features.npy'))
    N = len(H)

    def logits(prefix, X):
        f = os.path.join(d, prefix + '_logits.npy')
        return np.load(f) if os.path.exists(f) else X @ W.T + b

    counts = np.bincount(y, minlength=C)
    means = np.zeros((C, D), dt)
    np.add.at(means, y, H)
    means /= counts[:, None]
    g = H.mean(0)
    M = means - g
    Z = H - means[y]
    Sw = Z.T @ Z / N
    Sb = M.T @ M / C
    nc1 = np.trace(Sw @ np.linalg.pinv(Sb, rcond=1e-10, hermitian=True)) / C

    net_train = logits('id_train', H).argmax(1)
    net_test = logits('id_test', Ht).argmax(1)
    ncc_train = ncc(H, means)
    ncc_test = ncc(Ht, means)
    em, emx = equiangular(M)
    ew, ewx = equiangular(W)
    nc3 = ((W / np.linalg.norm(W) - M / np.linalg.norm(M)) ** 2).sum()

    mn = np.linalg.norm(M, axis=1)
    orth = {}
    for s in oods:
        O = load(d, 'ood_%s_features.npy' % s).astype(dt) - g
        on = np.linalg.norm(O, axis=1)
        den = np.outer(on, mn)
        P = np.abs(O @ M.T)
        mean_abs_cos = np.divide(P, den, out=np.zeros_like(P), where=den > 0).mean()
        om = O.mean(0)
        gcos = np.abs(M @ om) / (np.linalg.norm(om) * mn)
        orth[s] = {'meanAbsCos': float(mean_abs_cos), 'globalMeanAbsCos': float(gcos.mean())}

    # Geometry: cosine matrices, distance to the simplex ETF Gram, principal axes of the means, nearest ETF.
    etf = np.eye(C) * C / (C - 1) - np.ones((C, C)) / (C - 1)
    cm, cw = cosines(M), cosines(W)
    Mc = M - M.mean(0)
    _, S, Vt = np.linalg.svd(Mc, full_matrices=False)
    E = np.sqrt(C / (C - 1)) * (np.eye(C) - np.ones((C, C)) / C)
    A, S2, Bt = np.linalg.svd(E.T @ Mc, full_matrices=False)
    nearest = (E @ A @ Bt) * S2.sum() / C
    pca = (Mc @ Vt[:3].T, nearest @ Vt[:3].T)
    seconds = time.perf_counter() - t0

    print(json.dumps({
        'seconds': round(seconds, 3), 'dtype': np.dtype(dt).name, 'numpy': np.__version__,
        'nc1': float(nc1), 'trSw': float(np.trace(Sw)), 'trSb': float(np.trace(Sb)),
        'nc2': {'equinormMeans': float(equinorm(M)), 'equinormClassifier': float(equinorm(W)),
                'equiangularMeans': float(em), 'equiangularMeansMax': float(emx),
                'equiangularClassifier': float(ew), 'equiangularClassifierMax': float(ewx)},
        'nc3': float(nc3),
        'nc4': float((ncc_train != net_train).mean()), 'nc5': float((ncc_test == net_test).mean()),
        'nccTestAccuracy': float((ncc_test == yt).mean()), 'trainAccuracy': float((net_train == y).mean()),
        'testAccuracy': float((net_test == yt).mean()),
        'etfDistanceMeans': float(np.linalg.norm(cm - etf)), 'etfDistanceClassifier': float(np.linalg.norm(cw - etf)),
        'pcaExplained': [float(v) for v in (S[:3] ** 2 / (S ** 2).sum())], 'pcaShape': [list(p.shape) for p in pca],
        'idOodOrthogonality': orth,
    }))


if __name__ == '__main__':
    main()
