// The GPU kit's benchmark (bundled by bench/gpu-kit/build.ts into one file that the kit's own Node runs): the
// WebGPU adapter Dawn finds, OODLab's training and inference throughput on it per width, then PyTorch's (CUDA,
// fp32) for the same configurations and the ratios. Everything it prints also goes to LOG/results.json.
//   node bench.mjs --log DIR [--backends webgpu] [--widths 16,64] [--batch 128] [--steps 10] [--warmup 2]
//                  [--torch cuda|cpu|none] [--budget SECONDS]
// A configuration is skipped (and says so) once the budget is spent, so the kit ends within its time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../../common/contract/system';
import { initBackend, tf } from '../../main/engine/backend';
import { requestAdapter } from '../../main/engine/backend/webgpu';
import { measureThroughput } from '../../main/engine/train/throughput';
import { benchOptions } from '../args';
import { runTorch, torchScript, torchUnavailable } from '../reference';

interface Figures {
  backend: string;
  width: number;
  batch: number;
  trainImgS?: number;
  inferImgS?: number;
  torchTrainImgS?: number;
  torchInferImgS?: number;
  note?: string;
}

const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(3)}x` : '-');

async function main(): Promise<void> {
  const values = benchOptions({
    log: null,
    backends: 'webgpu',
    widths: '16,64',
    batch: 128,
    steps: 10,
    warmup: 2,
    torch: 'cuda',
    budget: 300,
  });
  if (!values.log) throw new Error('--log DIR is required');
  mkdirSync(values.log, { recursive: true });
  const widths = values.widths.split(',').map(Number);
  const { batch, steps, warmup, budget } = values;
  const results: { adapter?: object; device?: string; versions?: object; rows: Figures[]; torch?: string } = {
    rows: [],
  };
  const save = () => writeFileSync(join(values.log!, 'results.json'), JSON.stringify(results, null, 2));

  for (const backend of values.backends.split(',') as BackendName[]) {
    let report;
    try {
      report = await initBackend(backend);
    } catch (err) {
      console.log(`${backend}: not available (${(err as Error).message})`);
      results.rows.push({ backend, width: 0, batch, note: (err as Error).message });
      save();
      continue;
    }
    if (backend === 'webgpu') {
      const adapter = await requestAdapter();
      const info = (adapter as unknown as { info?: Record<string, unknown> }).info ?? {};
      // GPUAdapterInfo's fields are getters: spread would copy none of them.
      results.adapter = {
        ...Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, info[k]])),
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      };
      console.log(`adapter: ${report.device}; ${JSON.stringify(results.adapter)}`);
      if (report.software)
        console.log(
          'WARNING: a software adapter: Vulkan did not find the GPU driver (see the ICD line above)',
        );
    }
    results.device = report.device;
    results.versions = report.versions;
    console.log(
      `${backend}: ${report.device}; ${JSON.stringify(report.versions)}; tfjs backend ${tf.getBackend()}`,
    );
    for (const width of widths) {
      const row: Figures = { backend, width, batch };
      results.rows.push(row);
      if (elapsed() > budget) {
        row.note = `skipped: the ${budget} s budget was spent`;
        console.log(`${backend} width ${width}: ${row.note}`);
        continue;
      }
      const t = await measureThroughput({ width, batch, steps, warmup });
      row.trainImgS = t.trainImagesPerSecond;
      row.inferImgS = t.inferImagesPerSecond;
      console.log(
        `${backend} width ${width} batch ${batch}: train ${row.trainImgS.toFixed(2)} img/s, ` +
          `inference ${row.inferImgS.toFixed(2)} img/s (${elapsed().toFixed(0)} s elapsed)`,
      );
      save();
    }
  }

  const device = values.torch as 'cuda' | 'cpu' | 'none';
  if (device === 'none') console.log('PyTorch: not run (--torch none)');
  else {
    const why = torchUnavailable(device);
    const script = torchScript(dirname(fileURLToPath(import.meta.url)));
    results.torch = why || `torch_resnet18.py on ${device}, fp32`;
    console.log(why ? `PyTorch: none (${why})` : `PyTorch: ${results.torch}`);
    for (const width of why ? [] : widths) {
      if (elapsed() > budget + 60) {
        console.log(`PyTorch width ${width}: skipped, the budget was spent`);
        continue;
      }
      const r = runTorch(script, width, batch, steps, device, { timeoutMs: 120_000 });
      if (typeof r === 'string') {
        console.log(`PyTorch width ${width}: ${r}`);
        continue;
      }
      console.log(
        `${r.framework} (${r.device}) width ${width} batch ${batch}: train ${r.trainImgPerSec} img/s, inference ${r.inferImgPerSec} img/s`,
      );
      for (const row of results.rows.filter((x) => x.width === width)) {
        row.torchTrainImgS = r.trainImgPerSec;
        row.torchInferImgS = r.inferImgPerSec;
      }
      save();
    }
  }
  console.log(
    '\nbackend  width  batch  train img/s  infer img/s  torch train  torch infer  train ratio  infer ratio',
  );
  for (const r of results.rows.filter((x) => x.width))
    console.log(
      [
        r.backend.padStart(7),
        String(r.width).padStart(5),
        String(r.batch).padStart(5),
        (r.trainImgS?.toFixed(2) ?? '-').padStart(11),
        (r.inferImgS?.toFixed(2) ?? '-').padStart(11),
        (r.torchTrainImgS?.toFixed(2) ?? '-').padStart(11),
        (r.torchInferImgS?.toFixed(2) ?? '-').padStart(11),
        ratio(r.trainImgS, r.torchTrainImgS).padStart(11),
        ratio(r.inferImgS, r.torchInferImgS).padStart(11),
      ].join('  '),
    );
  console.log(`done in ${elapsed().toFixed(0)} s`);
  save();
}

await main();
process.exit(0); // Dawn and wasm threads need not be waited for
