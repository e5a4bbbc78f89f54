/**
 * Training and inference images per second of the ResNet per backend, width and batch, with peak RSS.
 * Each configuration runs in its own child process so that peak RSS is its own and backends do not share
 * a heap. CPU time is reported beside wall time: on a shared machine, images per CPU-second times the core
 * count estimates the uncontended rate.
 * "onnxruntime" is a row of its own (listed by default where onnxruntime-node loads): training through the ONNX
 * Runtime engine (main/engine/train/ort-engine.ts, the one training uses on the CPU backends) and inference of the
 * same network (seed 1) exported to ONNX in memory with the app's exporter (the engine feature extraction uses on the
 * CPU), both on ONNX Runtime's CPU provider with one intra-op thread per core.
 * --reference runs PyTorch (bench/torch_resnet18.py, one thread per core) right after each configuration and
 * prints its figures and OODLab's ratio to them (when `python3 -c 'import torch'` works; otherwise it says why).
 *   npx tsx bench/train-throughput.ts [--backends wasm,onnxruntime,webgpu] [--widths 16,32,64] [--batches 64,128]
 *                                     [--steps 3] [--warmup 3] [--micro-batch N] [--reference] [--repeat K]
 * --repeat K measures the whole table K times, interleaved, and prints the median of each configuration's paired
 * ratios to PyTorch.
 * (Three untimed steps first: ONNX Runtime's memory arena grows over the first two runs of a session.)
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../common/contract/system';
import { initBackend } from '../main/engine/backend';
import { probeBackends } from '../main/engine/backend/probe';
import { exportResNetOnnx, type ResNetWeights } from '../main/engine/model/onnx/export';
import { openSession, ort } from '../main/engine/model/onnx/session';
import { ResNet18 } from '../main/engine/model/resnet';
import { benchOptions } from './args';
import { defaultMicroBatch, measureThroughput, timeIt } from '../main/engine/train/throughput';
import { runTorch, torchScript, torchUnavailable } from './reference';

interface Row {
  backend: string;
  device: string;
  width: number;
  batch: number;
  microBatch: number | null;
  trainImgS: number;
  inferImgS: number;
  trainImgCpuS: number;
  inferImgCpuS: number;
  peakRssMiB: number;
  /** PyTorch's figures measured right after, with --reference. */
  torchTrainImgS?: number;
  torchInferImgS?: number;
  torchTrainImgCpuS?: number;
  torchInferImgCpuS?: number;
}

const list = (s: string) => s.split(',').filter(Boolean);
const nums = (s: string) => list(s).map(Number);

/** Inference of measureThroughput's network (seed 1, 100 classes) through ONNX Runtime on the CPU. */
async function ortInference(width: number, batch: number, steps: number, warmup: number) {
  const model = new ResNet18({ width, numClasses: 100, seed: 1 });
  const weights: ResNetWeights = new Map();
  for (const t of model.namedTensors())
    weights.set(t.name, { shape: t.spec.shape, data: (await t.variable.data()) as Float32Array });
  model.dispose();
  const s = await openSession(exportResNetOnnx(weights, { width, numClasses: 100 }), {
    threads: cpus().length,
  });
  try {
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const x = new ort.Tensor('float32', Float32Array.from({ length: batch * 3 * 32 * 32 }, rand), [batch, 3, 32, 32]); // prettier-ignore
    const infer = async () => {
      await s.session.run({ input: x });
    };
    for (let i = 0; i < warmup; i++) await infer();
    const t = await timeIt(steps, infer);
    return {
      ortInferImgS: batch / t.wall,
      ortInferImgCpuS: batch / t.cpu,
      ort: `onnxruntime ${s.version}, ${s.provider} ${s.threads} threads`,
    };
  } finally {
    await s.session.release();
  }
}

async function child(
  backend: string,
  width: number,
  batch: number,
  steps: number,
  warmup: number,
  mb?: number,
): Promise<Row> {
  const ort = backend === 'onnxruntime';
  // The ONNX Runtime engine keeps the model's variables on tfjs' cpu backend (read once, written back by sync()).
  const report = await initBackend(ort ? 'cpu' : (backend as BackendName));
  const microBatch = mb ?? (ort ? undefined : defaultMicroBatch(backend, width, batch));
  const t = await measureThroughput({
    width,
    batch,
    steps,
    warmup,
    microBatch,
    engine: ort ? 'onnxruntime' : 'tfjs',
    inference: !ort,
  });
  const i = ort ? await ortInference(width, batch, steps, warmup) : null;
  return {
    backend,
    device: i ? i.ort : report.device,
    width,
    batch,
    microBatch: microBatch ?? null,
    trainImgS: t.trainImagesPerSecond,
    inferImgS: i ? i.ortInferImgS : t.inferImagesPerSecond,
    trainImgCpuS: batch / t.trainStepCpuSeconds,
    inferImgCpuS: i ? i.ortInferImgCpuS : batch / t.inferBatchCpuSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

const ratio = (a: number, b?: number) => (b ? `${(a / b).toFixed(2)}x` : '-');

function table(rows: Row[]): string {
  const ref = rows.some((r) => r.torchTrainImgS);
  const head = [
    'backend',
    'width',
    'batch',
    'micro',
    'train img/s',
    'infer img/s',
    'train img/cpu-s',
    'infer img/cpu-s',
    'peak RSS MiB',
    ...(ref ? ['torch train', 'torch infer', 'train ratio', 'infer ratio', 'train ratio per cpu-s'] : []),
  ];
  const body = rows.map((r) => [
    r.backend,
    String(r.width),
    String(r.batch),
    r.microBatch ? String(r.microBatch) : '-',
    r.trainImgS.toFixed(2),
    r.inferImgS.toFixed(2),
    r.trainImgCpuS.toFixed(2),
    r.inferImgCpuS.toFixed(2),
    r.peakRssMiB.toFixed(0),
    ...(ref
      ? [
          r.torchTrainImgS?.toFixed(2) ?? '-',
          r.torchInferImgS?.toFixed(2) ?? '-',
          ratio(r.trainImgS, r.torchTrainImgS),
          ratio(r.inferImgS, r.torchInferImgS),
          ratio(r.trainImgCpuS, r.torchTrainImgCpuS),
        ]
      : []),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((r) => r.map((c, i) => c.padStart(w[i])).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const values = benchOptions({
    backends: null,
    widths: '16,32,64',
    batches: '64,128',
    steps: 3,
    warmup: 3,
    'micro-batch': null,
    child: null,
    reference: false,
    repeat: 1,
  });
  const { steps, warmup } = values;
  const mb = values['micro-batch'] ? Number(values['micro-batch']) : undefined;
  if (values.child) {
    const [backend, width, batch] = values.child.split(':');
    const row = await child(backend, Number(width), Number(batch), steps, warmup, mb);
    process.stdout.write(`\nRESULT ${JSON.stringify(row)}\n`);
    process.exit(0); // wasm's pthread workers and Dawn need not be waited for
  }
  const available: string[] = (await probeBackends()).filter((b) => b.available && b.name !== 'cpu').map((b) => b.name); // prettier-ignore
  if (
    await import('onnxruntime-node').then(
      () => true,
      () => false,
    )
  )
    available.push('onnxruntime');
  const backends = values.backends ? list(values.backends) : available;
  console.log(`${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}; backends: ${backends.join(', ')}`);
  const script = torchScript(fileURLToPath(new URL('.', import.meta.url)));
  const noTorch = values.reference ? torchUnavailable() : 'not asked for (--reference)';
  if (values.reference) console.log(noTorch ? `PyTorch reference: none (${noTorch})` : `PyTorch reference: ${script}, ${cpus().length} threads`); // prettier-ignore
  const rows: Row[] = [];
  const self = fileURLToPath(import.meta.url);
  const repeat = Math.max(1, Number(values.repeat));
  for (let run = 0; run < repeat; run++)
    for (const backend of backends) {
      for (const width of nums(values.widths)) {
        for (const batch of nums(values.batches)) {
          const args = [
            'tsx',
            self,
            '--child',
            `${backend}:${width}:${batch}`,
            '--steps',
            String(steps),
            '--warmup',
            String(warmup),
          ];
          if (mb) args.push('--micro-batch', String(mb));
          try {
            const out = execFileSync('npx', args, {
              encoding: 'utf8',
              stdio: ['ignore', 'pipe', 'inherit'],
              maxBuffer: 1 << 24,
            });
            const line = out.split('\n').find((l) => l.startsWith('RESULT '));
            if (!line) throw new Error('no result');
            const row = JSON.parse(line.slice(7)) as Row;
            rows.push(row);
            console.log(
              `${backend} (${row.device}) width ${width} batch ${batch}: train ${row.trainImgS.toFixed(2)} img/s, inference ${row.inferImgS.toFixed(2)} img/s`,
            );
            if (!noTorch) {
              const t = runTorch(script, width, batch, steps);
              if (typeof t === 'string') console.log(`  PyTorch: ${t}`);
              else {
                row.torchTrainImgS = t.trainImgPerSec;
                row.torchInferImgS = t.inferImgPerSec;
                row.torchTrainImgCpuS = t.trainImgPerCpuSec;
                row.torchInferImgCpuS = t.inferImgPerCpuSec;
                console.log(
                  `  ${t.framework} (${t.threads} threads): train ${t.trainImgPerSec.toFixed(2)} img/s, inference ${t.inferImgPerSec.toFixed(2)} img/s; ` +
                    `OODLab / PyTorch: train ${ratio(row.trainImgS, t.trainImgPerSec)}, inference ${ratio(row.inferImgS, t.inferImgPerSec)}; ` +
                    `per CPU-second (less sensitive to neighbours): train ${row.trainImgCpuS.toFixed(2)} vs ${t.trainImgPerCpuSec?.toFixed(2) ?? '-'} (${ratio(row.trainImgCpuS, t.trainImgPerCpuSec)})`,
                );
              }
            }
          } catch (err) {
            console.log(
              `${backend} width ${width} batch ${batch}: failed (${(err as Error).message.split('\n')[0]})`,
            );
          }
        }
      }
    }
  console.log(`\n${table(rows)}`);
  if (repeat > 1 && rows.some((r) => r.torchTrainImgS)) {
    // On a shared machine one pair of figures can catch a neighbour's burst on either side: the median of the
    // paired ratios over the repeats is the figure to quote.
    console.log(`\nmedian over ${repeat} repeats of the paired ratios (wall; per CPU-second):`);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const keys = [...new Set(rows.map((r) => `${r.backend}:${r.width}:${r.batch}`))];
    for (const key of keys) {
      const rs = rows.filter((r) => `${r.backend}:${r.width}:${r.batch}` === key && r.torchTrainImgS);
      if (!rs.length) continue;
      const train = median(rs.map((r) => r.trainImgS / r.torchTrainImgS!));
      const trainCpu = median(rs.map((r) => r.trainImgCpuS / (r.torchTrainImgCpuS ?? NaN)));
      const infer = median(rs.map((r) => r.inferImgS / r.torchInferImgS!));
      const [backend, width, batch] = key.split(':');
      console.log(
        `  ${backend} width ${width} batch ${batch}: train ${train.toFixed(2)}x (${trainCpu.toFixed(2)}x), ` +
          `inference ${infer.toFixed(2)}x; train ratios ${rs.map((r) => (r.trainImgS / r.torchTrainImgS!).toFixed(2)).join(', ')}`,
      );
    }
  }
}

await main();
