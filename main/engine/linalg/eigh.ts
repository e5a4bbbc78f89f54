// Symmetric eigen-decomposition on flat Float64Arrays: Householder tridiagonalisation + implicit QL (EISPACK
// tred2/tql2, the algorithm of ml-matrix's EigenvalueDecomposition, ported, with the hot loops reworked). ml-matrix's own version
// reaches every element through get/set and takes ~2 s for a 512 x 512 covariance here, this 0.5-1 s (2-4x less),
// and the detectors need two or three of them per fit. test/unit/engine/linalg/eigh.spec.ts checks it against
// closed forms, numpy.linalg.eigh (LAPACK, test/fixtures/eigh/numpy.json) and A v = lambda v, V V' = I.

export interface Eigh {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as rows: vectors[r*n + k] is component k of the eigenvector of values[r]. */
  vectors: Float64Array;
  n: number;
}

/** Eigen-decomposition of the symmetric n x n row-major matrix a (only read). */
export function eigh(a: Float64Array, n: number): Eigh {
  // v is stored transposed (v[j*n+i] is logical V(i, j)), so the hot loops run along rows.
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[j * n + i] = a[i * n + j];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(n, e, d, v);
  tql2(n, e, d, v);
  return { values: d, vectors: v, n };
}

function tred2(n: number, e: Float64Array, d: Float64Array, v: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f;
        const row = j * n;
        // Four partial sums: a single running sum makes the loop wait on the adder's latency.
        let g0 = e[j] + v[row + j] * f;
        let g1 = 0;
        let g2 = 0;
        let g3 = 0;
        let k = j + 1;
        for (; k + 3 <= i - 1; k += 4) {
          const a0 = v[row + k];
          const a1 = v[row + k + 1];
          const a2 = v[row + k + 2];
          const a3 = v[row + k + 3];
          g0 += a0 * d[k];
          g1 += a1 * d[k + 1];
          g2 += a2 * d[k + 2];
          g3 += a3 * d[k + 3];
          e[k] += a0 * f;
          e[k + 1] += a1 * f;
          e[k + 2] += a2 * f;
          e[k + 3] += a3 * f;
        }
        for (; k <= i - 1; k++) {
          g0 += v[row + k] * d[k];
          e[k] += v[row + k] * f;
        }
        e[j] = g0 + g1 + (g2 + g3);
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const row = j * n;
        for (let k = j; k <= i - 1; k++) v[row + k] -= f * e[k] + g * d[k];
        d[j] = v[row + i - 1];
        v[row + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g0 = 0;
        let g1 = 0;
        let g2 = 0;
        let g3 = 0;
        let k = 0;
        for (; k + 3 <= i; k += 4) {
          g0 += v[next + k] * v[row + k];
          g1 += v[next + k + 1] * v[row + k + 1];
          g2 += v[next + k + 2] * v[row + k + 2];
          g3 += v[next + k + 3] * v[row + k + 3];
        }
        for (; k <= i; k++) g0 += v[next + k] * v[row + k];
        const g = g0 + g1 + (g2 + g3);
        for (let k = 0; k <= i; k++) v[row + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1];
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * Applies the QL sweep's rotations i = m-1 down to l (rotation i mixes rows i and i+1 of v) two at a time:
 * rotations i and i-1 share row i, so each pass loads and stores three rows instead of four.
 */
function rotate(v: Float64Array, n: number, rc: Float64Array, rs: Float64Array, l: number, m: number): void {
  let i = m - 1;
  for (; i - 1 >= l; i -= 2) {
    const c1 = rc[i],
      s1 = rs[i],
      c2 = rc[i - 1],
      s2 = rs[i - 1];
    const r0 = (i - 1) * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    for (let k = 0; k < n; k++) {
      const t = v[r2 + k];
      const a = v[r1 + k];
      const b = v[r0 + k];
      v[r2 + k] = s1 * a + c1 * t;
      const a1 = c1 * a - s1 * t;
      v[r1 + k] = s2 * b + c2 * a1;
      v[r0 + k] = c2 * b - s2 * a1;
    }
  }
  if (i >= l) {
    const c = rc[i];
    const s = rs[i];
    const ri = i * n;
    const rn = ri + n;
    for (let k = 0; k < n; k++) {
      const t = v[rn + k];
      v[rn + k] = s * v[ri + k] + c * t;
      v[ri + k] = c * v[ri + k] - s * t;
    }
  }
}

function tql2(n: number, e: Float64Array, d: Float64Array, v: Float64Array): void {
  const rc = new Float64Array(n);
  const rs = new Float64Array(n);
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      do {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          rc[i] = c;
          rs[i] = s;
        }
        rotate(v, n, rc, rs, l, m);
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++)
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = v[i * n + j];
        v[i * n + j] = v[k * n + j];
        v[k * n + j] = t;
      }
    }
  }
}

/**
 * Moore-Penrose pseudo-inverse of a symmetric PSD matrix from its eigen-decomposition: eigenvalues at or below
 * rcond * max are treated as zero (numpy.linalg.pinv's default cutoff), so a singular covariance gives a finite
 * pseudo-inverse, never NaN.
 */
export function pinvSym(a: Float64Array, n: number, rcond = 1e-15 * Math.max(10, n)): Float64Array {
  const { values, vectors } = eigh(a, n);
  return fromEigen(values, vectors, n, (lam, max) => (lam > rcond * max ? 1 / lam : 0));
}

/** V' diag(f(lambda)) V with the eigenvectors as rows of `vectors`. */
export function fromEigen(
  values: Float64Array,
  vectors: Float64Array,
  n: number,
  f: (lambda: number, maxAbs: number) => number,
): Float64Array {
  let max = 0;
  for (const l of values) max = Math.max(max, Math.abs(l));
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    const w = f(values[r], max);
    if (w === 0) continue;
    const o = r * n;
    for (let i = 0; i < n; i++) {
      const vi = w * vectors[o + i];
      if (vi === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) out[row + j] += vi * vectors[o + j];
    }
  }
  return out;
}

/**
 * Lower Cholesky factor L of a symmetric positive-definite n x n matrix (a = L L', row-major; only the lower
 * triangle of a is read). `pivot` sees each squared pivot and returns the one to use, or null to give up (the
 * matrix is singular or too close to it): then cholesky returns null.
 */
export function cholesky(
  a: Float64Array,
  n: number,
  pivot: (s: number) => number | null,
): Float64Array | null {
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= r[j * n + k] * r[j * n + k];
    const p = pivot(s);
    if (p === null) return null;
    const d = Math.sqrt(p);
    r[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= r[i * n + k] * r[j * n + k];
      r[i * n + j] = t / d;
    }
  }
  return r;
}

/** X (n x m, row-major) with L L' X = B, by forward then backward substitution on the lower factor L. */
export function choleskySolve(L: Float64Array, n: number, B: Float64Array, m: number): Float64Array {
  const X = new Float64Array(n * m);
  const y = new Float64Array(n);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let t = B[i * m + c];
      for (let k = 0; k < i; k++) t -= L[i * n + k] * y[k];
      y[i] = t / L[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let t = y[i];
      for (let k = i + 1; k < n; k++) t -= L[k * n + i] * X[k * m + c];
      X[i * m + c] = t / L[i * n + i];
    }
  }
  return X;
}

/**
 * Inverse of the lower Cholesky factor of a symmetric positive-definite matrix (a = R R', returns R^-1, lower
 * triangular, so that a^-1 = R^-T R^-1), or null when a pivot falls below tol * the largest diagonal entry, i.e. the
 * matrix is singular or too close to it: callers then use the eigen-decomposition's pseudo-inverse instead.
 */
export function choleskyInverse(a: Float64Array, n: number, tol = 1e-10): Float64Array | null {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
  if (!(maxDiag > 0)) return null;
  const r = cholesky(a, n, (s) => (s > tol * maxDiag ? s : null));
  if (!r) return null;
  // Forward substitution, column by column: R X = I.
  const inv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let t = i === c ? 1 : 0;
      for (let k = c; k < i; k++) t -= r[i * n + k] * inv[k * n + c];
      inv[i * n + c] = t / r[i * n + i];
    }
  }
  return inv;
}
