// AssemblyScript source of the analysis kernels (nc/wasm-kernels.ts), compiled by scripts/build-wasm.mjs into
// nc/analysis-module.ts. Every pointer is a byte address in a memory that the JavaScript side owns and imports
// here (shared, so that helper threads can run slices of the same call); the module allocates nothing.
// The products are float64 (f64x2): float32 samples are widened as they are packed, so the results are those of
// the float64 JavaScript loops they replace, only faster (no rounding to float32 anywhere).

/**
 * out[i*R + r] = A_r . (x_i - shift_i) for the float32 rows i0..i1 of x (length dim each) and the R rows of A.
 * a: A packed by blocks of 4 rows, [R4/4][dim][4] float64 (rows past R are zero); shift: C x dim float64;
 * mode 0: no shift, 1: row 0 of shift for every sample, 2: row idx[i] (int32). norms[i] = ||x_i - shift_i||^2.
 * buf: 4 * dim float64 of scratch for this thread (4 samples interleaved: buf[k*4 + s]).
 */
export function project(
  x: usize,
  dim: i32,
  a: usize,
  R: i32,
  R4: i32,
  shift: usize,
  idx: usize,
  mode: i32,
  out: usize,
  norms: usize,
  buf: usize,
  i0: i32,
  i1: i32,
): void {
  const d = <usize>dim;
  for (let ib = i0; ib < i1; ib += 4) {
    const nb = min(4, i1 - ib);
    for (let s = 0; s < 4; s++) {
      if (s >= nb) {
        for (let k: usize = 0; k < d; k++) store<f64>(buf + ((k << 2) + s) * 8, 0);
        continue;
      }
      const i = ib + s;
      const xp = x + <usize>i * d * 4;
      let sp: usize = 0;
      if (mode == 1) sp = shift;
      else if (mode == 2) sp = shift + <usize>load<i32>(idx + ((<usize>i) << 2)) * d * 8;
      let s2: f64 = 0;
      for (let k: usize = 0; k < d; k++) {
        let v = <f64>load<f32>(xp + (k << 2));
        if (mode != 0) v -= load<f64>(sp + (k << 3));
        store<f64>(buf + ((k << 2) + s) * 8, v);
        s2 += v * v;
      }
      store<f64>(norms + ((<usize>i) << 3), s2);
    }
    for (let rb = 0; rb < R4; rb += 4) {
      let c00 = f64x2.splat(0),
        c01 = f64x2.splat(0); // rows rb..rb+3 x samples (0,1) and (2,3)
      let c10 = f64x2.splat(0),
        c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0),
        c21 = f64x2.splat(0);
      let c30 = f64x2.splat(0),
        c31 = f64x2.splat(0);
      let ap = a + <usize>rb * d * 8;
      let bp = buf;
      const end = buf + d * 32;
      while (bp < end) {
        const x01 = v128.load(bp);
        const x23 = v128.load(bp, 16);
        const a0 = v128.load64_splat(ap);
        const a1 = v128.load64_splat(ap, 8);
        const a2 = v128.load64_splat(ap, 16);
        const a3 = v128.load64_splat(ap, 24);
        c00 = f64x2.add(c00, f64x2.mul(a0, x01));
        c01 = f64x2.add(c01, f64x2.mul(a0, x23));
        c10 = f64x2.add(c10, f64x2.mul(a1, x01));
        c11 = f64x2.add(c11, f64x2.mul(a1, x23));
        c20 = f64x2.add(c20, f64x2.mul(a2, x01));
        c21 = f64x2.add(c21, f64x2.mul(a2, x23));
        c30 = f64x2.add(c30, f64x2.mul(a3, x01));
        c31 = f64x2.add(c31, f64x2.mul(a3, x23));
        ap += 32;
        bp += 32;
      }
      put(out, R, ib, nb, rb, c00, c01);
      if (rb + 1 < R) put(out, R, ib, nb, rb + 1, c10, c11);
      if (rb + 2 < R) put(out, R, ib, nb, rb + 2, c20, c21);
      if (rb + 3 < R) put(out, R, ib, nb, rb + 3, c30, c31);
    }
  }
}

/** Writes one reference row's results for the samples ib..ib+nb (lanes: samples 0,1 then 2,3). */
function put(out: usize, R: i32, ib: i32, nb: i32, r: i32, lo: v128, hi: v128): void {
  const o = out + (<usize>ib * <usize>R + <usize>r) * 8;
  const st = <usize>R * 8;
  store<f64>(o, f64x2.extract_lane(lo, 0));
  if (nb > 1) store<f64>(o + st, f64x2.extract_lane(lo, 1));
  if (nb > 2) store<f64>(o + 2 * st, f64x2.extract_lane(hi, 0));
  if (nb > 3) store<f64>(o + 3 * st, f64x2.extract_lane(hi, 1));
}

/**
 * Upper triangle of G += sum over rows i0..i1 of q_i q_i' (q: n x C float64, G: C x C float64), for the G rows
 * a0..a1 only, so that threads can split G by rows. Two samples per sweep of G.
 */
export function gramUpper(q: usize, C: i32, g: usize, i0: i32, i1: i32, a0: i32, a1: i32): void {
  const c = <usize>C;
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const q0 = q + <usize>i * c * 8;
    const q1 = q0 + c * 8;
    for (let a = a0; a < a1; a++) {
      const p = f64x2.replace_lane(
        f64x2.splat(load<f64>(q0 + ((<usize>a) << 3))),
        1,
        load<f64>(q1 + ((<usize>a) << 3)),
      );
      const go = g + <usize>a * c * 8;
      let b = <usize>a;
      for (; b + 1 < c; b += 2) {
        // G[a][b], G[a][b+1] += q0[a] (q0[b], q0[b+1]) + q1[a] (q1[b], q1[b+1])
        const r0 = v128.load(q0 + (b << 3));
        const r1 = v128.load(q1 + (b << 3));
        const s = f64x2.add(
          f64x2.mul(f64x2.splat(f64x2.extract_lane(p, 0)), r0),
          f64x2.mul(f64x2.splat(f64x2.extract_lane(p, 1)), r1),
        );
        v128.store(go + (b << 3), f64x2.add(v128.load(go + (b << 3)), s));
      }
      if (b < c)
        store<f64>(
          go + (b << 3),
          load<f64>(go + (b << 3)) +
            f64x2.extract_lane(p, 0) * load<f64>(q0 + (b << 3)) +
            f64x2.extract_lane(p, 1) * load<f64>(q1 + (b << 3)),
        );
    }
  }
  for (; i < i1; i++) {
    const q0 = q + <usize>i * c * 8;
    for (let a = a0; a < a1; a++) {
      const p = load<f64>(q0 + ((<usize>a) << 3));
      const go = g + <usize>a * c * 8;
      for (let b = <usize>a; b < c; b++)
        store<f64>(go + (b << 3), load<f64>(go + (b << 3)) + p * load<f64>(q0 + (b << 3)));
    }
  }
}
