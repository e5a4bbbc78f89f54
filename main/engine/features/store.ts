// Reads a folder of features in DESIGN.md's layout (a run's own features/ or one made elsewhere) into typed arrays,
// and writes one. Features are float32 or float64 (kept as float32 here), labels int32/int64/uint8; logits are
// optional beside any *_features.npy (otherwise logits = h W' + b). A perturbed-ID proxy set for hyper-parameter
// selection lives in proxy_*.npy, apart from the ood_* sets so it can never be mistaken for a test OOD set.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OodlabError } from '../../../common/contract/errors';
import { projectRows } from '../linalg/kernels';
import { NpyFormatError, readNpy, writeNpy, type NpyArray } from './npy';
import { requireFinite, requireLabels } from './validate';

export interface FeatureSet {
  features: Float32Array;
  logits: Float32Array;
  labels?: Int32Array;
  n: number;
  dim: number;
  classes: number;
}

export interface RunFeatures {
  W: Float32Array /* C*D */;
  b: Float32Array;
  C: number;
  D: number;
  idTrain: FeatureSet;
  /** The validation split held out of training (id_val_*), when the run has one: the sweeps' held-out ID side. */
  idVal?: FeatureSet;
  idTest: FeatureSet;
  ood: Record<string, FeatureSet>;
  /** Perturbed ID images (or null): the OOD stand-in hyper-parameter sweeps pick against. */
  proxy: FeatureSet | null;
  layers?: Record<string, { idTrain: Float32Array; idTest: Float32Array; dim: number }>;
  /** A real OOD set, not among the test sets, that the hyper-parameter sweep validates against (issue 16). */
  validationOod?: { name: string; set: FeatureSet } | null;
}

async function load(dir: string, name: string): Promise<NpyArray> {
  try {
    return await readNpy(join(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new OodlabError('not_found', `${name} is missing in ${dir}.`);
    if (err instanceof NpyFormatError) throw new OodlabError('invalid_request', err.message);
    throw err;
  }
}

function floats(a: NpyArray, name: string, shape: (number | null)[]): Float32Array {
  if (a.dtype !== '<f4' && a.dtype !== '<f8')
    throw new OodlabError(
      'invalid_request',
      `${name}: dtype ${a.dtype} is not accepted; save it as float32 or float64.`,
    );
  if (a.shape.length !== shape.length || shape.some((s, i) => s !== null && s !== a.shape[i]))
    throw new OodlabError(
      'invalid_request',
      `${name}: shape (${a.shape.join(', ')}) does not fit (${shape.map((s) => s ?? 'N').join(', ')}).`,
    );
  const out = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as Float64Array);
  requireFinite(out, a.shape.length > 1 ? a.shape[1] : 1, name); // float64 beyond float32's range: Infinity
  return out;
}

function ints(a: NpyArray, name: string, n: number): Int32Array {
  if (!['<i4', '<i8', '|u1', '<u1', '|i1'].includes(a.dtype))
    throw new OodlabError(
      'invalid_request',
      `${name}: labels must be int32, int64 or uint8 (got ${a.dtype}).`,
    );
  if (a.shape.length !== 1 || a.shape[0] !== n)
    throw new OodlabError('invalid_request', `${name}: expected shape (${n},), got (${a.shape.join(', ')}).`);
  return a.data instanceof BigInt64Array
    ? Int32Array.from(a.data, (v) => Number(v))
    : Int32Array.from(a.data as ArrayLike<number>);
}

/** h W' + b for every row, through the blocked float64 kernel (WebAssembly SIMD for large sets). */
function logitsFrom(
  f: Float32Array,
  n: number,
  D: number,
  W: Float32Array,
  b: Float32Array,
  C: number,
): Float32Array {
  const z = projectRows(f, n, D, Float64Array.from(W), C);
  const out = new Float32Array(n * C);
  for (let i = 0, j = 0; i < n; i++) for (let c = 0; c < C; c++, j++) out[j] = z[j] + b[c];
  return out;
}

async function loadSet(
  dir: string,
  prefix: string,
  W: Float32Array,
  b: Float32Array,
  C: number,
  D: number,
  withLabels: boolean,
): Promise<FeatureSet> {
  const fa = await load(dir, `${prefix}_features.npy`);
  const features = floats(fa, `${prefix}_features.npy`, [null, D]);
  const n = fa.shape[0];
  const logitsFile = `${prefix}_logits.npy`;
  const logits = existsSync(join(dir, logitsFile))
    ? floats(await load(dir, logitsFile), logitsFile, [n, C])
    : logitsFrom(features, n, D, W, b, C);
  const labelsFile = `${prefix}_labels.npy`;
  const labels =
    withLabels && existsSync(join(dir, labelsFile))
      ? ints(await load(dir, labelsFile), labelsFile, n)
      : undefined;
  if (labels) requireLabels(labels, C, labelsFile);
  if (n === 0)
    throw new OodlabError(
      'invalid_request',
      `${prefix}_features.npy in ${dir} holds no samples (${prefix.startsWith('ood_') ? `the OOD set ${prefix.slice(4)}` : prefix} is empty).`,
    );
  return { features, logits, labels, n, dim: D, classes: C };
}

/**
 * Loads the DESIGN.md layout; `oodSets` limits which ood_<name> sets are read (all by default). `validation` names
 * the OOD set the sweep validates against: 'proxy' for none (the perturbed-ID proxy), a set's name, or undefined for
 * the first present set that is not a test set (none when every present set is tested).
 */
export async function loadFeatureDir(
  dir: string,
  o: { oodSets?: string[]; layers?: boolean; validation?: string } = {},
): Promise<RunFeatures> {
  if (!existsSync(dir)) throw new OodlabError('not_found', `No features folder at ${dir}.`);
  const wa = await load(dir, 'fc_weight.npy');
  if (wa.shape.length !== 2) throw new OodlabError('invalid_request', 'fc_weight.npy must be (C, D).');
  const [C, D] = wa.shape;
  const W = floats(wa, 'fc_weight.npy', [C, D]);
  const b = floats(await load(dir, 'fc_bias.npy'), 'fc_bias.npy', [C]);
  const idTrain = await loadSet(dir, 'id_train', W, b, C, D, true);
  const idTest = await loadSet(dir, 'id_test', W, b, C, D, true);
  const files = await readdir(dir);
  const present = files
    .map((f) => /^ood_(.+)_features\.npy$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s));
  const named = o.validation && o.validation !== 'proxy' ? o.validation : null;
  if (named && !present.includes(named))
    throw new OodlabError(
      'not_found',
      `No features for the validation OOD set ${named} in ${dir} (have: ${present.join(', ') || 'none'}).`,
    );
  if (named && o.oodSets?.includes(named))
    throw new OodlabError(
      'invalid_request',
      `${named} is a test OOD set: the validation OOD set must be another one (OpenOOD v1.5 protocol).`,
    );
  const wanted = o.oodSets ?? present.sort().filter((s) => s !== named);
  const missing = wanted.filter((s) => !present.includes(s));
  if (missing.length)
    throw new OodlabError(
      'not_found',
      `No features for OOD set(s) ${missing.join(', ')} in ${dir} (have: ${present.join(', ') || 'none'}).`,
    );
  const ood: Record<string, FeatureSet> = {};
  for (const s of wanted) ood[s] = await loadSet(dir, `ood_${s}`, W, b, C, D, false);
  const proxy = files.includes('proxy_features.npy') ? await loadSet(dir, 'proxy', W, b, C, D, false) : null;
  const valName =
    named ?? (o.validation === 'proxy' ? null : (present.sort().find((s) => !wanted.includes(s)) ?? null));
  const validationOod = valName
    ? { name: valName, set: await loadSet(dir, `ood_${valName}`, W, b, C, D, false) }
    : null;
  const out: RunFeatures = { W, b, C, D, idTrain, idTest, ood, proxy, validationOod };
  if (files.includes('id_val_features.npy')) out.idVal = await loadSet(dir, 'id_val', W, b, C, D, true);
  if (o.layers) {
    const ks = [
      ...new Set(files.map((f) => /^layer(\d+)_id_train_features\.npy$/.exec(f)?.[1]).filter(Boolean)),
    ];
    out.layers = {};
    for (const k of ks.sort()) {
      const tr = await load(dir, `layer${k}_id_train_features.npy`);
      const te = await load(dir, `layer${k}_id_test_features.npy`);
      const dim = tr.shape[1];
      out.layers[`layer${k}`] = {
        idTrain: floats(tr, `layer${k}_id_train_features.npy`, [idTrain.n, dim]),
        idTest: floats(te, `layer${k}_id_test_features.npy`, [idTest.n, dim]),
        dim,
      };
    }
  }
  return out;
}

/** Writes one set: <prefix>_features.npy, _logits.npy and, when given, _labels.npy. */
export async function writeFeatureSet(dir: string, prefix: string, s: FeatureSet): Promise<void> {
  await writeNpy(join(dir, `${prefix}_features.npy`), s.features, [s.n, s.dim]);
  await writeNpy(join(dir, `${prefix}_logits.npy`), s.logits, [s.n, s.classes]);
  if (s.labels) await writeNpy(join(dir, `${prefix}_labels.npy`), s.labels, [s.n]);
}
