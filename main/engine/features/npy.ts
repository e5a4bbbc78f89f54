// NumPy .npy (format 1.0 / 2.0 / 3.0) so that features move freely between OODLab and Python: we write what
// numpy.load reads, and read what numpy.save writes. Only little-endian, C-order arrays of the dtypes below are
// accepted; anything else is refused with a message that says how to convert it on the Python side.
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
    throw new NpyFormatError(`not a valid .npy header: ${text.trim()}`);
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** Parses a .npy buffer; refuses big-endian, Fortran order and dtypes other than f4 f8 i4 i8 u1 i1. */
export function decodeNpy(buf: Uint8Array): NpyArray {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b))
    throw new NpyFormatError('not a .npy file (bad magic).');
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  const h = parseHeader(new TextDecoder('latin1').decode(buf.subarray(start, start + hlen)));
  if (h.fortran)
    throw new NpyFormatError(
      'Fortran-order arrays are not accepted: save np.ascontiguousarray(x) (C order).',
    );
  const order = h.descr[0];
  const kind = h.descr.slice(1) as keyof typeof ctors;
  if (order === '>' && kind !== 'u1' && kind !== 'i1')
    throw new NpyFormatError(
      `big-endian dtype ${h.descr} is not accepted: save x.astype(x.dtype.newbyteorder('<')).`,
    );
  const Ctor = ctors[kind];
  if (!Ctor)
    throw new NpyFormatError(
      `dtype ${h.descr} is not accepted (float32/float64, or int32/int64/uint8 labels).`,
    );
  const count = h.shape.reduce((a, b) => a * b, 1);
  const offset = start + hlen;
  const bytes = count * Ctor.BYTES_PER_ELEMENT;
  if (buf.length - offset < bytes)
    throw new NpyFormatError(`truncated .npy: ${buf.length - offset} of ${bytes} data bytes.`);
  // Copy so the typed array is aligned whatever the header length was.
  const copy = buf.slice(offset, offset + bytes);
  return { data: new Ctor(copy.buffer, 0, count), shape: h.shape, dtype: h.descr };
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
