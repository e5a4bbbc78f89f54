// .npy round trips, byte-exact headers numpy writes, and the refusals (wrong dtype, big-endian, Fortran order).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, writeNpy } from '../../../../main/engine/features/npy';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { useTempDirs } from '../../../helpers/tmp';

const withHeader = (header: string, data: Uint8Array) => {
  const h = header.padEnd(118, ' ') + '\n';
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length, 0]);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(data, 10 + h.length);
  return out;
};

describe('npy', () => {
  it('round-trips float32 with a 64-byte aligned header numpy accepts', () => {
    const buf = encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect((buf[8] + 10) % 64).toBe(0);
    const text = new TextDecoder().decode(buf.subarray(10, 10 + buf[8]));
    expect(text).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const back = decodeNpy(buf);
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('reads int64 labels', () => {
    const a = decodeNpy(encodeNpy(BigInt64Array.from([3n, 1n]), [2]));
    expect(a.dtype).toBe('<i8');
  });
  it('refuses dtypes it cannot hold with a clear message (byte order and Fortran order: npy-layouts.spec.ts)', () => {
    const data = new Uint8Array(8);
    expect(() =>
      decodeNpy(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data)),
    ).toThrow(/not accepted/);
  });
});

describe('feature folders', () => {
  const tempDir = useTempDirs('oodlab-feat-');
  it('computes logits from W and b when *_logits.npy is absent, and refuses int features', async () => {
    const dir = await tempDir();
    await writeNpy(join(dir, 'fc_weight.npy'), Float64Array.from([1, 0, 0, 1]), [2, 2]);
    await writeNpy(join(dir, 'fc_bias.npy'), Float32Array.from([0.5, -0.5]), [2]);
    for (const p of ['id_train', 'id_test', 'ood_x'])
      await writeNpy(join(dir, `${p}_features.npy`), Float32Array.from([1, 2, 3, 4]), [2, 2]);
    await writeNpy(join(dir, 'id_train_labels.npy'), Uint8Array.from([0, 1]), [2]);
    const rf = await loadFeatureDir(dir);
    expect(Array.from(rf.idTest.logits)).toEqual([1.5, 1.5, 3.5, 3.5]);
    expect(Array.from(rf.idTrain.labels!)).toEqual([0, 1]);
    expect(Object.keys(rf.ood)).toEqual(['x']);
    await writeNpy(join(dir, 'ood_x_features.npy'), Int32Array.from([1, 2, 3, 4]), [2, 2]);
    await expect(loadFeatureDir(dir)).rejects.toThrow(/float32 or float64/);
  });
});
