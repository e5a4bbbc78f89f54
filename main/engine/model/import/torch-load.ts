// PyTorch checkpoints (torch.save's zip format) and .safetensors files as named float32 arrays, without Python.
// The pickle goes through the restricted reader (pickle.ts); tensor bytes are read from the archive's data/<key>
// entries with their offset, shape and stride (little-endian, as torch.save writes on every platform it supports).
// A dict wrapping the state_dict under 'state_dict', 'model', 'net' or 'model_state_dict' is unwrapped.
import { PickleError, unpickle, type PyValue, type StorageRef, type TensorRef } from './pickle';
import { ZipFormatError, zipEntries, zipRead } from './zip-read';

export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

export class CheckpointFormatError extends Error {}

const itemSize: Record<StorageRef['dtype'], number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  uint8: 1,
  int8: 1,
  bool: 1, // prettier-ignore
};

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Typed values of a little-endian buffer as float32 (int64 through Number: only num_batches_tracked uses it). */
export function toFloat32(bytes: Uint8Array, dtype: StorageRef['dtype'], count: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'float32':
        out[i] = dv.getFloat32(4 * i, true);
        break;
      case 'float64':
        out[i] = dv.getFloat64(8 * i, true);
        break;
      case 'float16':
        out[i] = half(dv.getUint16(2 * i, true));
        break;
      case 'int64':
        out[i] = Number(dv.getBigInt64(8 * i, true));
        break;
      case 'int32':
        out[i] = dv.getInt32(4 * i, true);
        break;
      case 'uint8':
      case 'bool':
        out[i] = dv.getUint8(i);
        break;
      case 'int8':
        out[i] = dv.getInt8(i);
        break;
    }
  }
  return out;
}

function unwrap(v: PyValue): Map<PyValue, PyValue> {
  if (!(v instanceof Map)) throw new CheckpointFormatError('the checkpoint does not hold a dict of tensors');
  for (const key of ['state_dict', 'model_state_dict', 'model', 'net']) {
    const inner = v.get(key);
    if (inner instanceof Map) return inner;
  }
  return v;
}

export function readTorchZip(buf: Uint8Array): Map<string, NamedArray> {
  let entries;
  try {
    entries = zipEntries(buf);
  } catch (err) {
    if (err instanceof ZipFormatError) throw new CheckpointFormatError(err.message);
    throw err;
  }
  const pkl = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) throw new CheckpointFormatError('a zip without data.pkl: not a PyTorch checkpoint');
  const root = pkl.slice(0, -'data.pkl'.length);
  let value: PyValue;
  try {
    value = unpickle(zipRead(buf, entries.get(pkl)!));
  } catch (err) {
    if (err instanceof PickleError || err instanceof ZipFormatError)
      throw new CheckpointFormatError(err.message);
    throw err;
  }
  const storageCache = new Map<string, Uint8Array>();
  const out = new Map<string, NamedArray>();
  for (const [k, t] of unwrap(value)) {
    if (typeof k !== 'string') throw new CheckpointFormatError('a state_dict key that is not a string');
    if ((t as TensorRef)?.kind !== 'tensor') continue; // e.g. a stored epoch number beside the tensors
    const ref = t as TensorRef;
    const s = ref.storage;
    let bytes = storageCache.get(s.key);
    if (!bytes) {
      const e = entries.get(`${root}data/${s.key}`);
      if (!e)
        throw new CheckpointFormatError(`tensor ${k}: its storage data/${s.key} is missing from the archive`);
      try {
        bytes = zipRead(buf, e);
      } catch (err) {
        throw new CheckpointFormatError((err as Error).message);
      }
      if (bytes.length < s.numel * itemSize[s.dtype])
        throw new CheckpointFormatError(
          `tensor ${k}: storage data/${s.key} is shorter than its ${s.numel} elements`,
        );
      storageCache.set(s.key, bytes);
    }
    const size = ref.shape.reduce((a, b) => a * b, 1);
    const last = ref.shape.reduce((o, n, d) => o + (n - 1) * ref.stride[d], ref.offset);
    if (size > s.numel || (size > 0 && last >= s.numel))
      throw new CheckpointFormatError(`tensor ${k} claims more elements than its storage holds`);
    const all = toFloat32(bytes, s.dtype, s.numel);
    const data = new Float32Array(size);
    // gather through the strides (state_dict tensors are contiguous, but a view need not be)
    const idx = new Array<number>(ref.shape.length).fill(0);
    for (let i = 0; i < size; i++) {
      let off = ref.offset;
      for (let d = 0; d < idx.length; d++) off += idx[d] * ref.stride[d];
      if (off >= all.length) throw new CheckpointFormatError(`tensor ${k} reads past its storage`);
      data[i] = all[off];
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < ref.shape[d]) break;
        idx[d] = 0;
      }
    }
    out.set(k, { shape: ref.shape, data });
  }
  return out;
}

const stDtypes: Record<string, StorageRef['dtype']> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  I64: 'int64',
  I32: 'int32',
  U8: 'uint8',
  I8: 'int8',
  BOOL: 'bool', // prettier-ignore
};

/** safetensors: an 8-byte little-endian header length, a JSON header, then the tensors' bytes. */
export function readSafetensors(buf: Uint8Array): Map<string, NamedArray> {
  if (buf.length < 8) throw new CheckpointFormatError('too short for a safetensors file');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > buf.length - 8 || n > 100 * 2 ** 20)
    throw new CheckpointFormatError('a safetensors header longer than the file (truncated?)');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch {
    throw new CheckpointFormatError('the safetensors header is not JSON');
  }
  const base = 8 + n;
  const out = new Map<string, NamedArray>();
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') continue;
    const dtype = stDtypes[v?.dtype];
    if (!dtype) throw new CheckpointFormatError(`tensor ${k}: dtype ${v?.dtype} is not supported`);
    const [a, b] = v.data_offsets ?? [];
    const size = (v.shape ?? []).reduce((x, y) => x * y, 1);
    if (!(
      Number.isInteger(a) &&
      Number.isInteger(b) &&
      a >= 0 &&
      b >= a &&
      base + b <= buf.length &&
      b - a === size * itemSize[dtype]
    ))
      throw new CheckpointFormatError(`tensor ${k}: its data offsets do not fit the file (truncated?)`);
    out.set(k, { shape: v.shape, data: toFloat32(buf.subarray(base + a, base + b), dtype, size) });
  }
  return out;
}
