// ViM: Virtual-logit Matching. Wang, Li, Feng & Zhang, "ViM: Out-Of-Distribution with Virtual-logit Matching",
// CVPR 2022 (OpenOOD `vim_postprocessor.py`).
//   u = -pinv(W) b                      (origin of the feature space in logit terms)
//   S = (1/N) sum_i (h_i - u)(h_i - u)'   (second moment about u, ID train), eigenvectors by decreasing eigenvalue
//   R = the eigenvectors beyond the top D (the residual space); r(h) = ||R'(h - u)||
//   alpha = mean_i max_c logits_ic / mean_i r(h_i)      (ID train)
//   score(h) = logsumexp(logits) - alpha r(h)
// D: principal dimension, 256 for 512-d features by default, clamped to 1..dim-1.
import {
  checkBatch,
  logSumExp,
  maxLogit,
  notFitted,
  type Batch,
  type Detector,
  type IdTrain,
} from './detector';
import { eigh, pinvSym, type Eigh } from '../linalg/eigh';
import { projectChunks } from '../linalg/gemm';
import { addOuter } from '../linalg/kernels';
import { trainStats } from './stats';

export const vimSpec = {
  label: 'ViM',
  paper: 'Wang et al., CVPR 2022',
  defaults: { D: 256 },
  grid: { D: [64, 128, 256, 384] },
};

/** u = -pinv(W) b, through the smaller Gram matrix of W (C x C or dim x dim). */
export function vimOrigin(W: Float32Array, b: Float32Array, C: number, dim: number): Float64Array {
  const u = new Float64Array(dim);
  if (C <= dim) {
    // pinv(W) = W' (W W')^+
    const g = new Float64Array(C * C);
    for (let i = 0; i < C; i++)
      for (let j = 0; j < C; j++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += W[i * dim + k] * W[j * dim + k];
        g[i * C + j] = s;
      }
    const gi = pinvSym(g, C);
    for (let i = 0; i < C; i++) {
      let t = 0;
      for (let j = 0; j < C; j++) t += gi[i * C + j] * b[j];
      for (let k = 0; k < dim; k++) u[k] -= W[i * dim + k] * t;
    }
  } else {
    // pinv(W) = (W'W)^+ W'
    const g = new Float64Array(dim * dim);
    for (let c = 0; c < C; c++)
      addOuter(g, dim, W.subarray(c * dim, (c + 1) * dim), new Float64Array(dim), 1);
    const gi = pinvSym(g, dim);
    const wb = new Float64Array(dim);
    for (let c = 0; c < C; c++) for (let k = 0; k < dim; k++) wb[k] += W[c * dim + k] * b[c];
    for (let i = 0; i < dim; i++) for (let k = 0; k < dim; k++) u[i] -= gi[i * dim + k] * wb[k];
  }
  return u;
}

/** r(h) for every row: the norm of its residual coordinates (rows of `res`, R of them). */
async function residualNorms(
  x: Float32Array,
  n: number,
  dim: number,
  u: Float64Array,
  res: Float64Array,
  R: number,
) {
  const out = new Float64Array(n);
  await projectChunks({ x, n, dim, shift: u }, res, R, (start, count, y) => {
    for (let i = 0; i < count; i++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += y[i * R + r] * y[i * R + r];
      out[start + i] = Math.sqrt(s);
    }
  });
  return out;
}

export function createVim(p: { D?: number } = {}): Detector {
  const requested = p.D ?? vimSpec.defaults.D;
  const params = { D: requested };
  let f: { dim: number; C: number; u: Float64Array; res: Float64Array; R: number; alpha: number } | null =
    null;
  return {
    method: 'vim',
    params,
    async fit(t: IdTrain, W: Float32Array, b: Float32Array) {
      const { dim, classes: C } = t;
      const D = Math.max(1, Math.min(Math.round(requested), dim - 1));
      params.D = D;
      const u = vimOrigin(W, b, C, dim);
      const st = trainStats(t);
      const key = `vim-eig:${u.join(',')}`;
      const eig = await st.memo<Eigh>(key, async () => {
        const s = Float64Array.from(await st.total());
        addOuter(s, dim, st.globalMean, u, st.n);
        return eigh(
          s.map((v) => v / st.n),
          dim,
        );
      });
      // Eigenvalues ascend: the residual space is the first dim - D eigenvectors.
      const R = dim - D;
      const res = eig.vectors.subarray(0, R * dim);
      const r = await residualNorms(t.features, t.n, dim, u, res, R);
      const ml = maxLogit(t.logits, t.n, C);
      let mr = 0;
      let mm = 0;
      for (let i = 0; i < t.n; i++) {
        mr += r[i];
        mm += ml[i];
      }
      // All ID train features inside the principal space: no residual to weigh, the score is the energy.
      const alpha = mr > 0 ? mm / mr : 0;
      f = { dim, C, u, res, R, alpha };
    },
    async score(batch: Batch) {
      if (!f) throw notFitted('vim');
      checkBatch('vim', f.dim, f.C, batch);
      const r = await residualNorms(batch.features, batch.n, f.dim, f.u, f.res, f.R);
      const lse = logSumExp(batch.logits, batch.n, f.C);
      const alpha = f.alpha;
      return lse.map((v, i) => v - alpha * r[i]);
    },
  };
}
