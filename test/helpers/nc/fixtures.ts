// Constructed feature sets for the Neural Collapse tests: exact simplex ETFs, known within-class noise, random sets.
import { join } from 'node:path';
import { mulberry32 } from '../../../main/engine/data/rng';
import { writeNpy } from '../../../main/engine/features/npy';
import type { NcInput } from '../../../main/engine/nc/metrics';
import type { RefInput } from './reference';

/** Row c = scale * (e_c - 1/C), padded with zeros to D >= C: a simplex ETF centred at the origin. */
export function etfRows(C: number, D: number, scale: number): number[][] {
  return Array.from({ length: C }, (_, c) =>
    Array.from({ length: D }, (_, k) => (k < C ? scale * ((k === c ? 1 : 0) - 1 / C) : 0)),
  );
}

/** Standard normal draws from a seeded uniform generator (Box-Muller). */
export function gaussian(seed: number): () => number {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function toInput(r: RefInput): NcInput {
  const C = r.W.length;
  const D = r.W[0].length;
  const set = (X: number[][], y: number[]) => ({
    features: Float32Array.from(X.flat()),
    labels: Int32Array.from(y),
    n: X.length,
  });
  return {
    W: Float32Array.from(r.W.flat()),
    b: Float32Array.from(r.b),
    C,
    D,
    idTrain: set(r.X, r.y),
    idTest: set(r.Xt, r.yt),
    ood: r.ood ? { ood: { features: Float32Array.from(r.ood.flat()), n: r.ood.length } } : undefined,
  };
}

/** A random labelled problem: class means drawn at `spread`, unit noise, float32-representable values. */
export function randomProblem(seed: number, C: number, D: number, perClass: number[], spread = 3): RefInput {
  const g = gaussian(seed);
  const f = (v: number) => Math.fround(v);
  const mus = Array.from({ length: C }, () => Array.from({ length: D }, () => spread * g()));
  const draw = (counts: number[]) => {
    const X: number[][] = [];
    const y: number[] = [];
    counts.forEach((n, c) => {
      for (let i = 0; i < n; i++) {
        X.push(mus[c].map((m) => f(m + g())));
        y.push(c);
      }
    });
    return { X, y };
  };
  const tr = draw(perClass);
  const te = draw(perClass.map((n) => Math.max(1, Math.round(n / 2))));
  return {
    X: tr.X,
    y: tr.y,
    Xt: te.X,
    yt: te.y,
    W: mus.map((m) => m.map((v) => f(v + 0.5 * g()))),
    b: Array.from({ length: C }, () => f(0.1 * g())),
    ood: Array.from({ length: 17 }, () => Array.from({ length: D }, () => f(2 * g() + 0.3))),
  };
}

/** A problem as a features folder: the classifier (fc_weight, fc_bias) and the ID training and test sets. */
export async function writeProblem(dir: string, p: RefInput): Promise<void> {
  const [C, D] = [p.W.length, p.W[0].length];
  const f32 = (rows: number[][]) => Float32Array.from(rows.flat());
  await writeNpy(join(dir, 'fc_weight.npy'), f32(p.W), [C, D]);
  await writeNpy(join(dir, 'fc_bias.npy'), Float32Array.from(p.b), [C]);
  await writeNpy(join(dir, 'id_train_features.npy'), f32(p.X), [p.X.length, D]);
  await writeNpy(join(dir, 'id_train_labels.npy'), Int32Array.from(p.y), [p.y.length]);
  await writeNpy(join(dir, 'id_test_features.npy'), f32(p.Xt), [p.Xt.length, D]);
  await writeNpy(join(dir, 'id_test_labels.npy'), Int32Array.from(p.yt), [p.yt.length]);
}
