// Realistic random features for benchmarks and tests: class-clustered ID features (class means in a C-dim subspace,
// within-class noise concentrated in a few dozen directions, as in a trained network's penultimate layer), a
// classifier aligned with the class means, and OOD sets that sit off the ID class subspace. Seeded.
import { join } from 'node:path';
import { gaussian, mulberry32 } from '../../main/engine/data/rng';
import { writeNpy } from '../../main/engine/features/npy';
import { writeFeatureSet, type FeatureSet, type RunFeatures } from '../../main/engine/features/store';
import { projectChunks } from '../../main/engine/linalg/gemm';

export interface FixtureOptions {
  seed?: number;
  classes: number;
  dim: number;
  nTrain: number;
  nTest: number;
  ood: Record<string, number>;
  /** Directions carrying most within-class noise (default 64, clamped to dim). */
  noiseRank?: number;
}

export async function makeFeatures(o: FixtureOptions): Promise<RunFeatures> {
  const rng = mulberry32(o.seed ?? 1);
  const { classes: C, dim: D } = o;
  const g = () => gaussian(rng);
  const means = Float32Array.from({ length: C * D }, () => (3 * g()) / Math.sqrt(D / 16));
  const rank = Math.min(o.noiseRank ?? 64, D);
  const noiseDirs = Float32Array.from({ length: rank * D }, () => g() / Math.sqrt(D));
  const W = Float32Array.from(means, (v) => v * 0.5);
  const b = Float32Array.from({ length: C }, () => 0.1 * g());

  const W64 = Float64Array.from(W);
  const logitsOf = async (f: Float32Array, n: number) => {
    const out = new Float32Array(n * C);
    await projectChunks({ x: f, n, dim: D }, W64, C, (start, count, y) => {
      for (let j = 0; j < count * C; j++) out[start * C + j] = y[j] + b[j % C];
    });
    return out;
  };
  const idSet = async (n: number): Promise<FeatureSet> => {
    const features = new Float32Array(n * D);
    const labels = new Int32Array(n);
    const z = new Float64Array(rank);
    for (let i = 0; i < n; i++) {
      const y = i % C;
      labels[i] = y;
      for (let r = 0; r < rank; r++) z[r] = g();
      for (let k = 0; k < D; k++) {
        let v = means[y * D + k] + 0.05 * g();
        for (let r = 0; r < rank; r++) v += z[r] * noiseDirs[r * D + k];
        features[i * D + k] = v;
      }
    }
    return { features, logits: await logitsOf(features, n), labels, n, dim: D, classes: C };
  };
  const oodSet = async (n: number): Promise<FeatureSet> => {
    const features = new Float32Array(n * D);
    for (let i = 0; i < n; i++) {
      const a = Math.floor(rng() * C);
      for (let k = 0; k < D; k++) features[i * D + k] = 0.3 * means[a * D + k] + 0.5 * g();
    }
    return { features, logits: await logitsOf(features, n), n, dim: D, classes: C };
  };
  const ood: Record<string, FeatureSet> = {};
  for (const [k, n] of Object.entries(o.ood)) ood[k] = await oodSet(n);
  return { W, b, C, D, idTrain: await idSet(o.nTrain), idTest: await idSet(o.nTest), ood, proxy: null };
}

/** The sizes every analysis bench uses: CIFAR-100 train/test, SVHN test and DTD as OOD sets. */
export const cifarSized: FixtureOptions = {
  seed: 1,
  classes: 100,
  dim: 512,
  nTrain: 50_000,
  nTest: 10_000,
  ood: { svhn: 26_032, dtd: 5_640 },
  noiseRank: 16,
};

/** The features as a folder brought from elsewhere: fc_weight, fc_bias, id_train, id_test and every OOD set. */
export async function writeFeatureDir(dir: string, rf: RunFeatures): Promise<void> {
  await writeNpy(join(dir, 'fc_weight.npy'), rf.W, [rf.C, rf.D]);
  await writeNpy(join(dir, 'fc_bias.npy'), rf.b, [rf.C]);
  await writeFeatureSet(dir, 'id_train', rf.idTrain);
  await writeFeatureSet(dir, 'id_test', rf.idTest);
  for (const [name, set] of Object.entries(rf.ood)) await writeFeatureSet(dir, `ood_${name}`, set);
}
