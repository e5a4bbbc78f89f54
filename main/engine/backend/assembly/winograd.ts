// AssemblyScript source of the Winograd F(4x4, 3x3) tile transforms (wasm/winograd.ts), compiled by
// scripts/build-wasm.mjs into wasm/simd-module.ts. It runs on tfjs-wasm's own shared memory: every pointer is a
// byte address in that heap, the module has no data of its own and allocates nothing. Each function does one
// slice of the work (tiles t0..t1, or filter elements e0..e1) so that two threads can split a call.
// Channels are processed four at a time (f32x4): every channel count must be a multiple of 4.
//   Y = A^T [ (G g G^T) . (B^T d B) ] A,   d: 6x6 input tile (stride 4), Y: 4x4 output tile.

// Scratch per thread (scratch + thread * SCRATCH bytes): 36 input pointers, then 36 v128 temporaries.
const SCRATCH: usize = 36 * 4 + 36 * 16;

/** V[k] (tiles x c, at out[k]) = B^T d B for tiles t0..t1; taps outside the image read `zero` (c floats of 0). */
export function inputTransform(
  x: usize,
  hh: i32,
  ww: i32,
  c: i32,
  th: i32,
  tw: i32,
  zero: usize,
  out: usize,
  scratch: usize,
  t0: i32,
  t1: i32,
): void {
  const ptr = scratch;
  const tmp = scratch + 36 * 4;
  const cb = (<usize>c) << 2;
  for (let t = t0; t < t1; t++) {
    const img = t / (th * tw);
    const r = t - img * th * tw;
    const ty = r / tw;
    const tx = r - ty * tw;
    for (let i = 0; i < 6; i++) {
      const y = 4 * ty + i - 1;
      for (let j = 0; j < 6; j++) {
        const xx = 4 * tx + j - 1;
        const inside = y >= 0 && y < hh && xx >= 0 && xx < ww;
        store<u32>(
          ptr + ((i * 6 + j) << 2),
          inside ? <u32>(x + <usize>((img * hh + y) * ww + xx) * cb) : <u32>zero,
        );
      }
    }
    const o = <usize>t * cb;
    for (let ch: usize = 0; ch < cb; ch += 16) {
      // Columns: tmp[i][j] = (B^T d)[i][j].
      for (let j = 0; j < 6; j++) {
        const d0 = v128.load(<usize>load<u32>(ptr + (j << 2)) + ch);
        const d1 = v128.load(<usize>load<u32>(ptr + ((6 + j) << 2)) + ch);
        const d2 = v128.load(<usize>load<u32>(ptr + ((12 + j) << 2)) + ch);
        const d3 = v128.load(<usize>load<u32>(ptr + ((18 + j) << 2)) + ch);
        const d4 = v128.load(<usize>load<u32>(ptr + ((24 + j) << 2)) + ch);
        const d5 = v128.load(<usize>load<u32>(ptr + ((30 + j) << 2)) + ch);
        const f4 = f32x4.splat(4);
        const f5 = f32x4.splat(5);
        const f2 = f32x4.splat(2);
        const q = tmp + (j << 4);
        v128.store(q, f32x4.add(f32x4.sub(f32x4.mul(f4, d0), f32x4.mul(f5, d2)), d4));
        v128.store(q + 96, f32x4.sub(f32x4.add(d3, d4), f32x4.mul(f4, f32x4.add(d1, d2))));
        v128.store(q + 192, f32x4.add(f32x4.sub(d4, d3), f32x4.mul(f4, f32x4.sub(d1, d2))));
        v128.store(q + 288, f32x4.add(f32x4.sub(d4, d2), f32x4.mul(f2, f32x4.sub(d3, d1))));
        v128.store(q + 384, f32x4.add(f32x4.sub(d4, d2), f32x4.mul(f2, f32x4.sub(d1, d3))));
        v128.store(q + 480, f32x4.add(f32x4.sub(f32x4.mul(f4, d1), f32x4.mul(f5, d3)), d5));
      }
      // Rows: V[i*6 + j] = (tmp B)[i][j].
      for (let i = 0; i < 6; i++) {
        const q = tmp + <usize>(i * 96);
        const d0 = v128.load(q);
        const d1 = v128.load(q + 16);
        const d2 = v128.load(q + 32);
        const d3 = v128.load(q + 48);
        const d4 = v128.load(q + 64);
        const d5 = v128.load(q + 80);
        const f4 = f32x4.splat(4);
        const f5 = f32x4.splat(5);
        const f2 = f32x4.splat(2);
        const k = out + <usize>(i * 24);
        const at = o + ch;
        v128.store(<usize>load<u32>(k) + at, f32x4.add(f32x4.sub(f32x4.mul(f4, d0), f32x4.mul(f5, d2)), d4));
        v128.store(
          <usize>load<u32>(k + 4) + at,
          f32x4.sub(f32x4.add(d3, d4), f32x4.mul(f4, f32x4.add(d1, d2))),
        );
        v128.store(
          <usize>load<u32>(k + 8) + at,
          f32x4.add(f32x4.sub(d4, d3), f32x4.mul(f4, f32x4.sub(d1, d2))),
        );
        v128.store(
          <usize>load<u32>(k + 12) + at,
          f32x4.add(f32x4.sub(d4, d2), f32x4.mul(f2, f32x4.sub(d3, d1))),
        );
        v128.store(
          <usize>load<u32>(k + 16) + at,
          f32x4.add(f32x4.sub(d4, d2), f32x4.mul(f2, f32x4.sub(d1, d3))),
        );
        v128.store(
          <usize>load<u32>(k + 20) + at,
          f32x4.add(f32x4.sub(f32x4.mul(f4, d1), f32x4.mul(f5, d3)), d5),
        );
      }
    }
  }
}

/**
 * Y (NHWC, hh x ww x co) = A^T M A (+ bias, ReLU) for tiles t0..t1, M[k] (tiles x co) at m[k]; partial edge
 * tiles are cropped. bias = 0: none.
 */
export function outputTransform(
  m: usize,
  y: usize,
  hh: i32,
  ww: i32,
  co: i32,
  th: i32,
  tw: i32,
  bias: usize,
  relu: i32,
  scratch: usize,
  t0: i32,
  t1: i32,
): void {
  const tmp = scratch + 36 * 4;
  const cb = (<usize>co) << 2;
  const zero = f32x4.splat(0);
  const f2 = f32x4.splat(2);
  const f4 = f32x4.splat(4);
  const f8 = f32x4.splat(8);
  for (let t = t0; t < t1; t++) {
    const img = t / (th * tw);
    const r = t - img * th * tw;
    const ty = r / tw;
    const tx = r - ty * tw;
    const rows = min(4, hh - 4 * ty);
    const cols = min(4, ww - 4 * tx);
    const src = <usize>t * cb;
    const dst = y + <usize>((img * hh + 4 * ty) * ww + 4 * tx) * cb;
    for (let ch: usize = 0; ch < cb; ch += 16) {
      const b = bias ? v128.load(bias + ch) : zero;
      // Columns j: tmp[r][j] = (A^T M)[r][j].
      for (let j = 0; j < 6; j++) {
        const at = src + ch;
        const m0 = v128.load(<usize>load<u32>(m + (j << 2)) + at);
        const m1 = v128.load(<usize>load<u32>(m + ((6 + j) << 2)) + at);
        const m2 = v128.load(<usize>load<u32>(m + ((12 + j) << 2)) + at);
        const m3 = v128.load(<usize>load<u32>(m + ((18 + j) << 2)) + at);
        const m4 = v128.load(<usize>load<u32>(m + ((24 + j) << 2)) + at);
        const m5 = v128.load(<usize>load<u32>(m + ((30 + j) << 2)) + at);
        const p = f32x4.add(m1, m2);
        const q = f32x4.sub(m1, m2);
        const u = f32x4.add(m3, m4);
        const w = f32x4.sub(m3, m4);
        const s = tmp + (j << 4);
        v128.store(s, f32x4.add(f32x4.add(m0, p), u));
        v128.store(s + 96, f32x4.add(q, f32x4.mul(f2, w)));
        v128.store(s + 192, f32x4.add(p, f32x4.mul(f4, u)));
        v128.store(s + 288, f32x4.add(f32x4.add(q, f32x4.mul(f8, w)), m5));
      }
      // Rows: Y[r][c] = (tmp A)[r][c] + bias.
      for (let i = 0; i < rows; i++) {
        const s = tmp + <usize>(i * 96);
        const m0 = v128.load(s);
        const m1 = v128.load(s + 16);
        const m2 = v128.load(s + 32);
        const m3 = v128.load(s + 48);
        const m4 = v128.load(s + 64);
        const m5 = v128.load(s + 80);
        const p = f32x4.add(m1, m2);
        const q = f32x4.sub(m1, m2);
        const u = f32x4.add(m3, m4);
        const w = f32x4.sub(m3, m4);
        let v0 = f32x4.add(f32x4.add(f32x4.add(m0, p), u), b);
        let v1 = f32x4.add(f32x4.add(q, f32x4.mul(f2, w)), b);
        let v2 = f32x4.add(f32x4.add(p, f32x4.mul(f4, u)), b);
        let v3 = f32x4.add(f32x4.add(f32x4.add(q, f32x4.mul(f8, w)), m5), b);
        if (relu) {
          v0 = f32x4.max(v0, zero);
          v1 = f32x4.max(v1, zero);
          v2 = f32x4.max(v2, zero);
          v3 = f32x4.max(v3, zero);
        }
        const row = dst + <usize>(i * ww) * cb + ch;
        v128.store(row, v0);
        if (cols > 1) v128.store(row + cb, v1);
        if (cols > 2) v128.store(row + 2 * cb, v2);
        if (cols > 3) v128.store(row + 3 * cb, v3);
      }
    }
  }
}

/** U[k] (ci x co, at out[k]) = G g G^T for HWIO filter elements e0..e1 of the ci*co (a multiple of 4). */
export function filterTransform(f: usize, s: i32, out: usize, e0: i32, e1: i32): void {
  const sb = (<usize>s) << 2;
  const q = f32x4.splat(0.25);
  const six = f32x4.splat(1.0 / 6.0);
  const d12 = f32x4.splat(1.0 / 12.0);
  const t24 = f32x4.splat(1.0 / 24.0);
  for (let e: usize = (<usize>e0) << 2; e < (<usize>e1) << 2; e += 16) {
    // Gg: 6 rows x 3 columns, kept in registers as 18 vectors.
    const a0 = v128.load(f + e);
    const a1 = v128.load(f + e + sb);
    const a2 = v128.load(f + e + 2 * sb);
    const b0 = v128.load(f + e + 3 * sb);
    const b1 = v128.load(f + e + 4 * sb);
    const b2 = v128.load(f + e + 5 * sb);
    const c0 = v128.load(f + e + 6 * sb);
    const c1 = v128.load(f + e + 7 * sb);
    const c2 = v128.load(f + e + 8 * sb);
    // Row r of G applied to (a, b, c) = filter rows 0, 1, 2, per column.
    for (let r = 0; r < 6; r++) {
      let x0: v128, x1: v128, x2: v128;
      if (r == 0) {
        x0 = f32x4.mul(a0, q);
        x1 = f32x4.mul(a1, q);
        x2 = f32x4.mul(a2, q);
      } else if (r == 1) {
        x0 = f32x4.neg(f32x4.mul(f32x4.add(f32x4.add(a0, b0), c0), six));
        x1 = f32x4.neg(f32x4.mul(f32x4.add(f32x4.add(a1, b1), c1), six));
        x2 = f32x4.neg(f32x4.mul(f32x4.add(f32x4.add(a2, b2), c2), six));
      } else if (r == 2) {
        x0 = f32x4.neg(f32x4.mul(f32x4.add(f32x4.sub(a0, b0), c0), six));
        x1 = f32x4.neg(f32x4.mul(f32x4.add(f32x4.sub(a1, b1), c1), six));
        x2 = f32x4.neg(f32x4.mul(f32x4.add(f32x4.sub(a2, b2), c2), six));
      } else if (r == 3) {
        x0 = f32x4.add(f32x4.add(f32x4.mul(a0, t24), f32x4.mul(b0, d12)), f32x4.mul(c0, six));
        x1 = f32x4.add(f32x4.add(f32x4.mul(a1, t24), f32x4.mul(b1, d12)), f32x4.mul(c1, six));
        x2 = f32x4.add(f32x4.add(f32x4.mul(a2, t24), f32x4.mul(b2, d12)), f32x4.mul(c2, six));
      } else if (r == 4) {
        x0 = f32x4.add(f32x4.sub(f32x4.mul(a0, t24), f32x4.mul(b0, d12)), f32x4.mul(c0, six));
        x1 = f32x4.add(f32x4.sub(f32x4.mul(a1, t24), f32x4.mul(b1, d12)), f32x4.mul(c1, six));
        x2 = f32x4.add(f32x4.sub(f32x4.mul(a2, t24), f32x4.mul(b2, d12)), f32x4.mul(c2, six));
      } else {
        x0 = c0;
        x1 = c1;
        x2 = c2;
      }
      const k = out + <usize>(r * 24);
      v128.store(<usize>load<u32>(k) + e, f32x4.mul(x0, q));
      v128.store(<usize>load<u32>(k + 4) + e, f32x4.neg(f32x4.mul(f32x4.add(f32x4.add(x0, x1), x2), six)));
      v128.store(<usize>load<u32>(k + 8) + e, f32x4.neg(f32x4.mul(f32x4.add(f32x4.sub(x0, x1), x2), six)));
      v128.store(
        <usize>load<u32>(k + 12) + e,
        f32x4.add(f32x4.add(f32x4.mul(x0, t24), f32x4.mul(x1, d12)), f32x4.mul(x2, six)),
      );
      v128.store(
        <usize>load<u32>(k + 16) + e,
        f32x4.add(f32x4.sub(f32x4.mul(x0, t24), f32x4.mul(x1, d12)), f32x4.mul(x2, six)),
      );
      v128.store(<usize>load<u32>(k + 20) + e, x2);
    }
  }
}

// Filter gradient of the same convolution (Winograd's transpose): with V = B^T d B from inputTransform and
//   dM = A dY A^T   (dY: 4x4 output-gradient tile, zero past the image),
//   dU[k] = V[k]^T dM[k]   (36 GEMMs, done by the caller),   dg = G^T dU G.

/** dM[k] (tiles x co, at out[k]) = A dY A^T for tiles t0..t1; taps past the image read `zero` (co floats of 0). */
export function gradOutputTransform(
  dy: usize,
  hh: i32,
  ww: i32,
  co: i32,
  th: i32,
  tw: i32,
  zero: usize,
  out: usize,
  scratch: usize,
  t0: i32,
  t1: i32,
): void {
  const ptr = scratch;
  const tmp = scratch + 36 * 4;
  const cb = (<usize>co) << 2;
  const f2 = f32x4.splat(2);
  const f4 = f32x4.splat(4);
  const f8 = f32x4.splat(8);
  for (let t = t0; t < t1; t++) {
    const img = t / (th * tw);
    const r = t - img * th * tw;
    const ty = r / tw;
    const tx = r - ty * tw;
    for (let i = 0; i < 4; i++) {
      const y = 4 * ty + i;
      for (let j = 0; j < 4; j++) {
        const xx = 4 * tx + j;
        const inside = y < hh && xx < ww;
        store<u32>(
          ptr + ((i * 4 + j) << 2),
          inside ? <u32>(dy + <usize>((img * hh + y) * ww + xx) * cb) : <u32>zero,
        );
      }
    }
    const o = <usize>t * cb;
    for (let ch: usize = 0; ch < cb; ch += 16) {
      // Columns c: tmp[i][c] = (A dY)[i][c].
      for (let c = 0; c < 4; c++) {
        const y0 = v128.load(<usize>load<u32>(ptr + (c << 2)) + ch);
        const y1 = v128.load(<usize>load<u32>(ptr + ((4 + c) << 2)) + ch);
        const y2 = v128.load(<usize>load<u32>(ptr + ((8 + c) << 2)) + ch);
        const y3 = v128.load(<usize>load<u32>(ptr + ((12 + c) << 2)) + ch);
        const e = f32x4.add(y0, y2);
        const d = f32x4.add(y1, y3);
        const e4 = f32x4.add(y0, f32x4.mul(f4, y2));
        const d8 = f32x4.add(f32x4.mul(f2, y1), f32x4.mul(f8, y3));
        const q = tmp + (c << 4);
        v128.store(q, y0);
        v128.store(q + 64, f32x4.add(e, d));
        v128.store(q + 128, f32x4.sub(e, d));
        v128.store(q + 192, f32x4.add(e4, d8));
        v128.store(q + 256, f32x4.sub(e4, d8));
        v128.store(q + 320, y3);
      }
      // Rows i: dM[6i + j] = (tmp A^T)[i][j].
      for (let i = 0; i < 6; i++) {
        const q = tmp + <usize>(i * 64);
        const y0 = v128.load(q);
        const y1 = v128.load(q + 16);
        const y2 = v128.load(q + 32);
        const y3 = v128.load(q + 48);
        const e = f32x4.add(y0, y2);
        const d = f32x4.add(y1, y3);
        const e4 = f32x4.add(y0, f32x4.mul(f4, y2));
        const d8 = f32x4.add(f32x4.mul(f2, y1), f32x4.mul(f8, y3));
        const k = out + <usize>(i * 24);
        const at = o + ch;
        v128.store(<usize>load<u32>(k) + at, y0);
        v128.store(<usize>load<u32>(k + 4) + at, f32x4.add(e, d));
        v128.store(<usize>load<u32>(k + 8) + at, f32x4.sub(e, d));
        v128.store(<usize>load<u32>(k + 12) + at, f32x4.add(e4, d8));
        v128.store(<usize>load<u32>(k + 16) + at, f32x4.sub(e4, d8));
        v128.store(<usize>load<u32>(k + 20) + at, y3);
      }
    }
  }
}

/** dg (HWIO 3x3, s = ci*co) = G^T dU G for filter elements e0..e1, dU[k] (ci x co) at du[k]. */
export function filterGradTransform(du: usize, s: i32, out: usize, scratch: usize, e0: i32, e1: i32): void {
  const tmp = scratch + 36 * 4;
  const sb = (<usize>s) << 2;
  const q4 = f32x4.splat(0.25);
  const six = f32x4.splat(1.0 / 6.0);
  const d12 = f32x4.splat(1.0 / 12.0);
  const t24 = f32x4.splat(1.0 / 24.0);
  for (let e: usize = (<usize>e0) << 2; e < (<usize>e1) << 2; e += 16) {
    // Columns j: tmp[a][j] = (G^T dU)[a][j].
    for (let j = 0; j < 6; j++) {
      const u0 = v128.load(<usize>load<u32>(du + (j << 2)) + e);
      const u1 = v128.load(<usize>load<u32>(du + ((6 + j) << 2)) + e);
      const u2 = v128.load(<usize>load<u32>(du + ((12 + j) << 2)) + e);
      const u3 = v128.load(<usize>load<u32>(du + ((18 + j) << 2)) + e);
      const u4 = v128.load(<usize>load<u32>(du + ((24 + j) << 2)) + e);
      const u5 = v128.load(<usize>load<u32>(du + ((30 + j) << 2)) + e);
      const p = f32x4.add(u1, u2);
      const m = f32x4.sub(u2, u1);
      const p34 = f32x4.add(u3, u4);
      const m34 = f32x4.sub(u3, u4);
      const q = tmp + (j << 4);
      v128.store(q, f32x4.add(f32x4.sub(f32x4.mul(u0, q4), f32x4.mul(p, six)), f32x4.mul(p34, t24)));
      v128.store(q + 96, f32x4.add(f32x4.mul(m, six), f32x4.mul(m34, d12)));
      v128.store(q + 192, f32x4.add(f32x4.mul(f32x4.sub(p34, p), six), u5));
    }
    // Rows a: dg[a][b] = (tmp G)[a][b].
    for (let a = 0; a < 3; a++) {
      const q = tmp + <usize>(a * 96);
      const u0 = v128.load(q);
      const u1 = v128.load(q + 16);
      const u2 = v128.load(q + 32);
      const u3 = v128.load(q + 48);
      const u4 = v128.load(q + 64);
      const u5 = v128.load(q + 80);
      const p = f32x4.add(u1, u2);
      const m = f32x4.sub(u2, u1);
      const p34 = f32x4.add(u3, u4);
      const m34 = f32x4.sub(u3, u4);
      const row = out + <usize>(a * 3) * sb + e;
      v128.store(row, f32x4.add(f32x4.sub(f32x4.mul(u0, q4), f32x4.mul(p, six)), f32x4.mul(p34, t24)));
      v128.store(row + sb, f32x4.add(f32x4.mul(m, six), f32x4.mul(m34, d12)));
      v128.store(row + 2 * sb, f32x4.add(f32x4.mul(f32x4.sub(p34, p), six), u5));
    }
  }
}

/** Matrices k0..k1 of a table: dst[k] (cols x rows) = src[k] (rows x cols)^T, cols a multiple of 4. */
export function transposeTable(src: usize, dst: usize, rows: i32, cols: i32, k0: i32, k1: i32): void {
  const rb = (<usize>rows) << 2;
  const cb = (<usize>cols) << 2;
  const r4 = rows & ~3;
  for (let k = k0; k < k1; k++) {
    const s = <usize>load<u32>(src + ((<usize>k) << 2));
    const d = <usize>load<u32>(dst + ((<usize>k) << 2));
    for (let r = 0; r < r4; r += 4) {
      const a = s + <usize>r * cb;
      for (let c: usize = 0; c < cb; c += 16) {
        const x0 = v128.load(a + c);
        const x1 = v128.load(a + cb + c);
        const x2 = v128.load(a + 2 * cb + c);
        const x3 = v128.load(a + 3 * cb + c);
        const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
        const o = d + (c >> 2) * rb + ((<usize>r) << 2);
        v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(o + rb, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
        v128.store(o + 2 * rb, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
        v128.store(o + 3 * rb, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
      }
    }
    for (let r = r4; r < rows; r++)
      for (let c = 0; c < cols; c++)
        store<f32>(d + <usize>c * rb + ((<usize>r) << 2), load<f32>(s + <usize>r * cb + ((<usize>c) << 2)));
  }
}

/**
 * part (cols floats) = sum of rows r0..r1 of x (rows x cols, cols a multiple of 4), in blocks of 64 rows summed
 * separately (part + cols floats hold the block's sums) so that float32 rounding grows with 64 + rows / 64, not rows.
 */
export function columnSum(x: usize, cols: i32, part: usize, r0: i32, r1: i32): void {
  const cb = (<usize>cols) << 2;
  const block = part + cb;
  for (let c: usize = 0; c < cb; c += 16) v128.store(part + c, f32x4.splat(0));
  for (let b = r0; b < r1; b += 64) {
    for (let c: usize = 0; c < cb; c += 16) v128.store(block + c, f32x4.splat(0));
    const end = min(r1, b + 64);
    for (let r = b; r < end; r++) {
      const a = x + <usize>r * cb;
      for (let c: usize = 0; c < cb; c += 16)
        v128.store(block + c, f32x4.add(v128.load(block + c), v128.load(a + c)));
    }
    for (let c: usize = 0; c < cb; c += 16)
      v128.store(part + c, f32x4.add(v128.load(part + c), v128.load(block + c)));
  }
}

/** Division rounding down, also for negative a (s > 0). */
function floorDiv(a: i32, s: i32): i32 {
  return a >= 0 ? a / s : -((s - 1 - a) / s);
}

/**
 * Direct filter gradient for images n0..n1, into this thread's `out` (2 x kh*kw*ci*co floats: the sum, then one
 * image's block, so float32 rounding grows with the pixels of one image plus the images, not their product):
 *   dW[ky,kx,c,o] = sum_{n,oy,ox} x[n, oy*s+ky-pt, ox*s+kx-pl, c] dy[n,oy,ox,o]   (taps outside x count as 0).
 * NHWC float32; co a multiple of 4. Per image and tap, a GEMM over the pixels whose tap falls inside x: blocks of
 * 4 input x 8 output channels are summed in 8 registers over every such pixel (22 instructions for 32
 * multiply-adds), the rest (ci not a multiple of 4, co not of 8) in blocks of 1 x 4.
 */
export function filterGradDirect(
  x: usize,
  hh: i32,
  ww: i32,
  ci: i32,
  dy: usize,
  oh: i32,
  ow: i32,
  co: i32,
  kh: i32,
  kw: i32,
  s: i32,
  pt: i32,
  pl: i32,
  out: usize,
  n0: i32,
  n1: i32,
): void {
  const cob = (<usize>co) << 2;
  const cib = (<usize>ci) << 2;
  const size = <usize>(kh * kw * ci) * cob;
  const blk = out + size;
  const c4 = ci & ~3;
  const o8 = co & ~7;
  for (let o: usize = 0; o < size; o += 16) v128.store(out + o, f32x4.splat(0));
  for (let n = n0; n < n1; n++) {
    for (let o: usize = 0; o < size; o += 16) v128.store(blk + o, f32x4.splat(0));
    const xn = x + <usize>(n * hh * ww) * cib;
    const dn = dy + <usize>(n * oh * ow) * cob;
    for (let ky = 0; ky < kh; ky++) {
      // output rows whose tap ky lands inside x: 0 <= oy*s + ky - pt < hh
      const y0 = max(0, -floorDiv(ky - pt, s));
      const y1 = min(oh, floorDiv(hh - 1 + pt - ky, s) + 1);
      for (let kx = 0; kx < kw; kx++) {
        const x0 = max(0, -floorDiv(kx - pl, s));
        const x1 = min(ow, floorDiv(ww - 1 + pl - kx, s) + 1);
        if (y0 >= y1 || x0 >= x1) continue;
        const tap = blk + <usize>((ky * kw + kx) * ci) * cob;
        for (let c = 0; c < ci; c += 4) {
          const full = c < c4;
          for (let o = 0; o < co; o += 8) {
            if (full && o < o8) {
              let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0); // prettier-ignore
              let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0); // prettier-ignore
              for (let oy = y0; oy < y1; oy++) {
                let xp = xn + <usize>((oy * s + ky - pt) * ww + x0 * s + kx - pl) * cib + ((<usize>c) << 2);
                let dp = dn + <usize>(oy * ow + x0) * cob + ((<usize>o) << 2);
                const xs = <usize>s * cib;
                for (let ox = x0; ox < x1; ox++) {
                  const d0 = v128.load(dp);
                  const d1 = v128.load(dp, 16);
                  const v0 = v128.load32_splat(xp);
                  const v1 = v128.load32_splat(xp, 4);
                  const v2 = v128.load32_splat(xp, 8);
                  const v3 = v128.load32_splat(xp, 12);
                  a00 = f32x4.add(a00, f32x4.mul(v0, d0));
                  a01 = f32x4.add(a01, f32x4.mul(v0, d1));
                  a10 = f32x4.add(a10, f32x4.mul(v1, d0));
                  a11 = f32x4.add(a11, f32x4.mul(v1, d1));
                  a20 = f32x4.add(a20, f32x4.mul(v2, d0));
                  a21 = f32x4.add(a21, f32x4.mul(v2, d1));
                  a30 = f32x4.add(a30, f32x4.mul(v3, d0));
                  a31 = f32x4.add(a31, f32x4.mul(v3, d1));
                  xp += xs;
                  dp += cob;
                }
              }
              const ap = tap + <usize>c * cob + ((<usize>o) << 2);
              v128.store(ap, f32x4.add(v128.load(ap), a00));
              v128.store(ap, f32x4.add(v128.load(ap, 16), a01), 16);
              v128.store(ap + cob, f32x4.add(v128.load(ap + cob), a10));
              v128.store(ap + cob, f32x4.add(v128.load(ap + cob, 16), a11), 16);
              v128.store(ap + 2 * cob, f32x4.add(v128.load(ap + 2 * cob), a20));
              v128.store(ap + 2 * cob, f32x4.add(v128.load(ap + 2 * cob, 16), a21), 16);
              v128.store(ap + 3 * cob, f32x4.add(v128.load(ap + 3 * cob), a30));
              v128.store(ap + 3 * cob, f32x4.add(v128.load(ap + 3 * cob, 16), a31), 16);
            } else {
              // the remainder, one input channel x 4 output channels at a time
              const ce = full ? c + 4 : ci;
              for (let cc = c; cc < ce; cc++)
                for (let oo = o; oo < min(co, o + 8); oo += 4) {
                  let acc = f32x4.splat(0);
                  for (let oy = y0; oy < y1; oy++) {
                    let xp =
                      xn + <usize>((oy * s + ky - pt) * ww + x0 * s + kx - pl) * cib + ((<usize>cc) << 2);
                    let dp = dn + <usize>(oy * ow + x0) * cob + ((<usize>oo) << 2);
                    const xs = <usize>s * cib;
                    for (let ox = x0; ox < x1; ox++) {
                      acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
                      xp += xs;
                      dp += cob;
                    }
                  }
                  const ap = tap + <usize>cc * cob + ((<usize>oo) << 2);
                  v128.store(ap, f32x4.add(v128.load(ap), acc));
                }
            }
          }
        }
      }
    }
    for (let o: usize = 0; o < size; o += 16)
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(blk + o)));
  }
}

/**
 * Batch norm's backward sums for rows r0..r1 of dy and x (rows x cols, cols a multiple of 4): part[0..cols) =
 * sum dy, part[cols..2 cols) = sum dy x, blocked per 64 rows like columnSum (part + 2 cols: the block's sums).
 * With y (the ReLU's output after batch norm; 0: no ReLU), dy counts only where y > 0: the ReLU's gradient fused.
 */
export function bnGradSums(dy: usize, y: usize, x: usize, cols: i32, part: usize, r0: i32, r1: i32): void {
  const cb = (<usize>cols) << 2;
  const s2 = part + cb;
  const b1 = part + 2 * cb;
  const b2 = part + 3 * cb;
  const zero = f32x4.splat(0);
  for (let c: usize = 0; c < cb; c += 16) {
    v128.store(part + c, zero);
    v128.store(s2 + c, zero);
  }
  for (let b = r0; b < r1; b += 64) {
    for (let c: usize = 0; c < cb; c += 16) {
      v128.store(b1 + c, zero);
      v128.store(b2 + c, zero);
    }
    const end = min(r1, b + 64);
    for (let r = b; r < end; r++) {
      const o = <usize>r * cb;
      if (y) {
        for (let c: usize = 0; c < cb; c += 16) {
          const d = v128.and(v128.load(dy + o + c), f32x4.gt(v128.load(y + o + c), zero));
          v128.store(b1 + c, f32x4.add(v128.load(b1 + c), d));
          v128.store(b2 + c, f32x4.add(v128.load(b2 + c), f32x4.mul(d, v128.load(x + o + c))));
        }
      } else {
        for (let c: usize = 0; c < cb; c += 16) {
          const d = v128.load(dy + o + c);
          v128.store(b1 + c, f32x4.add(v128.load(b1 + c), d));
          v128.store(b2 + c, f32x4.add(v128.load(b2 + c), f32x4.mul(d, v128.load(x + o + c))));
        }
      }
    }
    for (let c: usize = 0; c < cb; c += 16) {
      v128.store(part + c, f32x4.add(v128.load(part + c), v128.load(b1 + c)));
      v128.store(s2 + c, f32x4.add(v128.load(s2 + c), v128.load(b2 + c)));
    }
  }
}

/**
 * Batch norm's input gradient for rows r0..r1: out = a dy + b x + c per channel (coef: a, b, c, cols each); with y
 * (0: none), dy is taken as 0 where y <= 0 (the ReLU after batch norm).
 */
export function bnGradApply(
  dy: usize,
  y: usize,
  x: usize,
  cols: i32,
  coef: usize,
  out: usize,
  r0: i32,
  r1: i32,
): void {
  const cb = (<usize>cols) << 2;
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * cb;
    for (let c: usize = 0; c < cb; c += 16) {
      let d = v128.load(dy + o + c);
      if (y) d = v128.and(d, f32x4.gt(v128.load(y + o + c), zero));
      const v = f32x4.add(
        f32x4.mul(v128.load(coef + c), d),
        f32x4.add(f32x4.mul(v128.load(coef + cb + c), v128.load(x + o + c)), v128.load(coef + 2 * cb + c)),
      );
      v128.store(out + o + c, v);
    }
  }
}

/**
 * Batch norm's output for rows r0..r1: out = (x - mean) a + b per channel (coef: mean, a = gamma invstd, b = beta,
 * cols each; centred first so that |mean| >> std loses nothing), then max(0, .) when relu is 1.
 */
export function bnApply(x: usize, cols: i32, coef: usize, relu: i32, out: usize, r0: i32, r1: i32): void {
  const cb = (<usize>cols) << 2;
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * cb;
    for (let c: usize = 0; c < cb; c += 16) {
      let v = f32x4.add(
        f32x4.mul(f32x4.sub(v128.load(x + o + c), v128.load(coef + c)), v128.load(coef + cb + c)),
        v128.load(coef + 2 * cb + c),
      );
      if (relu) v = f32x4.max(v, zero);
      v128.store(out + o + c, v);
    }
  }
}

/** The residual block's end for v128 lanes r0..r1 (4 floats each): out = max(0, a + b). */
export function addRelu(a: usize, b: usize, out: usize, r0: i32, r1: i32): void {
  const zero = f32x4.splat(0);
  for (let o = (<usize>r0) << 4, e = (<usize>r1) << 4; o < e; o += 16)
    v128.store(out + o, f32x4.max(f32x4.add(v128.load(a + o), v128.load(b + o)), zero));
}

/** A ReLU's gradient for v128 lanes r0..r1 (4 floats each): out = dy where y > 0, else 0 (y: the ReLU's output). */
export function reluMask(dy: usize, y: usize, out: usize, r0: i32, r1: i32): void {
  const zero = f32x4.splat(0);
  for (let o = (<usize>r0) << 4, e = (<usize>r1) << 4; o < e; o += 16)
    v128.store(out + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
}

/**
 * Batch norm's variance sums for rows r0..r1 of x (rows x cols, cols a multiple of 4): part[0..cols) =
 * sum (x - mean)^2 per channel, blocked per 64 rows (part + cols: the block's sums), without writing x - mean.
 */
export function centredSquareSums(x: usize, cols: i32, mean: usize, part: usize, r0: i32, r1: i32): void {
  const cb = (<usize>cols) << 2;
  const blk = part + cb;
  for (let c: usize = 0; c < cb; c += 16) v128.store(part + c, f32x4.splat(0));
  for (let b = r0; b < r1; b += 64) {
    for (let c: usize = 0; c < cb; c += 16) v128.store(blk + c, f32x4.splat(0));
    const end = min(r1, b + 64);
    for (let r = b; r < end; r++) {
      const o = x + <usize>r * cb;
      for (let c: usize = 0; c < cb; c += 16) {
        const d = f32x4.sub(v128.load(o + c), v128.load(mean + c));
        v128.store(blk + c, f32x4.add(v128.load(blk + c), f32x4.mul(d, d)));
      }
    }
    for (let c: usize = 0; c < cb; c += 16)
      v128.store(part + c, f32x4.add(v128.load(part + c), v128.load(blk + c)));
  }
}
