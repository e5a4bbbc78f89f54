// Issue 18 item 15: analyze and evaluate refuse NaN / Inf features and out-of-range labels with the file and the
// first bad row (they used to report orthogonality 0 or count the label as an error), and name an empty OOD set.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNpy, type NpyData } from '../../../../main/engine/features/npy';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { analyzeFeatureDir } from '../../../../main/engine/nc/analyze';
import { evaluateFeatures } from '../../../../main/engine/ood/evaluate';
import { tempDir } from '../../../helpers/tmp';

const C = 3;
const D = 4;
let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: root, cleanup } = await tempDir()));
afterAll(() => cleanup());

/** A sound folder (class c's features near 3 e_c), with `patch` files written over it. */
async function folder(name: string, patch: Record<string, [NpyData, number[]]> = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  const set = (n: number, shift: number) => {
    const f = new Float32Array(n * D);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < D; k++) f[i * D + k] = (k === i % C ? 3 : 0) + 0.1 * ((i * 7 + k * 3 + shift) % 5);
    return f;
  };
  const labels = (n: number) => Int32Array.from({ length: n }, (_, i) => i % C);
  const W = Float32Array.from({ length: C * D }, (_, j) => (Math.floor(j / D) === j % D ? 1 : 0));
  const files: Record<string, [NpyData, number[]]> = {
    'fc_weight.npy': [W, [C, D]],
    'fc_bias.npy': [new Float32Array(C), [C]],
    'id_train_features.npy': [set(12, 0), [12, D]],
    'id_train_labels.npy': [labels(12), [12]],
    'id_test_features.npy': [set(6, 1), [6, D]],
    'id_test_labels.npy': [labels(6), [6]],
    'ood_svhn_features.npy': [Float32Array.from({ length: 5 * D }, (_, j) => (j % 3) * 0.5), [5, D]],
    ...patch,
  };
  for (const [f, [data, shape]] of Object.entries(files)) await writeNpy(join(dir, f), data, shape);
  return dir;
}

describe('feature folder values', () => {
  it('a sound folder loads, analyses and evaluates (the control)', async () => {
    const dir = await folder('sound');
    await expect(analyzeFeatureDir(dir, { layers: false })).resolves.toMatchObject({ runId: null });
    const ev = await evaluateFeatures(await loadFeatureDir(dir), { methods: ['msp'], noSweep: true });
    expect(ev).toBeTruthy();
  });

  it('refuses NaN in ID train features, naming the file, row and column, in analyze and evaluate alike', async () => {
    const f = new Float32Array(12 * D).fill(1);
    f[4 * D + 2] = NaN;
    const dir = await folder('nan', { 'id_train_features.npy': [f, [12, D]] });
    const msg = /id_train_features\.npy: row 4, column 2 holds NaN/;
    await expect(analyzeFeatureDir(dir, { layers: false })).rejects.toThrow(msg);
    await expect(loadFeatureDir(dir)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(msg),
    });
  });

  it('refuses Infinity in an OOD set, in logits, and float64 values beyond float32', async () => {
    const f = new Float32Array(5 * D);
    f[3 * D] = -Infinity;
    await expect(
      analyzeFeatureDir(await folder('inf', { 'ood_svhn_features.npy': [f, [5, D]] }), { layers: false }),
    ).rejects.toThrow(/ood_svhn_features\.npy: row 3, column 0 holds -Infinity/);
    const l = new Float32Array(6 * C);
    l[5 * C + 1] = Infinity;
    await expect(
      loadFeatureDir(await folder('logits', { 'id_test_logits.npy': [l, [6, C]] })),
    ).rejects.toThrow(/id_test_logits\.npy: row 5, column 1 holds Infinity/);
    const big = new Float64Array(6 * D);
    big[2 * D + 3] = 1e300;
    await expect(
      loadFeatureDir(await folder('f64', { 'id_test_features.npy': [big, [6, D]] })),
    ).rejects.toThrow(/id_test_features\.npy: row 2, column 3 holds Infinity/);
  });

  it('refuses a test label outside 0..C-1 instead of counting it as an error', async () => {
    const y = Int32Array.from([0, 1, 2, 0, 7, 2]);
    const dir = await folder('label', { 'id_test_labels.npy': [y, [6]] });
    await expect(analyzeFeatureDir(dir, { layers: false })).rejects.toThrow(
      /id_test_labels\.npy: row 4 holds label 7, outside 0\.\.2/,
    );
    const neg = await folder('neg', {
      'id_train_labels.npy': [Int32Array.from({ length: 12 }, (_, i) => (i === 9 ? -1 : i % C)), [12]],
    });
    await expect(loadFeatureDir(neg)).rejects.toThrow(/id_train_labels\.npy: row 9 holds label -1/);
  });

  it('names an empty OOD set', async () => {
    const dir = await folder('empty', { 'ood_dtd_features.npy': [new Float32Array(0), [0, D]] });
    await expect(loadFeatureDir(dir)).rejects.toThrow(/ood_dtd_features\.npy .*the OOD set dtd is empty/);
  });
});
