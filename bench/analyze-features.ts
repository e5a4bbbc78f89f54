// `oodlab analyze --features DIR` against numpy on CIFAR-sized features (50,000 x 512 train, 10,000 test,
// 26,032 + 5,640 OOD, 100 classes, no logits files, so both compute h W' + b), in the same run: each side in its own
// process, timed from reading the files to the last metric, alternating, `--repeat K` times (default 2), so that a
// busy neighbour slows both. Prints both times, the ratio (target <= 1.0x), OODLab's peak RSS (target < 1 GiB),
// and how far apart the two sides' metrics are. The numpy side is bench/nc_numpy.py (float64; `--float32` also
// times numpy in float32). The fixture is written once into the temporary folder and reused.
// `--evaluate` also times `evaluate --features` (the six OOD detectors on the wasm backend) on the same folder.
//   npx tsx bench/analyze-features.ts [--repeat K] [--float32] [--evaluate]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '../main/engine/backend';
import { writeNpy } from '../main/engine/features/npy';
import { loadFeatureDir } from '../main/engine/features/store';
import { analyzeFeatureDir } from '../main/engine/nc/analyze';
import { evaluateFeatures } from '../main/engine/ood/evaluate';
import { cifarSized, makeFeatures } from '../test/helpers/features';

const here = fileURLToPath(new URL('.', import.meta.url));

async function writeFixture(dir: string): Promise<void> {
  const rf = await makeFeatures(cifarSized);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeNpy(join(tmp, 'fc_weight.npy'), rf.W, [rf.C, rf.D]);
  await writeNpy(join(tmp, 'fc_bias.npy'), rf.b, [rf.C]);
  const sets = { id_train: rf.idTrain, id_test: rf.idTest, ...Object.fromEntries(Object.entries(rf.ood).map(([k, v]) => [`ood_${k}`, v])) }; // prettier-ignore
  for (const [prefix, s] of Object.entries(sets)) {
    await writeNpy(join(tmp, `${prefix}_features.npy`), s.features, [s.n, s.dim]);
    if (s.labels) await writeNpy(join(tmp, `${prefix}_labels.npy`), s.labels, [s.n]);
  }
  renameSync(tmp, dir);
}

/** `evaluate --features` on the same folder (the 'ood' job's work: wasm backend, six detectors), timed the same way. */
async function childEvaluate(dir: string): Promise<void> {
  await initBackend('wasm');
  const t0 = performance.now();
  const rf = await loadFeatureDir(dir);
  await evaluateFeatures(rf);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, rssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0); // wasm's pthread workers
}

/** The child: one analysis, timed inside the process (Node start and module loading excluded, as for Python). */
async function child(dir: string): Promise<void> {
  const t0 = performance.now();
  const r = await analyzeFeatureDir(dir, { layers: true });
  const seconds = (performance.now() - t0) / 1000;
  const m = r.final;
  console.log(
    JSON.stringify({
      seconds,
      rssMiB: process.resourceUsage().maxRSS / 1024,
      nc1: m.nc1,
      trSw: m.trSw,
      trSb: m.trSb,
      nc3: m.nc3,
      nc4: m.nc4,
      nc5: m.nc5,
      nccTestAccuracy: m.nccTestAccuracy,
      testAccuracy: m.testAccuracy,
      equiangularMeans: m.nc2.equiangularMeans,
      etfDistanceMeans: r.geometry.etfDistanceMeans,
      orthogonality: Object.fromEntries(
        Object.entries(m.idOodOrthogonality).map(([k, v]) => [k, v.meanAbsCos]),
      ),
    }),
  );
}

interface Row {
  [metric: string]: number | Record<string, number> | undefined;
  seconds: number;
  orthogonality?: Record<string, number>;
}
const num = (r: Row, key: string) => r[key] as number;

function runOodlab(dir: string, mode = '--child'): Row {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), mode, dir],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Row;
}

function runNumpy(dir: string, float32: boolean): Row | string {
  const r = spawnSync('python3', [join(here, 'nc_numpy.py'), dir, ...(float32 ? ['--float32'] : [])], {
    encoding: 'utf8',
    env: { ...process.env },
  });
  if (r.error) return `python3 did not start (${r.error.message})`;
  if (r.status !== 0) return `nc_numpy.py failed: ${r.stderr.trim().split('\n').pop()}`;
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as Row & { nc2: Record<string, number>; idOodOrthogonality: Record<string, { meanAbsCos: number }> }; // prettier-ignore
  return {
    ...j,
    equiangularMeans: j.nc2.equiangularMeans,
    orthogonality: Object.fromEntries(
      Object.entries(j.idOodOrthogonality).map(([k, v]) => [k, v.meanAbsCos]),
    ),
  } as unknown as Row;
}

const range = (v: number[]) =>
  v.length > 1 ? `${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)}` : v[0].toFixed(2);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repeat = Number(args[args.indexOf('--repeat') + 1]) || 2;
  const dir = join(tmpdir(), 'oodlab-bench-nc-cifar-sized-v1');
  if (!existsSync(dir)) {
    console.log(`writing the fixture to ${dir} (once; not timed)`);
    await writeFixture(dir);
  }
  console.log(
    'analyze --features: 50,000 x 512 train, 10,000 test, 26,032 + 5,640 OOD, 100 classes, no logits files',
  );
  const ours: number[] = [];
  const theirs: number[] = [];
  const theirs32: number[] = [];
  const ratios: number[] = [];
  const evaluations: number[] = [];
  let last: { o: Row; p: Row | string } | null = null;
  for (let k = 0; k < repeat; k++) {
    const o = runOodlab(dir);
    const p = runNumpy(dir, false);
    ours.push(o.seconds);
    const line = [
      `  run ${k + 1}: OODLab ${o.seconds.toFixed(2)} s (peak RSS ${num(o, 'rssMiB').toFixed(0)} MiB)`,
    ];
    if (typeof p !== 'string') {
      theirs.push(p.seconds);
      ratios.push(o.seconds / p.seconds);
      line.push(`numpy float64 ${p.seconds.toFixed(2)} s`, `ratio ${(o.seconds / p.seconds).toFixed(2)}x`);
    } else line.push(p);
    if (args.includes('--evaluate')) {
      const e = runOodlab(dir, '--child-evaluate');
      evaluations.push(e.seconds);
      line.push(
        `evaluate --features ${e.seconds.toFixed(2)} s (peak RSS ${num(e, 'rssMiB').toFixed(0)} MiB)`,
      );
    }
    if (args.includes('--float32')) {
      const p32 = runNumpy(dir, true);
      if (typeof p32 !== 'string') {
        theirs32.push(p32.seconds);
        line.push(`numpy float32 ${p32.seconds.toFixed(2)} s (${(o.seconds / p32.seconds).toFixed(2)}x)`);
      }
    }
    console.log(line.join(', '));
    last = { o, p };
  }
  if (!last) return;
  const { o, p } = last;
  console.log(`OODLab ${range(ours)} s, peak RSS ${num(o, 'rssMiB').toFixed(0)} MiB (target < 1024)`);
  if (typeof p === 'string') return;
  console.log(`numpy (float64) ${range(theirs)} s; ratio OODLab / numpy ${range(ratios)}x (target <= 1.0x)`);
  if (theirs32.length) console.log(`numpy (float32) ${range(theirs32)} s`);
  if (evaluations.length)
    console.log(
      `evaluate --features (six detectors, wasm) ${range(evaluations)} s: ` +
        `${range(evaluations.map((e, i) => e / theirs[i]))}x the numpy NC reference of the same round`,
    );
  // The two sides must agree, or the timing compares different work.
  const keys = ['nc1', 'trSw', 'trSb', 'nc3', 'nc4', 'nc5', 'nccTestAccuracy', 'testAccuracy', 'equiangularMeans', 'etfDistanceMeans']; // prettier-ignore
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  const diffs = keys.map((key) => `${key} ${rel(num(o, key), num(p, key)).toExponential(1)}`);
  for (const s of Object.keys(o.orthogonality ?? {}))
    diffs.push(`|cos| ${s} ${rel(o.orthogonality![s], p.orthogonality![s]).toExponential(1)}`);
  console.log(`relative differences OODLab vs numpy: ${diffs.join(', ')}`);
}

if (process.argv.includes('--child-evaluate'))
  await childEvaluate(process.argv[process.argv.indexOf('--child-evaluate') + 1]);
else if (process.argv.includes('--child')) await child(process.argv[process.argv.indexOf('--child') + 1]);
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
