// The fourteen detectors of issue 16 against independent float64 references written here, naively, from each
// formula as OpenOOD's postprocessor computes it (full sorts instead of selection, explicit loops instead of blocked
// products, ml-matrix for inverses and eigen-decompositions), plus hand-worked examples where one fits on paper.
import { Matrix, pseudoInverse } from 'ml-matrix';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { OodMethod, type OodParams } from '../../../../common/contract/ood';
import {
  OOD_METHOD_GROUP,
  OOD_METHOD_LABELS,
  OOD_PARAM_OWNER,
} from '../../../../common/contract/ood-methods';
import { initBackend, tf } from '../../../../main/engine/backend';
import { gaussian, mulberry32 } from '../../../../main/engine/data/rng';
import type { Batch, IdTrain } from '../../../../main/engine/ood/detector';
import { setTensorThreshold } from '../../../../main/engine/linalg/gemm';
import { setOrtProductsDisabled } from '../../../../main/engine/linalg/ort-products';
import { setNeighbourTensorThreshold } from '../../../../main/engine/ood/neighbours';
import { methods, createDetector } from '../../../../main/engine/ood/registry';
import { percentile, roundHalfEven } from '../../../../main/engine/ood/shaping';
import {
  classifierOrigin,
  columnMean,
  covarianceAbout,
  linearLogits,
  residualNorm,
} from '../../../helpers/ref-rows';

const n = 120, dim = 8, C = 4; // prettier-ignore
const rng = mulberry32(21);
const g = () => gaussian(rng);
const centres = Array.from({ length: C }, () => Array.from({ length: dim }, () => 2 + 2 * g()));
function makeSet(m: number, ood: boolean) {
  const features = new Float32Array(m * dim);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    labels[i] = i % C;
    // Non-negative, like pooled ReLU features, with a few exact zeros.
    for (let k = 0; k < dim; k++)
      features[i * dim + k] = Math.max(0, (ood ? 1.5 : centres[i % C][k]) + (0.8 + k * 0.2) * g());
  }
  return { features, labels };
}
// Classifier rows near the centred class centres, so that most ID train samples are classified correctly.
const cbar = Array.from({ length: dim }, (_, k) => centres.reduce((s, c) => s + c[k], 0) / C);
const W = Float32Array.from({ length: C * dim }, (_, j) => {
  const c = Math.floor(j / dim), k = j % dim; // prettier-ignore
  return 0.6 * (centres[c][k] - cbar[k]) + 0.3 * g();
});
const b = Float32Array.from({ length: C }, () => 0.5 * g());
const logitsOf = (f: Float32Array, m: number) => linearLogits(f, m, W, b);
const tr = makeSet(n, false);
const train: IdTrain = { ...tr, logits: logitsOf(tr.features, n), n, dim, classes: C };
const te = makeSet(30, true);
const batch: Batch = { features: te.features, logits: logitsOf(te.features, 30), n: 30 };

// ---- float64 helpers, written independently of main/ ----
const rowOf = (f: ArrayLike<number>, i: number, d = dim) => Array.from({ length: d }, (_, k) => f[i * d + k]);
const trainRows = Array.from({ length: n }, (_, i) => rowOf(train.features, i));
const batchRows = Array.from({ length: batch.n }, (_, i) => rowOf(batch.features, i));
const Wr = Array.from({ length: C }, (_, c) => rowOf(W, c));
const dot = (a: number[], c: number[]) => a.reduce((s, v, i) => s + v * c[i], 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const logitsRow = (h: number[]) => Wr.map((w, c) => dot(w, h) + b[c]);
const netLogits = (s: { logits: Float32Array }, i: number) => rowOf(s.logits, i, C);
const lse = (l: number[]) => {
  const m = Math.max(...l);
  return m + Math.log(l.reduce((a, v) => a + Math.exp(v - m), 0));
};
const softmax = (l: number[]) => l.map((v) => Math.exp(v - lse(l)));
const argmaxOf = (l: number[]) => l.indexOf(Math.max(...l));
/** numpy.percentile, linear method, by a full sort. */
const npPercentile = (v: number[], p: number) => {
  const a = [...v].sort((x, y) => x - y);
  const pos = (p / 100) * (a.length - 1);
  const lo = Math.floor(pos);
  return a[lo] + (a[Math.min(a.length - 1, lo + 1)] - a[lo]) * (pos - lo);
};
const mean = columnMean(trainRows);
const quad = (P: Matrix, d: number[]) => dot(d, P.mmul(Matrix.columnVector(d)).to1DArray());
/** k = D - np.round(D p / 100), with Python's rounding spelled out. */
const kept = (D: number, p: number) => {
  const x = (D * p) / 100;
  const f = Math.floor(x);
  return D - (x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x));
};

const P = { knnK: 7, reactP: 80, diceP: 60, scaleP: 75, ashP: 60, genGamma: 0.5, genM: 3, residualD: 3 };
const refs: Record<string, (h: number[], i: number) => number> = {};

refs.knn = (h) => {
  const z = (v: number[]) => v.map((x) => x / norm(v));
  const d = trainRows.map((r) => z(r).reduce((s, v, k) => s + (v - z(h)[k]) ** 2, 0)).sort((x, y) => x - y);
  return -d[P.knnK - 1];
};
{
  const c = npPercentile(trainRows.flat(), P.reactP);
  refs.react = (h) => lse(logitsRow(h.map((v) => Math.min(v, c))));
}
{
  const contrib = Wr.flatMap((w) => w.map((v, k) => Math.fround(Math.fround(mean[k]) * v)));
  const t = npPercentile(contrib, P.diceP);
  const Wm = Wr.map((w, c) => w.map((v, k) => (contrib[c * dim + k] > t ? v : 0)));
  refs.dice = (h) => lse(Wm.map((w, c) => dot(w, h) + b[c]));
}
refs.scale = (h) => {
  const k = kept(dim, P.scaleP);
  const s1 = h.reduce((a, v) => a + v, 0);
  const s2 = [...h].sort((x, y) => y - x).slice(0, k).reduce((a, v) => a + v, 0); // prettier-ignore
  return lse(logitsRow(h.map((v) => v * Math.exp(s1 / s2))));
};
refs.ash = (h) => {
  const k = kept(dim, P.ashP);
  const s1 = h.reduce((a, v) => a + v, 0);
  const order = h.map((v, j) => [v, j]).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  const shaped = new Array(dim).fill(0);
  for (let r = 0; r < k; r++) shaped[order[r][1]] = s1 / k;
  return lse(logitsRow(shaped));
};
refs.gen = (_, i) => {
  const p = softmax(netLogits(batch, i)).sort((x, y) => y - x).slice(0, P.genM); // prettier-ignore
  return -p.reduce((s, v) => s + v ** P.genGamma * (1 - v) ** P.genGamma, 0);
};
{
  const preds = Array.from({ length: n }, (_, i) => argmaxOf(netLogits(train, i)));
  const q = Array.from({ length: C }, (_, c) => {
    const mine = preds.map((p, i) => [p, i]).filter(([p]) => p === c).map(([, i]) => softmax(netLogits(train, i))); // prettier-ignore
    if (!mine.length) return Array.from({ length: C }, (_, j) => (j === c ? 1 : 0));
    return Array.from({ length: C }, (_, j) => mine.reduce((s, v) => s + v[j], 0) / mine.length);
  });
  // scipy.stats.entropy(p, q) = sum p log(p / q)
  const kl = (p: number[], qc: number[]) =>
    p.reduce((s, v, j) => s + (v > 0 ? v * Math.log(v / qc[j]) : 0), 0);
  refs.klm = (_, i) => -Math.min(...q.map((qc) => kl(softmax(netLogits(batch, i)), qc)));
}
{
  const mus = Array.from({ length: C }, (_, c) =>
    mean.map((_, k) => {
      const rows = trainRows.filter((_, i) => train.labels[i] === c);
      return rows.reduce((s, r) => s + r[k], 0) / rows.length;
    }),
  );
  const Pc = pseudoInverse(covarianceAbout(trainRows, (i) => mus[train.labels[i]]));
  const P0 = pseudoInverse(covarianceAbout(trainRows, () => mean));
  refs.rmds = (h) =>
    Math.max(...mus.map((mu) => -quad(Pc, h.map((v, k) => v - mu[k])) + quad(P0, h.map((v, k) => v - mean[k])))); // prettier-ignore
}
{
  const preds = Array.from({ length: n }, (_, i) => argmaxOf(netLogits(train, i)));
  const pat = Array.from({ length: C }, (_, c) => {
    let rows = trainRows.filter((_, i) => train.labels[i] === c && preds[i] === c);
    if (!rows.length) rows = trainRows.filter((_, i) => train.labels[i] === c); // the documented fallback
    return mean.map((_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);
  });
  refs.she = (h, i) => dot(h, pat[argmaxOf(netLogits(batch, i))]);
}
{
  const resid = residualNorm(trainRows, classifierOrigin(Wr, b), P.residualD);
  refs.residual = (h) => -resid(h);
}
refs.fdbd = (h, i) => {
  const l = netLogits(batch, i);
  const c = argmaxOf(l);
  let s = 0;
  for (let j = 0; j < C; j++)
    if (j !== c) s += Math.abs(l[c] - l[j]) / norm(Wr[c].map((v, k) => v - Wr[j][k]));
  return s / norm(h.map((v, k) => v - mean[k]));
};
refs.gradnorm = (h, i) => {
  const p = softmax(netLogits(batch, i));
  // L1 norm of dL/dW for L = sum_c -log p_c: entries (C p_c - 1) h_j, summed in absolute value one by one.
  let s = 0;
  for (let c = 0; c < C; c++) for (let k = 0; k < dim; k++) s += Math.abs((C * p[c] - 1) * h[k]);
  return s;
};
refs.nci = (h, i) => {
  const c = argmaxOf(netLogits(batch, i));
  const d = h.map((v, k) => v - mean[k]);
  return dot(Wr[c], d) / norm(d) + 0.001 * h.reduce((s, v) => s + Math.abs(v), 0);
};
{
  // alpha = 1: the whole of ID train is the bank (no sampling to replicate).
  const nz = (v: number[]) => v.map((x) => x / norm(v) + 1e-10);
  const guide = trainRows.map((r, i) => nz(r).map((v) => v * lse(netLogits(train, i))));
  refs.nnguide = (h, i) => {
    const sims = guide.map((gv) => dot(nz(h), gv)).sort((x, y) => y - x);
    return (sims.slice(0, 5).reduce((s, v) => s + v, 0) / 5) * lse(netLogits(batch, i));
  };
}

const params = { ...P, nciAlpha: 0.001, nnguideK: 5, nnguideAlpha: 1, fdbdCentred: 1 };
const added = ['knn', 'react', 'dice', 'scale', 'ash', 'gen', 'klm', 'rmds', 'she', 'residual', 'fdbd', 'nnguide', 'gradnorm', 'nci'] as const; // prettier-ignore

describe('issue-16 detectors match an independent float64 reference', () => {
  for (const name of added) {
    it(name, async () => {
      const det = createDetector(name, params);
      await det.fit(train, W, b);
      const s = await det.score(batch);
      expect(s.length).toBe(batch.n);
      for (let i = 0; i < batch.n; i++) {
        const ref = refs[name](batchRows[i], i);
        expect(Number.isFinite(ref), `${name} reference ${i}`).toBe(true);
        expect(Math.abs(s[i] - ref), `${name} row ${i}: ${s[i]} vs ${ref}`).toBeLessThanOrEqual(
          2e-5 * Math.max(1, Math.abs(ref)),
        );
      }
    });
  }

  it('the tensor paths (ONNX Runtime, and the tfjs cpu backend without it; float32) agree to float32 accuracy', async () => {
    await initBackend('cpu');
    setTensorThreshold(0);
    setNeighbourTensorThreshold(0);
    try {
      for (const ort of [true, false]) {
        setOrtProductsDisabled(!ort);
        for (const name of added) {
          const det = createDetector(name, params);
          await det.fit(train, W, b);
          const s = await det.score(batch);
          for (let i = 0; i < batch.n; i++) {
            const ref = refs[name](batchRows[i], i);
            expect(Math.abs(s[i] - ref), `${name} row ${i}, ONNX Runtime ${ort}`).toBeLessThanOrEqual(
              1e-4 * Math.max(1, Math.abs(ref)),
            );
          }
        }
      }
    } finally {
      setOrtProductsDisabled(false);
      setTensorThreshold(2e7);
      setNeighbourTensorThreshold(2e7);
    }
  });

  it('the scores separate ID from this OOD set (a sanity check that the sign convention holds)', async () => {
    const idt = makeSet(30, false);
    const idBatch: Batch = { features: idt.features, logits: logitsOf(idt.features, 30), n: 30 };
    for (const name of ['knn', 'rmds', 'nci', 'react'] as const) {
      const det = createDetector(name, params);
      await det.fit(train, W, b);
      const a = await det.score(idBatch);
      const o = await det.score(batch);
      const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
      expect(mean(a), name).toBeGreaterThan(mean(o));
    }
  });

  it('every method is registered with a group, a paper and a grid over its own parameters only', () => {
    // Every method of the contract but ODIN, which needs the network (odin.spec.ts).
    expect(Object.keys(methods).sort()).toEqual(OodMethod.options.filter((m) => m !== 'odin').sort());
    expect(Object.keys(methods).length).toBe(20);
    for (const [m, e] of Object.entries(methods)) {
      expect(e.paper, m).toMatch(/\d{4}/);
      expect(e.label, m).toBe(OOD_METHOD_LABELS[m as OodMethod]);
      expect(e.group, m).toBe(OOD_METHOD_GROUP[m as OodMethod]);
      for (const key of Object.keys(e.defaults)) expect(OOD_PARAM_OWNER[key as keyof OodParams], key).toBe(m);
      for (const key of Object.keys(e.grid)) expect(Object.keys(e.defaults), m).toContain(key);
    }
  });

  it('refuses to score before fitting', async () => {
    for (const name of added)
      await expect(createDetector(name).score(batch)).rejects.toThrow(/must be fitted/);
  });
});

// A tiny classifier for the hand-worked cases: W = identity (4 classes, 4-d features), b = 0, so logits = features.
const eye = Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
const zeros4 = new Float32Array(4);
const one = (h: number[]): Batch => ({ features: Float32Array.from(h), logits: Float32Array.from(h), n: 1 });
const trainOf = (rows: number[][], labels: number[]): IdTrain => ({
  features: Float32Array.from(rows.flat()),
  logits: Float32Array.from(rows.flat()),
  labels: Int32Array.from(labels),
  n: rows.length,
  dim: 4,
  classes: 4,
});
const t4 = trainOf(
  [
    [1, 0, 0, 0],
    [0, 2, 0, 0],
    [0, 0, 3, 0],
    [0, 0, 0, 4],
  ],
  [0, 1, 2, 3],
);

describe('hand-worked examples', () => {
  it("NumPy's conventions: percentile interpolates, round sends halves to even", () => {
    expect(percentile([1, 2, 3, 4], 90)).toBeCloseTo(3.7, 12); // np.percentile([1,2,3,4], 90) = 3.7
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect([roundHalfEven(4.5), roundHalfEven(5.5), roundHalfEven(2.4), roundHalfEven(2.6)]).toEqual([
      4, 6, 2, 3,
    ]);
  });

  it('ASH-B at p = 50 on h = (1, 2, 3, 4): k = 2, the top two become s1/k = 5', async () => {
    const det = createDetector('ash', { ashP: 50 });
    await det.fit(t4, eye, zeros4);
    const [s] = await det.score(one([1, 2, 3, 4]));
    // logits (0, 0, 5, 5): logsumexp = log(2 + 2 e^5)
    expect(s).toBeCloseTo(Math.log(2 + 2 * Math.exp(5)), 12);
  });

  it('SCALE at p = 50 on h = (1, 2, 3, 4): r = 10 / 7, logits h e^r', async () => {
    const det = createDetector('scale', { scaleP: 50 });
    await det.fit(t4, eye, zeros4);
    const [s] = await det.score(one([1, 2, 3, 4]));
    const r = Math.exp(10 / 7);
    expect(s).toBeCloseTo(Math.log(Math.exp(r) + Math.exp(2 * r) + Math.exp(3 * r) + Math.exp(4 * r)), 9);
  });

  it('ReAct clips at the 90th percentile of the ID activations (here 2.5)', async () => {
    // The 16 activations of t4: twelve 0s and 1, 2, 3, 4. Position 0.9 * 15 = 13.5 -> between 2 and 3: 2.5.
    const det = createDetector('react', { reactP: 90 });
    await det.fit(t4, eye, zeros4);
    const [s] = await det.score(one([0, 1, 2.5, 9]));
    expect(s).toBeCloseTo(Math.log(1 + Math.E + 2 * Math.exp(2.5)), 12);
  });

  it('KL-Matching: a class never predicted on ID (one-hot q, infinite KL) is never the nearest', async () => {
    const t = trainOf(
      [
        [1, 0, 0, 0],
        [0, 2, 0, 0],
        [0, 3, 0, 0],
      ],
      [0, 1, 1],
    );
    const det = createDetector('klm');
    await det.fit(t, eye, zeros4);
    const sm = (l: number[]) => l.map((v) => Math.exp(v) / l.reduce((a, u) => a + Math.exp(u), 0));
    const q0 = sm([1, 0, 0, 0]);
    const q1 = sm([0, 2, 0, 0]).map((v, j) => (v + sm([0, 3, 0, 0])[j]) / 2);
    const p = sm([1, 1, 0, 0]);
    const kl = (q: number[]) => p.reduce((a, v, j) => a + v * Math.log(v / q[j]), 0);
    const [s] = await det.score(one([1, 1, 0, 0]));
    expect(s).toBeCloseTo(-Math.min(kl(q0), kl(q1)), 12);
  });

  it('GEN of uniform logits: -C (1/C)^g (1 - 1/C)^g', async () => {
    const det = createDetector('gen', { genGamma: 0.5, genM: 100 });
    await det.fit(t4, eye, zeros4);
    expect(det.params.genM).toBe(4); // clamped to the classes
    const [s] = await det.score(one([1, 1, 1, 1]));
    expect(s).toBeCloseTo(-4 * Math.sqrt(0.25 * 0.75), 12);
  });

  it('GradNorm of uniform logits is 0; of one confident class, (C p - 1) terms times ||h||_1', async () => {
    const det = createDetector('gradnorm');
    await det.fit(t4, eye, zeros4);
    expect((await det.score(one([2, 2, 2, 2])))[0]).toBeCloseTo(0, 12);
    const [s] = await det.score(one([Math.log(5), 0, 0, 0])); // p = (5/8, 1/8, 1/8, 1/8)
    expect(s).toBeCloseTo((1.5 + 3 * 0.5) * Math.log(5), 6); // log 5 is stored as float32
  });

  it('KNN: the k-th nearest of four unit vectors', async () => {
    const det = createDetector('knn', { knnK: 2 });
    await det.fit(t4, eye, zeros4);
    expect(det.params.knnK).toBe(2);
    // z = (1, 1, 0, 0)/sqrt 2: squared distances 2 - sqrt 2 to e1 and e2, 2 to e3, e4.
    const [s] = await det.score(one([3, 3, 0, 0]));
    expect(s).toBeCloseTo(-(2 - Math.SQRT2), 6);
  });

  it('fDBD with two classes: |l1 - l2| / ||w1 - w2|| / ||h - m||', async () => {
    const det = createDetector('fdbd', { fdbdCentred: 0 });
    await det.fit(t4, eye, zeros4);
    // h = (3, 0, 0, 4), logits = h: c = 4th class; distances 4/sqrt2, 4/sqrt2, 1/sqrt2 to the other three.
    const [s] = await det.score(one([3, 0, 0, 4]));
    expect(s).toBeCloseTo(9 / Math.SQRT2 / 5, 6);
  });
});

describe('GradNorm closed form equals the autodiff gradient (tfjs cpu backend)', () => {
  it('sum |dL/dW| from tf.grad of L = sum_c -log softmax(W h + b)_c', async () => {
    await initBackend('cpu');
    const det = createDetector('gradnorm');
    await det.fit(train, W, b);
    const s = await det.score(batch);
    for (let i = 0; i < 5; i++) {
      const h = tf.tensor2d(batch.features.subarray(i * dim, (i + 1) * dim), [1, dim]);
      const bias = tf.tensor1d(b);
      const grad = tf.grad((w: Tensor) =>
        tf.neg(tf.sum(tf.logSoftmax(tf.add(tf.matMul(h, w as Tensor2D, false, true), bias)))),
      );
      const gw = grad(tf.tensor2d(W, [C, dim]));
      const ref = (await tf.sum(tf.abs(gw)).data())[0];
      expect(Math.abs(s[i] - ref)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(ref)));
      tf.dispose([h, bias, gw]);
    }
  });
});
