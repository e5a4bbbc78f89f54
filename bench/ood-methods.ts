// The twenty OOD detectors on CIFAR-sized features beside a NumPy / scikit-learn implementation of the same methods
// (bench/ood_reference.py, Debian's python3-numpy and python3-sklearn), measured in the same run on the same files:
// 50,000 x 512 ID train (100 classes), 10,000 ID test, and six OOD sets of the OpenOOD v1.5 CIFAR-100 benchmark's
// sizes (CIFAR-10 10,000, Tiny ImageNet 7,793, MNIST 70,000, SVHN 26,032, Textures 5,640, Places365 35,195).
// Every method fits on ID train with its default hyper-parameters (no sweep) and scores ID test and the six sets.
// Prints per-method seconds for both, the ratio OODLab / NumPy (target <= 0.5), OODLab's peak RSS (target < 3 GiB),
// and the largest AUROC difference between the two implementations per method (a cross-check at scale).
//   npx tsx bench/ood-methods.ts [--methods knn,react,...] [--scale 0.1]   (OODLAB_BENCH_BACKEND=cpu|wasm)
// --scale shrinks every set (a quick look); the targets are for --scale 1.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OodMethod } from '../common/contract/ood';
import { initBackend } from '../main/engine/backend';
import { writeNpy } from '../main/engine/features/npy';
import { writeFeatureSet } from '../main/engine/features/store';
import { computeMetrics } from '../main/engine/ood/metrics';
import { createDetector, isFeatureMethod, methodNames } from '../main/engine/ood/registry';
import { makeFeatures } from '../test/helpers/features';
import { ORT_PRODUCT_THREADS } from '../main/engine/linalg/ort-products';

const { values } = parseArgs({
  options: {
    methods: { type: 'string' },
    scale: { type: 'string', default: '1' },
    keep: { type: 'boolean' },
  },
});
const scale = Number(values.scale);
const chosen = values.methods
  ? values.methods
      .split(',')
      .map((m) => OodMethod.parse(m.trim()))
      .filter(isFeatureMethod)
  : methodNames;
const n = (k: number) => Math.max(200, Math.round(k * scale));

const backend = await initBackend(process.env.OODLAB_BENCH_BACKEND === 'cpu' ? 'cpu' : 'wasm');
console.log(`backend: ${backend.name} (${backend.device}); scale ${scale}`);
const rf = await makeFeatures({
  seed: 1,
  classes: 100,
  dim: 512,
  nTrain: n(50_000),
  nTest: n(10_000),
  ood: {
    cifar10: n(10_000),
    tin: n(7_793),
    mnist: n(70_000),
    svhn: n(26_032),
    texture: n(5_640),
    places365: n(35_195),
  },
  noiseRank: 16,
});
const dir = await mkdtemp(join(tmpdir(), 'oodlab-bench-'));
await writeNpy(join(dir, 'fc_weight.npy'), rf.W, [rf.C, rf.D]);
await writeNpy(join(dir, 'fc_bias.npy'), rf.b, [rf.C]);
await writeFeatureSet(dir, 'id_train', rf.idTrain);
await writeFeatureSet(dir, 'id_test', rf.idTest);
for (const [k, s] of Object.entries(rf.ood)) await writeFeatureSet(dir, `ood_${k}`, s);
const rows = Object.values(rf.ood).reduce((s, x) => s + x.n, 0);
console.log(
  `features in ${dir}: train ${rf.idTrain.n} x ${rf.D}, test ${rf.idTest.n}, OOD ${Object.entries(rf.ood)
    .map(([k, s]) => `${k} ${s.n}`)
    .join(', ')} (${rows} rows)`,
);

// ---- OODLab ----
type Timing = { seconds: number; cpu: number; auroc: Record<string, number> };
const train = { ...rf.idTrain, labels: rf.idTrain.labels! };
const ours: Record<string, Timing> = {};
for (const name of chosen) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const det = createDetector(name);
  await det.fit(train, rf.W, rf.b);
  const id = await det.score(rf.idTest);
  const ood: Record<string, Float64Array> = {};
  for (const [k, s] of Object.entries(rf.ood)) ood[k] = await det.score(s);
  const seconds = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  const auroc = Object.fromEntries(Object.entries(ood).map(([k, v]) => [k, computeMetrics(id, v).auroc]));
  ours[name] = { seconds, cpu, auroc };
  console.log(`  oodlab ${name.padEnd(12)} ${seconds.toFixed(2).padStart(8)} s (${cpu.toFixed(2)} s CPU)  ${JSON.stringify(det.params)}`); // prettier-ignore
}
const ourRss = process.resourceUsage().maxRSS / 1024;

// ---- NumPy / scikit-learn, same files, a separate process ----
const py = await new Promise<string>((resolve, reject) => {
  const p = spawn('python3', [join(import.meta.dirname, 'ood_reference.py'), dir, chosen.join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // the same thread count as ONNX Runtime's products on our side
    env: { ...process.env, OMP_NUM_THREADS: String(ORT_PRODUCT_THREADS) },
  });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.on('error', reject);
  p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`ood_reference.py exited ${code}`))));
});
const ref = JSON.parse(py) as Record<string, Timing> & { _peakRssMiB: number };

// ---- report ----
// Wall time depends on what else the machine runs; CPU time (every thread of each process) much less so.
console.log('\n             wall seconds               CPU seconds');
console.log('method        OODLab    NumPy  ratio     OODLab    NumPy  ratio   max |dAUROC|');
const line = (name: string, a: number, b: number, ca: number, cb: number, extra = '') =>
  console.log(
    `${name.padEnd(12)} ${a.toFixed(2).padStart(7)} ${b.toFixed(2).padStart(8)} ${(a / b).toFixed(2).padStart(6)}  ${ca.toFixed(2).padStart(9)} ${cb.toFixed(2).padStart(8)} ${(ca / cb).toFixed(2).padStart(6)}   ${extra}`,
  );
const sum = { a: 0, b: 0, ca: 0, cb: 0 };
for (const name of chosen) {
  const o = ours[name];
  const r = ref[name];
  sum.a += o.seconds;
  sum.b += r.seconds;
  sum.ca += o.cpu;
  sum.cb += r.cpu;
  const d = Math.max(...Object.keys(o.auroc).map((k) => Math.abs(o.auroc[k] - r.auroc[k])));
  line(name, o.seconds, r.seconds, o.cpu, r.cpu, d.toExponential(1));
}
line('total', sum.a, sum.b, sum.ca, sum.cb, '(target: ratio <= 0.5)');
if (chosen.includes('knn') && chosen.length > 1) {
  const [o, r] = [ours.knn, ref.knn];
  line('without KNN', sum.a - o.seconds, sum.b - r.seconds, sum.ca - o.cpu, sum.cb - r.cpu);
}
console.log(
  `peak RSS: OODLab ${ourRss.toFixed(0)} MiB (target < 3072), NumPy ${ref._peakRssMiB.toFixed(0)} MiB`,
);
if (!values.keep) await rm(dir, { recursive: true, force: true });
process.exit(0); // wasm pthread workers would keep the process alive
