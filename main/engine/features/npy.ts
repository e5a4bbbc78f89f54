// NumPy .npy (format 1.0 / 2.0 / 3.0) so that features move freely between OODLab and Python: we write what
// numpy.load reads, and read what numpy.save writes, including Fortran order (numpy writes it for any transposed
// array, e.g. np.save(f, W.T)) and big-endian data, which are transposed / byte-swapped on load. The header is
// untrusted: shape, dtype and byte count are checked against the file's size before anything is allocated, so
// a shape such as (10**12,), -3 or 2.5 gives a clear message instead of a huge allocation or a raw RangeError.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../runs/atomic';

export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;
export interface NpyArray {
  data: NpyData;
  shape: number[];
  /** NumPy descr, e.g. '<f4'. */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const descrOf = (d: NpyData): string =>
  d instanceof Float32Array ? '<f4'
  : d instanceof Float64Array ? '<f8'
  : d instanceof Int32Array ? '<i4'
  : d instanceof BigInt64Array ? '<i8'
  : d instanceof Int8Array ? '|i1'
  : '|u1'; // prettier-ignore

export class NpyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyFormatError';
  }
}

export function encodeNpy(data: NpyData, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new RangeError(`encodeNpy: shape ${shape.join('x')} does not hold ${data.length} values.`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descrOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pre = 10; // magic(6) + version(2) + header length(2)
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

const ctors = {
  f4: Float32Array,
  f8: Float64Array,
  i4: Int32Array,
  i8: BigInt64Array,
  u1: Uint8Array,
  i1: Int8Array,
} as const;

function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined)
    throw new NpyFormatError(`not a valid .npy header: ${text.trim().slice(0, 200)}`);
  const parts = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const dims = parts.map((p) => {
    // Python 2's numpy wrote longs as 10L.
    if (!/^\d+L?$/.test(p))
      throw new NpyFormatError(`shape (${shape}) has a dimension '${p}' that is not a whole number >= 0.`);
    const n = Number(p.replace('L', ''));
    if (!Number.isSafeInteger(n))
      throw new NpyFormatError(`shape (${shape}) has a dimension too large to hold.`);
    return n;
  });
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** Reverses the bytes of each `size`-byte element in place. */
function byteSwap(b: Uint8Array, size: number): void {
  for (let o = 0; o < b.length; o += size)
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const t = b[o + i];
      b[o + i] = b[o + j];
      b[o + j] = t;
    }
}

/** C-order copy of column-major (Fortran) data of the given shape. */
function fromFortran<T extends NpyData>(src: T, shape: number[]): T {
  if (shape.length < 2) return src;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  const n = shape.length;
  // Fortran strides: 1, d0, d0*d1, ...; walk the C-order index with a counter.
  const fStride = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1));
  const idx = new Array<number>(n).fill(0);
  let f = 0;
  for (let c = 0; c < src.length; c++) {
    out[c] = src[f];
    for (let k = n - 1; k >= 0; k--) {
      idx[k]++;
      f += fStride[k];
      if (idx[k] < shape[k]) break;
      f -= fStride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Parses a .npy buffer: dtypes f4 f8 i4 i8 u1 i1, either byte order, C or Fortran order (returned in C order). */
export function decodeNpy(buf: Uint8Array): NpyArray {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b))
    throw new NpyFormatError('not a .npy file (bad magic).');
  const major = buf[6];
  if (major < 1 || major > 3)
    throw new NpyFormatError(`.npy format version ${major}.${buf[7]} is not known.`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (buf.length < 8 + lenBytes) throw new NpyFormatError('truncated .npy header.');
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + hlen > buf.length)
    throw new NpyFormatError(
      `truncated .npy: the header claims ${hlen} bytes, the file has ${buf.length - start}.`,
    );
  const h = parseHeader(
    new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + hlen)),
  );
  const order = h.descr[0];
  const kind = h.descr.slice(1) as keyof typeof ctors;
  const Ctor = Object.prototype.hasOwnProperty.call(ctors, kind) ? ctors[kind] : undefined;
  if (!Ctor || !['<', '>', '|', '='].includes(order))
    throw new NpyFormatError(
      `dtype ${h.descr} is not accepted (float32/float64, or int32/int64/uint8 labels).`,
    );
  const offset = start + hlen;
  const available = buf.length - offset;
  // Checked in floating point before any allocation: a header may claim any shape.
  const count = h.shape.reduce((a, b) => a * b, 1);
  const bytes = count * Ctor.BYTES_PER_ELEMENT;
  if (!Number.isSafeInteger(bytes) || bytes > available)
    throw new NpyFormatError(
      `truncated .npy or a wrong header: shape (${h.shape.join(', ')}) of ${h.descr} needs ${bytes} data bytes, ` +
        `the file has ${available}.`,
    );
  // Copy so the typed array is aligned whatever the header length was (and not a view: Buffer.slice is one).
  const copy = new Uint8Array(bytes);
  copy.set(buf.subarray(offset, offset + bytes));
  if (order === '>' && Ctor.BYTES_PER_ELEMENT > 1) byteSwap(copy, Ctor.BYTES_PER_ELEMENT);
  const data = new Ctor(copy.buffer, 0, count);
  return {
    data: h.fortran ? fromFortran(data, h.shape) : data,
    shape: h.shape,
    dtype: `${order === '|' ? '|' : '<'}${kind}`,
  };
}

export async function readNpy(path: string): Promise<NpyArray> {
  const buf = await readFile(path);
  try {
    return decodeNpy(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (err) {
    if (err instanceof NpyFormatError) throw new NpyFormatError(`${path}: ${err.message}`);
    throw err;
  }
}

/** Written atomically: a reader sees the previous file or the whole new one. */
export async function writeNpy(path: string, data: NpyData, shape: number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}
