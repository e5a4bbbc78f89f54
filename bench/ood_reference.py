#!/usr/bin/env python3
"""NumPy / scikit-learn implementation of OODLab's twenty OOD detectors, the reference of bench/ood-methods.ts.

Usage: python3 bench/ood_reference.py FEATURES_DIR [METHOD,METHOD,...]

Reads the DESIGN.md feature layout (fc_weight.npy, fc_bias.npy, id_train_*, id_test_*, ood_<name>_*), fits every
method on ID train with OodLab's default hyper-parameters and scores ID test and every OOD set, the way a researcher
would write it with NumPy: vectorised, BLAS products, np.partition for top-k, sklearn's EmpiricalCovariance (as
OpenOOD), np.linalg.eigh. Prints one JSON object: per method the wall and CPU seconds (fit + score, loading
excluded; CPU counts every BLAS thread) and the
AUROC on every OOD set (sklearn.metrics.roc_auc_score), plus the peak RSS. Debian: python3-numpy, python3-sklearn.
"""
import json
import os
import resource
import sys
import time

import numpy as np
from scipy.special import logsumexp
from sklearn.covariance import EmpiricalCovariance
from sklearn.metrics import roc_auc_score

DEFAULTS = dict(T=1, D=256, k=100, knnK=50, reactP=90, diceP=90, scaleP=85, ashP=90, genGamma=0.1, genM=100,
                residualD=256, fdbdCentred=1, nnguideK=100, nnguideAlpha=0.01, nciAlpha=0.0001)
BLOCK = 2048


def load(d):
    W = np.load(os.path.join(d, 'fc_weight.npy')).astype(np.float32)
    b = np.load(os.path.join(d, 'fc_bias.npy')).astype(np.float32)

    def s(prefix, labels=False):
        f = np.load(os.path.join(d, f'{prefix}_features.npy')).astype(np.float32)
        lp = os.path.join(d, f'{prefix}_logits.npy')
        l = np.load(lp).astype(np.float32) if os.path.exists(lp) else f @ W.T + b
        y = np.load(os.path.join(d, f'{prefix}_labels.npy')).astype(np.int64) if labels else None
        return f, l, y

    oods = sorted(n[4:-13] for n in os.listdir(d) if n.startswith('ood_') and n.endswith('_features.npy'))
    return W, b, s('id_train', True), s('id_test'), {o: s(f'ood_{o}') for o in oods}


def softmax(l):
    e = np.exp(l - l.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def normalizer(x):  # OpenOOD's, quirk included
    return x / np.linalg.norm(x, axis=-1, keepdims=True) + 1e-10


def topk_mean_or_kth(bank, q, k, kth):
    """k largest inner products of each query row with the bank, blocked: the k-th, or their mean."""
    out = np.empty(len(q), dtype=np.float64)
    bt = np.ascontiguousarray(bank.T)
    for s in range(0, len(q), BLOCK):
        sims = q[s:s + BLOCK] @ bt
        part = np.partition(sims, sims.shape[1] - k, axis=1)[:, sims.shape[1] - k:]
        out[s:s + BLOCK] = part.min(1) if kth else part.mean(1)
    return out


def mulberry32_perm(n, seed):
    """main/engine/data/rng.ts shuffle(n, mulberry32(seed)), for NNGuide's bank (the same rows as OODLab)."""
    a = seed & 0xFFFFFFFF

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    p = list(range(n))
    for i in range(n - 1, 0, -1):
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        r = ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296
        j = int(r * (i + 1))
        p[i], p[j] = p[j], p[i]
    return np.array(p)


def quad_min(x, mus, prec):
    """min_c (x - mu_c)' P (x - mu_c), expanded: x'Px - 2 x'P mu_c + mu_c'P mu_c."""
    xp = x @ prec
    xx = (xp * x).sum(1)
    mm = ((mus @ prec) * mus).sum(1)
    return xx[:, None] - 2 * xp @ mus.T + mm[None, :]


def methods(W, b, tr, p):
    """name -> fit(train) returning score(features, logits)."""
    f, l, y = tr
    C, D = W.shape
    out = {}
    out['msp'] = lambda: (lambda x, lg: softmax(lg.astype(np.float64)).max(1))
    out['maxlogit'] = lambda: (lambda x, lg: lg.max(1))
    out['energy'] = lambda: (lambda x, lg: p['T'] * logsumexp(lg / p['T'], axis=1))

    def mds():
        mus = np.stack([f[y == c].mean(0) for c in range(C)])
        prec = EmpiricalCovariance(assume_centered=False).fit(f - mus[y]).precision_
        return lambda x, lg: -quad_min(x, mus, prec).min(1)
    out['mahalanobis'] = mds

    def vim_fit(dim):
        u = -np.linalg.pinv(W) @ b
        cov = EmpiricalCovariance(assume_centered=True).fit(f - u).covariance_
        vals, vecs = np.linalg.eigh(cov)
        ns = np.ascontiguousarray(vecs[:, np.argsort(-vals)[dim:]])
        return u, ns

    def vim():
        u, ns = vim_fit(p['D'])
        alpha = l.max(1).mean() / np.linalg.norm((f - u) @ ns, axis=-1).mean()
        return lambda x, lg: logsumexp(lg, axis=1) - alpha * np.linalg.norm((x - u) @ ns, axis=-1)
    out['vim'] = vim

    def neco():
        from sklearn.decomposition import PCA
        from sklearn.preprocessing import StandardScaler
        sc = StandardScaler().fit(f)
        pca = PCA(svd_solver='full').fit(sc.transform(f))

        def score(x, lg):
            z = sc.transform(x)
            t = pca.transform(z)[:, :p['k']]
            return np.linalg.norm(t, axis=1) / np.linalg.norm(z, axis=1)
        return score
    out['neco'] = neco

    def knn():
        bank = (f / np.linalg.norm(f, axis=1, keepdims=True)).astype(np.float32)
        return lambda x, lg: -(2 - 2 * topk_mean_or_kth(bank, x / np.linalg.norm(x, axis=1, keepdims=True), p['knnK'], True)) # noqa
    out['knn'] = knn

    def react():
        c = np.percentile(f.flatten(), p['reactP'])
        return lambda x, lg: logsumexp(np.minimum(x, c) @ W.T + b, axis=1)
    out['react'] = react

    def dice():
        contrib = f.mean(0)[None, :] * W
        wm = W * (contrib > np.percentile(contrib, p['diceP']))
        return lambda x, lg: logsumexp(x @ wm.T + b, axis=1)
    out['dice'] = dice

    def kept(pct):
        return D - int(np.round(D * pct / 100.0))

    def scale():
        def score(x, lg):
            k = kept(p['scaleP'])
            s1 = x.sum(1)
            s2 = np.partition(x, D - k, axis=1)[:, D - k:].sum(1)
            return logsumexp((x * np.exp(s1 / s2)[:, None]) @ W.T + b, axis=1)
        return score
    out['scale'] = scale

    def ash():
        def score(x, lg):
            k = kept(p['ashP'])
            idx = np.argpartition(x, D - k, axis=1)[:, D - k:]
            h = np.zeros_like(x)
            np.put_along_axis(h, idx, (x.sum(1) / k)[:, None], axis=1)
            return logsumexp(h @ W.T + b, axis=1)
        return score
    out['ash'] = ash

    def gen():
        def score(x, lg):
            pr = np.sort(softmax(lg.astype(np.float64)), axis=1)[:, -min(p['genM'], C):]
            g = p['genGamma']
            return -(pr ** g * (1 - pr) ** g).sum(1)
        return score
    out['gen'] = gen

    def klm():
        sm = softmax(l.astype(np.float64))
        pred = l.argmax(1)
        # Classes never predicted get a one-hot q in OpenOOD: KL to it is infinite for a softmax with full
        # support, so only the predicted classes can be the nearest.
        lq = np.log(np.stack([sm[pred == c].mean(0) for c in range(C) if (pred == c).any()]))

        def score(x, lg):
            pr = softmax(lg.astype(np.float64))
            plogp = (pr * np.log(np.where(pr > 0, pr, 1))).sum(1)
            return -(plogp[:, None] - pr @ lq.T).min(1)
        return score
    out['klm'] = klm

    def rmds():
        mus = np.stack([f[y == c].mean(0) for c in range(C)])
        prec = EmpiricalCovariance(assume_centered=False).fit(f - mus[y]).precision_
        m = f.mean(0)
        prec0 = EmpiricalCovariance(assume_centered=False).fit(f - m).precision_

        def score(x, lg):
            bg = (((x - m) @ prec0) * (x - m)).sum(1)
            return -quad_min(x, mus, prec).min(1) + bg
        return score
    out['rmds'] = rmds

    def she():
        pred = l.argmax(1)
        pat = np.stack([f[(y == c) & (pred == c)].mean(0) for c in range(C)])
        return lambda x, lg: (x * pat[lg.argmax(1)]).sum(1)
    out['she'] = she

    def residual():
        u, ns = vim_fit(p['residualD'])
        return lambda x, lg: -np.linalg.norm((x - u) @ ns, axis=-1)
    out['residual'] = residual

    def fdbd():
        m = f.mean(0)
        den = np.linalg.norm(W[:, None, :] - W[None, :, :], axis=2)
        np.fill_diagonal(den, 1)

        def score(x, lg):
            c = lg.argmax(1)
            sub = np.abs(lg - lg.max(1, keepdims=True))
            return (sub / den[c]).sum(1) / np.linalg.norm(x - m if p['fdbdCentred'] else x, axis=1)
        return score
    out['fdbd'] = fdbd

    def nnguide():
        n = len(f)
        k = max(1, round(p['nnguideK']))
        nb = min(n, max(k, int(np.ceil(p['nnguideAlpha'] * n))))
        pick = np.sort(mulberry32_perm(n, 0 ^ 0x99)[:nb])
        guide = (normalizer(f[pick].astype(np.float64)) * logsumexp(l[pick], axis=1)[:, None]).astype(np.float32)
        k = min(k, nb)
        return lambda x, lg: topk_mean_or_kth(guide, normalizer(x), k, False) * logsumexp(lg, axis=1)
    out['nnguide'] = nnguide

    def gradnorm():
        return lambda x, lg: np.abs(C * softmax(lg.astype(np.float64)) - 1).sum(1) * np.abs(x).sum(1)
    out['gradnorm'] = gradnorm

    def nci():
        m = f.mean(0)

        def score(x, lg):
            d = x - m
            return (W[lg.argmax(1)] * d).sum(1) / np.linalg.norm(d, axis=1) + p['nciAlpha'] * np.abs(x).sum(1)
        return score
    out['nci'] = nci
    return out


def main():
    d = sys.argv[1]
    only = sys.argv[2].split(',') if len(sys.argv) > 2 else None
    W, b, tr, te, oods = load(d)
    res = {}
    for name, fit in methods(W, b, tr, DEFAULTS).items():
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        c0 = time.process_time()
        score = fit()
        sid = score(*te[:2])
        so = {o: score(*s[:2]) for o, s in oods.items()}
        sec = time.perf_counter() - t0
        cpu = time.process_time() - c0
        auroc = {o: float(roc_auc_score(np.r_[np.ones(len(sid)), np.zeros(len(v))], np.r_[sid, v])) for o, v in so.items()} # noqa
        res[name] = {'seconds': sec, 'cpu': cpu, 'auroc': auroc}
        print(f'  numpy {name:12s} {sec:8.2f} s ({cpu:.2f} s CPU)', file=sys.stderr, flush=True)
    res['_peakRssMiB'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


if __name__ == '__main__':
    main()
