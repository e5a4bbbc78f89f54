/**
 * A reader for MATLAB Level 5 MAT-files (the format of SVHN's *_32x32.mat), written here because no maintained npm
 * package reads v5 without native code. It follows "MAT-File Format" (MathWorks, R2024b): a 128-byte header
 * (text, subsystem offset, version 0x0100, endian indicator 'IM'/'MI'), then tagged data elements. A tag is
 * 8 bytes (type, byte count) or, for a "small data element", 4 bytes with the count in the upper half and up to
 * 4 bytes of data beside it. Elements are padded to 8 bytes, except the contents of miCOMPRESSED (type 15),
 * which is one zlib stream holding one element. Numeric arrays (miMATRIX, type 14) hold sub-elements: array
 * flags, dimensions, name, real part (stored in any numeric type, often narrower than the class, e.g. doubles
 * saved as uint8). Cells, structs, objects and sparse arrays are skipped. MATLAB 7.3 files are HDF5 and are
 * refused with a message that says so. Every length is checked against what remains, so damaged input gives an
 * error, never a crash or an endless loop.
 */
import { inflateSync } from 'node:zlib';
import { OodlabError } from '../../../common/contract/errors';

export type MatNumbers =
  Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface MatVariable {
  name: string;
  /** MATLAB class, e.g. 'uint8', 'double'. */
  cls: string;
  dims: number[];
  /** Column-major values, in the type they were stored in (int64 types are widened to float64). */
  data: MatNumbers;
}

const CLASSES: Record<number, string> = {
  4: 'char',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 2,
  5: 4,
  6: 4,
  7: 4,
  9: 8,
  12: 8,
  13: 8,
  16: 1,
  17: 2,
  18: 4,
};
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;

const bad = (msg: string) => new OodlabError('failed', `Not a readable MATLAB v5 file: ${msg}.`);

interface Tag {
  type: number;
  bytes: number;
  data: number;
  next: number;
}

class Reader {
  readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    readonly le: boolean,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  tag(off: number, end: number, where: string): Tag {
    if (off + 8 > end) throw bad(`${where}: truncated element tag at byte ${off}`);
    const w0 = this.view.getUint32(off, this.le);
    if (w0 >>> 16 !== 0) {
      const bytes = w0 >>> 16;
      if (bytes > 4) throw bad(`${where}: small data element of ${bytes} bytes at byte ${off}`);
      return { type: w0 & 0xffff, bytes, data: off + 4, next: off + 8 };
    }
    const bytes = this.view.getUint32(off + 4, this.le);
    const data = off + 8;
    if (bytes > end - data)
      throw bad(
        `${where}: element at byte ${off} claims ${bytes} bytes but only ${end - data} remain (truncated file?)`,
      );
    const padded = w0 === MI_COMPRESSED ? bytes : Math.ceil(bytes / 8) * 8;
    return { type: w0, bytes, data, next: Math.min(end, data + padded) };
  }

  numbers(t: Tag, where: string): MatNumbers {
    const size = SIZES[t.type];
    if (!size) throw bad(`${where}: data type ${t.type} is not numeric`);
    if (t.bytes % size !== 0)
      throw bad(`${where}: ${t.bytes} bytes is not a whole number of ${size}-byte values`);
    const n = t.bytes / size;
    if (t.type === 2 || t.type === 16) return this.buf.subarray(t.data, t.data + n);
    if (t.type === 1) return new Int8Array(this.buf.buffer, this.buf.byteOffset + t.data, n);
    const make: Record<number, [new (n: number) => MatNumbers, (o: number) => number]> = {
      3: [Int16Array, (o) => this.view.getInt16(o, this.le)],
      4: [Uint16Array, (o) => this.view.getUint16(o, this.le)],
      17: [Uint16Array, (o) => this.view.getUint16(o, this.le)],
      5: [Int32Array, (o) => this.view.getInt32(o, this.le)],
      6: [Uint32Array, (o) => this.view.getUint32(o, this.le)],
      18: [Uint32Array, (o) => this.view.getUint32(o, this.le)],
      7: [Float32Array, (o) => this.view.getFloat32(o, this.le)],
      9: [Float64Array, (o) => this.view.getFloat64(o, this.le)],
      12: [Float64Array, (o) => Number(this.view.getBigInt64(o, this.le))],
      13: [Float64Array, (o) => Number(this.view.getBigUint64(o, this.le))],
    };
    const [Ctor, get] = make[t.type];
    const out = new Ctor(n);
    for (let i = 0; i < n; i++) out[i] = get(t.data + i * size);
    return out;
  }
}

function readMatrix(r: Reader, start: number, end: number, where: string): MatVariable | null {
  const flagsTag = r.tag(start, end, where);
  if (flagsTag.type !== 6 || flagsTag.bytes !== 8) throw bad(`${where}: array flags missing`);
  const flags = r.view.getUint32(flagsTag.data, r.le);
  const cls = CLASSES[flags & 0xff];
  const dimsTag = r.tag(flagsTag.next, end, where);
  if (dimsTag.type !== 5) throw bad(`${where}: dimensions missing`);
  const dims = Array.from(r.numbers(dimsTag, where));
  const nameTag = r.tag(dimsTag.next, end, where);
  if (nameTag.type !== 1 && nameTag.type !== 16) throw bad(`${where}: array name missing`);
  const name = new TextDecoder().decode(r.buf.subarray(nameTag.data, nameTag.data + nameTag.bytes));
  if (!cls) return null; // cell, struct, object, sparse: not needed here
  const realTag = r.tag(nameTag.next, end, `${where} '${name}'`);
  const data = r.numbers(realTag, `${where} '${name}'`);
  const numel = dims.reduce((a, b) => a * b, 1);
  if (data.length !== numel)
    throw bad(`variable '${name}' has ${data.length} values for dimensions ${dims.join('x')}`);
  return { name, cls, dims, data };
}

export interface ReadMatOptions {
  /**
   * The most bytes all compressed elements together may inflate to: what the expected data set can hold (a 1 MB
   * element can otherwise inflate to gigabytes). Default 2 GiB, Node's largest buffer on 32-bit hosts.
   */
  maxInflated?: number;
}

export function readMat(file: Uint8Array, opts: ReadMatOptions = {}): Map<string, MatVariable> {
  let budget = opts.maxInflated ?? 2 ** 31 - 1;
  if (file.length < 128) throw bad(`only ${file.length} bytes, shorter than the 128-byte header`);
  const text = new TextDecoder('latin1').decode(file.subarray(0, 116));
  const hdf5 = file.length >= 520 && new TextDecoder('latin1').decode(file.subarray(513, 516)) === 'HDF';
  if (text.startsWith('MATLAB 7.3') || hdf5)
    throw new OodlabError(
      'failed',
      'This is a MATLAB v7.3 file (HDF5 inside), which OODLab does not read: use the v5 file (SVHN publishes v5), or re-save it in MATLAB with save(..., "-v7").',
    );
  const indicator = String.fromCharCode(file[126], file[127]);
  if (indicator !== 'IM' && indicator !== 'MI')
    throw bad('no endian indicator in the header (is this a MAT-file?)');
  const top = new Reader(file, indicator === 'IM');
  if (top.view.getUint16(124, top.le) !== 0x0100)
    throw bad(`header version 0x${top.view.getUint16(124, top.le).toString(16)}, expected 0x0100`);
  const vars = new Map<string, MatVariable>();
  for (let off = 128; off < file.length;) {
    const t = top.tag(off, file.length, 'top level');
    if (t.type === MI_MATRIX) {
      const v = readMatrix(top, t.data, t.data + t.bytes, `matrix at byte ${off}`);
      if (v) vars.set(v.name, v);
    } else if (t.type === MI_COMPRESSED) {
      let inner: Buffer;
      try {
        inner = inflateSync(file.subarray(t.data, t.data + t.bytes), {
          maxOutputLength: Math.max(1, budget),
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          throw new OodlabError(
            'failed',
            `The compressed element at byte ${off} inflates to more than the ${budget} bytes the expected data ` +
              'can hold: refused (damaged, or not the published file).',
          );
        throw bad(`compressed element at byte ${off} does not inflate (${(err as Error).message})`);
      }
      budget -= inner.length;
      const r = new Reader(new Uint8Array(inner.buffer, inner.byteOffset, inner.byteLength), top.le);
      const it = r.tag(0, inner.length, `compressed element at byte ${off}`);
      if (it.type === MI_MATRIX) {
        const v = readMatrix(r, it.data, it.data + it.bytes, `compressed matrix at byte ${off}`);
        if (v) vars.set(v.name, v);
      }
    }
    off = t.next;
  }
  return vars;
}
