// Neural Collapse on the classes that have training samples. A data set imported in a format with more classes than it
// uses (10 classes of photographs in CIFAR-100's format: 100 logits, 90 classes never seen) has classes without a
// single sample; their class mean does not exist, so NC is stated on the C' present classes only, as if the empty
// classes had never been declared:
//   NC1 = Tr(Sw Sb^+)/C' with Sb over the C' present means; equiangularity's target cosine is -1/(C'-1); the ETF and
//   the cosine matrices are C' x C'; NC3 compares the present rows of W with M; NC4/NC5 compare the nearest present
//   class centre with the argmax over the present classes' logits (W and b restricted to the present rows).
// The network's own accuracies (trainAccuracy, testAccuracy) stay those of the whole network, argmax over all C logits.
// A test sample whose class is empty in training can be matched by no class centre: it counts as a miss for the NCC.
// The empty classes are named in NcMetrics.emptyClasses and in a warning (as ood/mahalanobis.ts skips them).
import { OodlabError } from '../../../common/contract';
import type { NcInput, NcSet } from './input';

export interface PresentClasses<T extends NcInput> {
  /** The input restricted to the present classes (the same object when no class is empty). */
  input: T;
  /** Original class index of each present class, ascending. */
  present: number[];
  /** Original class indices without a training sample, ascending. */
  empty: number[];
}

/** Original indices of the classes with no training sample (labels out of range are left for classStats to refuse). */
export function emptyClasses(labels: Int32Array | undefined, C: number): number[] {
  if (!labels) return [];
  const seen = new Uint8Array(C);
  for (const y of labels) if (y >= 0 && y < C) seen[y] = 1;
  return [...seen.keys()].filter((c) => !seen[c]);
}

/** "Classes 3, 4, 5 have no training samples: ..." with at most 20 names. */
export function emptyClassesWarning(empty: number[], C: number): string {
  const names = empty.slice(0, 20).join(', ') + (empty.length > 20 ? `, ... (${empty.length} in all)` : '');
  return (
    `${empty.length} of ${C} class${C > 1 ? 'es' : ''} ha${empty.length > 1 ? 've' : 's'} no training samples ` +
    `(${names}): Neural Collapse is measured on the ${C - empty.length} present classes only ` +
    `(C = ${C - empty.length} in NC1 and the ETF, W restricted to their rows).`
  );
}

function remap(labels: Int32Array | undefined, index: Int32Array): Int32Array | undefined {
  if (!labels) return undefined;
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    out[i] = y >= 0 && y < index.length ? index[y] : y; // out of range (>= C > C') stays out of range
  }
  return out;
}

function restrictColumns(m: ArrayLike<number>, n: number, C: number, present: number[]): Float64Array {
  const P = present.length;
  const out = new Float64Array(n * P);
  for (let i = 0; i < n; i++) for (let j = 0; j < P; j++) out[i * P + j] = m[i * C + present[j]];
  return out;
}

/**
 * Restricts W, b, the labels and the logits to the present classes. Labels are renumbered 0..C'-1 in the order of
 * the original indices; a label of an empty class becomes -1 (no class centre can match it).
 */
export function restrictToPresent<T extends NcInput>(f: T): PresentClasses<T> {
  const { C, D } = f;
  const empty = emptyClasses(f.idTrain.labels, C);
  const all = Array.from({ length: C }, (_, c) => c);
  if (!empty.length) return { input: f, present: all, empty };
  const isEmpty = new Set(empty);
  const present = all.filter((c) => !isEmpty.has(c));
  if (present.length < 2)
    throw new OodlabError(
      'invalid_request',
      `Only ${present.length} of ${C} classes ha${present.length === 1 ? 's' : 've'} training samples ` +
        `(${present.join(', ') || 'none'}): Neural Collapse needs at least 2.`,
    );
  const index = new Int32Array(C).fill(-1);
  present.forEach((c, j) => (index[c] = j));
  const W = new Float64Array(present.length * D);
  present.forEach((c, j) => W.set(Array.prototype.slice.call(f.W, c * D, (c + 1) * D) as number[], j * D));
  const b = Float64Array.from(present, (c) => f.b[c]);
  const set = <S extends NcSet>(s: S): S => ({
    ...s,
    labels: remap(s.labels, index),
    logits: s.logits && s.logits.length === s.n * C ? restrictColumns(s.logits, s.n, C, present) : undefined,
  });
  return {
    input: { ...f, C: present.length, W, b, idTrain: set(f.idTrain), idTest: set(f.idTest) } as T,
    present,
    empty,
  };
}
