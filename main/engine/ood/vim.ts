// ViM: Virtual-logit Matching. Wang, Li, Feng & Zhang, "ViM: Out-Of-Distribution with Virtual-logit Matching",
// CVPR 2022 (OpenOOD `vim_postprocessor.py`).
//   u = -pinv(W) b                      (origin of the feature space in logit terms)
//   S = (1/N) sum_i (h_i - u)(h_i - u)'   (second moment about u, ID train), eigenvectors by decreasing eigenvalue
//   R = the eigenvectors beyond the top D (the residual space); r(h) = ||R'(h - u)||
//   alpha = mean_i max_c logits_ic / mean_i r(h_i)      (ID train)
//   score(h) = logsumexp(logits) - alpha r(h)
// D: principal dimension, 256 for 512-d features by default, clamped to 1..dim-1.
import { eigh, pinvSym, type Eigh } from '../linalg/eigh';
import { projectedNorms2 } from '../linalg/gemm';
import { addOuter, rowDotMatrix } from '../linalg/kernels';
import { defineDetector, logSumExp, maxLogit, type Detector, type IdTrain } from './detector';
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
    const gi = pinvSym(rowDotMatrix(W, C, W, C, dim), C);
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

/** The origin u and the residual space: the R = dim - D eigenvectors of S beyond the top D (rows of `res`). */
export interface ResidualSpace {
  u: Float64Array;
  res: Float64Array;
  R: number;
}

/**
 * What ViM and Residual learn on ID train, for a principal dimension D clamped to 1..dim-1 (returned). One
 * eigen-decomposition per ID train set and origin, shared by the two (and by every point of their sweeps).
 */
export async function residualSpace(
  t: IdTrain,
  W: Float32Array,
  b: Float32Array,
  requested: number,
): Promise<ResidualSpace & { D: number }> {
  const { dim } = t;
  const D = Math.max(1, Math.min(Math.round(requested), dim - 1));
  const u = vimOrigin(W, b, t.classes, dim);
  const st = trainStats(t);
  const eig = await st.memo<Eigh>(`vim-eig:${u.join(',')}`, async () => {
    const s = Float64Array.from(await st.total());
    addOuter(s, dim, st.globalMean, u, st.n);
    return eigh(
      s.map((v) => v / st.n),
      dim,
    );
  });
  // Eigenvalues ascend: the residual space is the first dim - D eigenvectors.
  const R = dim - D;
  return { D, u, res: eig.vectors.subarray(0, R * dim), R };
}

/** r(h) = ||R'(h - u)|| for every row. */
export async function residualNorms(
  x: Float32Array,
  n: number,
  dim: number,
  { u, res, R }: ResidualSpace,
): Promise<Float64Array> {
  return (await projectedNorms2({ x, n, dim, shift: u }, res, R)).map(Math.sqrt);
}

export function createVim(p: { D?: number } = {}): Detector {
  const requested = p.D ?? vimSpec.defaults.D;
  const params = { D: requested };
  return defineDetector(
    'vim',
    params,
    async (t, W, b) => {
      const space = await residualSpace(t, W, b, requested);
      params.D = space.D;
      const r = await residualNorms(t.features, t.n, t.dim, space);
      const ml = maxLogit(t.logits, t.n, t.classes);
      let mr = 0;
      let mm = 0;
      for (let i = 0; i < t.n; i++) {
        mr += r[i];
        mm += ml[i];
      }
      // All ID train features inside the principal space: no residual to weigh, the score is the energy.
      return { ...space, alpha: mr > 0 ? mm / mr : 0 };
    },
    async (batch, f) => {
      const r = await residualNorms(batch.features, batch.n, f.dim, f);
      const lse = logSumExp(batch.logits, batch.n, f.C);
      return lse.map((v, i) => v - f.alpha * r[i]);
    },
  );
}
