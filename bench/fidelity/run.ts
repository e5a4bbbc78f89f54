/**
 * Step-by-step fidelity against PyTorch: the same initial weights, batches, crops and flips in OODLab (on every
 * backend asked for, each in its own process) and in PyTorch (bench/fidelity/torch_steps.py, Debian's
 * python3-torch), then per step the loss in both, every parameter's gradient at step 1 and every tensor after the
 * last step, as the largest difference relative to the tensor's largest magnitude. Float32 round-off is ~1e-6 at
 * step 1 and grows over steps; a kernel, optimiser, schedule or augmentation defect shows as far more.
 *
 *   npx tsx bench/fidelity/run.ts [--width 8] [--batch 32] [--steps 10] [--classes 10] [--no-augment]
 *       [--micro 8] [--backends cpu,wasm,wasm-plain,webgpu,onnxruntime] [--lr 0.1] [--fixture FILE.json] [--keep DIR]
 *       [--weights RUN/checkpoints/last] [--images cifar-format.tar.gz]
 *
 * --weights starts from a trained checkpoint (its width and classes), --images trains on the first images of a CIFAR
 * binary archive. wasm-plain is wasm without OODLab's SIMD/Winograd kernels; onnxruntime is the ONNX Runtime training
 * engine (main/engine/train/ort-engine.ts, its own hand-written gradient graph). --fixture writes PyTorch's trajectory as the JSON
 * fixture test/unit/engine/train/fidelity.spec.ts checks every backend against (make it with the defaults:
 * width 4, 20 steps, batch 16, augmentation on).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../../common/contract/system';
import { initBackend } from '../../main/engine/backend';
import { readCifarArchive } from '../../main/engine/data/cifar';
import { readNpy } from '../../main/engine/features/npy';
import { loadCheckpoint, readCheckpointMeta } from '../../main/engine/model/checkpoint';
import { ResNet18 } from '../../main/engine/model/resnet';
import {
  caseDigest,
  decodeF32,
  defaultCase,
  encodeF32,
  makeCase,
  readCase,
  runOodlab,
  writeCase,
  type CaseData,
  type CaseParams,
  type Trajectory,
} from '../../test/helpers/fidelity';
import { relativeError } from '../../test/helpers/ref64';

const here = dirname(fileURLToPath(import.meta.url));

interface Options {
  params: CaseParams;
  backends: string[];
  fixture?: string;
  keep?: string;
  worker?: string;
  out?: string;
  caseDir?: string;
  /** A checkpoint folder (e.g. runs/<id>/checkpoints/last): start from these weights instead of initialisation. */
  weights?: string;
  /** A CIFAR binary archive: train on its first training images instead of synthetic ones. */
  images?: string;
}

function parse(argv: string[]): Options {
  const p: CaseParams = { ...defaultCase };
  const o: Options = { params: p, backends: ['cpu', 'wasm', 'wasm-plain', 'webgpu', 'onnxruntime'] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--width') p.width = Number(v());
    else if (a === '--batch') p.batch = Number(v());
    else if (a === '--steps') p.steps = Number(v());
    else if (a === '--classes') p.classes = Number(v());
    else if (a === '--lr') p.lr = Number(v());
    else if (a === '--micro') p.microBatch = Number(v());
    else if (a === '--steps-per-epoch') p.stepsPerEpoch = Number(v());
    else if (a === '--no-augment') p.augment = false;
    else if (a === '--backends') o.backends = v().split(',');
    else if (a === '--fixture') o.fixture = v();
    else if (a === '--keep') o.keep = v();
    else if (a === '--worker') o.worker = v();
    else if (a === '--out') o.out = v();
    else if (a === '--params') Object.assign(p, JSON.parse(v()));
    else if (a === '--case') o.caseDir = v();
    else if (a === '--weights') o.weights = v();
    else if (a === '--images') o.images = v();
    else throw new Error(`unknown option ${a}`);
  }
  p.epochs = Math.max(p.warmupEpochs + 1, Math.ceil(p.steps / p.stepsPerEpoch));
  return o;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args[0]} exited with ${code}`)),
    );
  });
}

function encodeAll(r: Record<string, Float32Array>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, encodeF32(v)]));
}

function decodeAll(r: Record<string, string>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, decodeF32(v)]));
}

/** A case from a trained checkpoint (--weights) and real images (--images, the classes set by the checkpoint). */
async function customise(c: CaseData, o: Options): Promise<CaseData> {
  if (o.images) {
    const a = await readCifarArchive(o.images);
    const n = c.labels.length;
    c.images = a.train.images.slice(0, n * 3072);
    c.labels = a.train.labels.slice(0, n);
  }
  if (o.weights) {
    const meta = await readCheckpointMeta(o.weights);
    c.params.width = meta.width;
    c.params.classes = meta.numClasses;
    const model = new ResNet18({ width: meta.width, numClasses: meta.numClasses });
    await loadCheckpoint(o.weights, model);
    c.init = model.namedTensors().map((t) => ({
      name: t.name,
      shape: t.spec.shape,
      values: t.variable.dataSync() as Float32Array,
    }));
    model.dispose();
  }
  return c;
}

/** In a child process: one backend's trajectory, written as JSON. */
async function worker(o: Options): Promise<void> {
  const ort = o.worker === 'onnxruntime';
  const name = o.worker === 'wasm-plain' ? 'wasm' : ort ? 'cpu' : (o.worker as BackendName);
  const report = await initBackend(name);
  const c = await readCase(o.caseDir as string);
  const t = await runOodlab(c, c.params.steps, ort ? 'onnxruntime' : 'tfjs');
  const out = {
    device: ort ? 'ONNX Runtime (CPU)' : report.device,
    losses: t.losses,
    lrs: t.lrs,
    grads: encodeAll(t.grads),
    final: encodeAll(t.final),
  };
  await writeFile(o.out as string, JSON.stringify(out));
  process.exit(0); // the wasm backend's helper threads would keep the process alive
}

interface TorchResult {
  framework: string;
  digest: string;
  lrs: number[];
  /** float64, the reference of truth */
  ref: Trajectory;
  /** float32, PyTorch's own round-off for scale */
  f32: Trajectory;
}

async function readTorch(dir: string): Promise<TorchResult> {
  const meta = JSON.parse(await readFile(join(dir, 'torch.json'), 'utf8'));
  const load = async (sub: string) => {
    const r: Record<string, Float32Array> = {};
    for (const f of await readdir(join(dir, sub))) {
      const a = await readNpy(join(dir, sub, f));
      r[f.replace(/\.npy$/, '')] = Float32Array.from(a.data as Float32Array);
    }
    return r;
  };
  return {
    framework: meta.framework,
    digest: meta.digest,
    lrs: meta.lrs,
    ref: { losses: meta.losses64, lrs: meta.lrs, grads: await load('grads64'), final: await load('final64') },
    f32: { losses: meta.losses, lrs: meta.lrs, grads: await load('grads'), final: await load('final') },
  };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function summarise(
  label: string,
  ref: Record<string, Float32Array>,
  got: Record<string, Float32Array>,
): string {
  const errs = Object.keys(ref)
    .map((k) => ({ k, e: got[k] ? relativeError(got[k], ref[k]) : Infinity }))
    .sort((a, b) => a.e - b.e);
  const median = errs[Math.floor(errs.length / 2)].e;
  const worst = errs.slice(-3).reverse();
  return `${label}: median ${median.toExponential(1)}, max ${worst[0].e.toExponential(1)} (${worst
    .map((w) => `${w.k} ${w.e.toExponential(1)}`)
    .join(', ')})`;
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  if (o.worker) return worker(o);
  const dir = o.keep ?? (await mkdtemp(join(tmpdir(), 'oodlab-fidelity-')));
  await initBackend('cpu');
  const c = await customise(makeCase(o.params), o);
  await writeCase(c, join(dir, 'case'));
  console.log(`case ${JSON.stringify(o.params)}\ndigest ${caseDigest(c)}\nfolder ${dir}`);
  await run('python3', [join(here, 'torch_steps.py'), join(dir, 'case'), join(dir, 'torch')], {
    OMP_NUM_THREADS: '2',
  });
  const torch = await readTorch(join(dir, 'torch'));
  if (o.fixture) {
    const fixture = {
      about:
        'PyTorch trajectory of a fidelity case, written by bench/fidelity/run.ts --fixture; see test/helpers/fidelity.ts',
      framework: torch.framework,
      params: o.params,
      digest: torch.digest,
      precision: 'float64 (PyTorch in float64 from the same float32 initial weights and inputs)',
      losses: torch.ref.losses,
      lossesFloat32: torch.f32.losses,
      lrs: torch.lrs,
      grads: encodeAll(torch.ref.grads),
      final: encodeAll(torch.ref.final),
      // PyTorch's own float32 round-off against its float64 run: the yardstick the test scales its tolerances by
      float32: {
        lossRelError: torch.f32.losses.map(
          (l, s) => Math.abs(l - torch.ref.losses[s]) / Math.abs(torch.ref.losses[s]),
        ),
        gradRelError: Object.fromEntries(
          Object.keys(torch.ref.grads).map((k) => [k, relativeError(torch.f32.grads[k], torch.ref.grads[k])]),
        ),
        finalMedianRelError: median(
          Object.keys(torch.ref.final).map((k) => relativeError(torch.f32.final[k], torch.ref.final[k])),
        ),
      },
    };
    await writeFile(o.fixture, JSON.stringify(fixture));
    console.log(`wrote ${o.fixture}`);
  }
  const results: Record<string, Trajectory & { device: string }> = {
    'pytorch-f32': { device: 'PyTorch float32, CPU', ...torch.f32 },
  };
  for (const b of o.backends) {
    const out = join(dir, `${b}.json`);
    const env = b === 'wasm-plain' ? { OODLAB_WASM_SIMD_KERNELS: '0', OODLAB_WINOGRAD: '0' } : {};
    try {
      await run(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--worker',
          b,
          '--case',
          join(dir, 'case'),
          '--out',
          out,
        ],
        env,
      );
    } catch (err) {
      console.log(`${b}: not run (${(err as Error).message})`);
      continue;
    }
    const r = JSON.parse(await readFile(out, 'utf8'));
    results[b] = { ...r, grads: decodeAll(r.grads), final: decodeAll(r.final) };
  }
  const names = Object.keys(results);
  console.log(
    `\nReference: ${torch.framework} in float64. Compared: ${names.map((n) => `${n} (${results[n].device})`).join('; ')}`,
  );
  console.log(['step', 'lr torch', 'loss (f64)', ...names.map((n) => `${n} rel.diff`)].join('\t'));
  torch.ref.losses.forEach((l, s) => {
    const lrOk = names.every((n) => Math.abs(results[n].lrs[s] - torch.lrs[s]) <= 1e-9 * torch.lrs[s]);
    const cols = names.map((n) => (Math.abs(results[n].losses[s] - l) / Math.abs(l)).toExponential(1));
    console.log(
      [s + 1, torch.lrs[s].toPrecision(4) + (lrOk ? '' : ' (lr differs!)'), l.toFixed(6), ...cols].join('\t'),
    );
  });
  for (const n of names) {
    console.log(`\n${n}`);
    console.log('  ' + summarise('gradients at step 1', torch.ref.grads, results[n].grads));
    console.log('  ' + summarise(`tensors after step ${o.params.steps}`, torch.ref.final, results[n].final));
  }
  if (!o.keep) await rm(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
