// Issue 18 items 6 and 18: .npy files as numpy writes them (Fortran order for any transposed array, big-endian)
// are read into C order and host byte order; hostile headers are refused before anything is allocated.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy, NpyFormatError, readNpy } from '../../../../main/engine/features/npy';

// Written by numpy 1.24 with test/fixtures/npy/make.py; the expected values are the arange()s that script saved.
const fixture = (name: string) => readNpy(join('test/fixtures/npy', name));
const a = Array.from({ length: 12 }, (_, k) => k * 0.5); // a[i][j] = (4i + j) / 2, shape (3, 4)

function withHeader(header: string, data: Uint8Array): Uint8Array {
  const pre = 10;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  const h = header.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[pre + i] = h.charCodeAt(i);
  out.set(data, total);
  return out;
}
const header = (descr: string, shape: string, fortran = 'False') =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

describe('.npy layouts numpy writes', () => {
  it('reads C order as saved', async () => {
    const x = await fixture('c_f4.npy');
    expect(x.shape).toEqual([3, 4]);
    expect(Array.from(x.data as Float32Array)).toEqual(a);
  });

  it('reads np.save(f, a.T) (Fortran order) as a.T in C order', async () => {
    const x = await fixture('fortran_f4.npy');
    expect(x.shape).toEqual([4, 3]);
    // a.T[j][i] = a[i][j]
    const want = [0, 1, 2, 3].flatMap((j) => [0, 1, 2].map((i) => a[4 * i + j]));
    expect(Array.from(x.data as Float32Array)).toEqual(want);
  });

  it('byte-swaps big-endian float64 and int64', async () => {
    const x = await fixture('big_f8.npy');
    expect(x.dtype).toBe('<f8');
    expect(Array.from(x.data as Float64Array)).toEqual(a);
    const y = await fixture('big_i8.npy');
    expect(Array.from(y.data as BigInt64Array)).toEqual([3n, 1n, 2n]);
  });

  it('reads a big-endian Fortran-order 3-D array and int32 labels', async () => {
    const x = await fixture('fortran_big_f4_3d.npy');
    expect(x.shape).toEqual([2, 3, 4]);
    expect(Array.from(x.data as Float32Array)).toEqual(Array.from({ length: 24 }, (_, k) => k));
    const y = await fixture('big_i4_fortran.npy');
    expect(Array.from(y.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('decodes a Node Buffer read from disk as well as a plain Uint8Array (Buffer.slice is a view)', async () => {
    const raw = await readFile('test/fixtures/npy/c_f4.npy');
    const x = decodeNpy(raw);
    expect(Buffer.from((x.data as Float32Array).buffer).equals(raw.subarray(raw.length - 48))).toBe(true);
  });
});

describe('hostile .npy headers', () => {
  const data = new Uint8Array(16);
  const cases: [string, RegExp][] = [
    [header('<f4', '(1000000000000,)'), /needs 4000000000000 data bytes, the file has 16/],
    [header('<f4', '(100000000000000000000,)'), /too large|needs/],
    [header('<f4', '(-3,)'), /dimension '-3' that is not a whole number/],
    [header('<f4', '(2.5,)'), /dimension '2.5' that is not a whole number/],
    [header('<f4', '(1e3,)'), /dimension '1e3'/],
    [header('<f4', '(4, -4)'), /dimension '-4'/],
    [header('<f4', '(65536, 65536, 65536)'), /needs .* data bytes/],
    [header('<c8', '(1,)'), /dtype <c8 is not accepted/],
    [header('<toString', '(1,)'), /dtype <toString is not accepted/],
    [header('<f4', '(5,)'), /needs 20 data bytes, the file has 16/],
  ];
  it.each(cases)('%s', (h, message) => {
    let err: unknown;
    try {
      decodeNpy(withHeader(h, data));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NpyFormatError);
    expect((err as Error).message).toMatch(message);
  });

  it('a header longer than the file, and an unknown version, are refused', () => {
    const b = withHeader(header('<f4', '(4,)'), data);
    const v = new DataView(b.buffer);
    v.setUint16(8, 60000, true);
    expect(() => decodeNpy(b)).toThrow(/header claims 60000 bytes/);
    const c = withHeader(header('<f4', '(4,)'), data);
    c[6] = 9;
    expect(() => decodeNpy(c)).toThrow(/version 9/);
  });

  it('accepts zero-sized and 0-d arrays', () => {
    expect(decodeNpy(withHeader(header('<f4', '(0, 8)'), new Uint8Array(0))).data.length).toBe(0);
    expect(decodeNpy(withHeader(header('<f8', '()'), new Uint8Array(8))).data.length).toBe(1);
  });
});
