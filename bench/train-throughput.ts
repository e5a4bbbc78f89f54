/**
 * Training and inference images per second of the ResNet per backend, width and batch, with peak RSS.
 * Each configuration runs in its own child process so that peak RSS is its own and backends do not share
 * a heap. CPU time is reported beside wall time: on a shared machine, images per CPU-second times the core
 * count estimates the uncontended rate.
 *   npx tsx bench/train-throughput.ts [--backends wasm,webgpu] [--widths 16,32,64] [--batches 64,128]
 *                                     [--steps 3] [--warmup 1] [--micro-batch N]
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName } from '../common/contract/system';
import { initBackend } from '../main/engine/backend';
import { probeBackends } from '../main/engine/backend/probe';
import { defaultMicroBatch, measureThroughput } from '../main/engine/train/throughput';

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
}

const list = (s: string) => s.split(',').filter(Boolean);
const nums = (s: string) => list(s).map(Number);

async function child(
  backend: BackendName,
  width: number,
  batch: number,
  steps: number,
  warmup: number,
  mb?: number,
): Promise<Row> {
  const report = await initBackend(backend);
  const microBatch = mb ?? defaultMicroBatch(backend, width, batch);
  const t = await measureThroughput({ width, batch, steps, warmup, microBatch });
  return {
    backend,
    device: report.device,
    width,
    batch,
    microBatch: microBatch ?? null,
    trainImgS: t.trainImagesPerSecond,
    inferImgS: t.inferImagesPerSecond,
    trainImgCpuS: batch / t.trainStepCpuSeconds,
    inferImgCpuS: batch / t.inferBatchCpuSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function table(rows: Row[]): string {
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
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((r) => r.map((c, i) => c.padStart(w[i])).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backends: { type: 'string' },
      widths: { type: 'string', default: '16,32,64' },
      batches: { type: 'string', default: '64,128' },
      steps: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      'micro-batch': { type: 'string' },
      child: { type: 'string' },
    },
  });
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  const mb = values['micro-batch'] ? Number(values['micro-batch']) : undefined;
  if (values.child) {
    const [backend, width, batch] = values.child.split(':');
    const row = await child(backend as BackendName, Number(width), Number(batch), steps, warmup, mb);
    process.stdout.write(`\nRESULT ${JSON.stringify(row)}\n`);
    process.exit(0); // wasm's pthread workers and Dawn need not be waited for
  }
  const available = (await probeBackends()).filter((b) => b.available && b.name !== 'cpu').map((b) => b.name);
  const backends = values.backends ? list(values.backends) : available;
  console.log(`${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}; backends: ${backends.join(', ')}`);
  const rows: Row[] = [];
  const self = fileURLToPath(import.meta.url);
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
        } catch (err) {
          console.log(
            `${backend} width ${width} batch ${batch}: failed (${(err as Error).message.split('\n')[0]})`,
          );
        }
      }
    }
  }
  console.log(`\n${table(rows)}`);
}

await main();
