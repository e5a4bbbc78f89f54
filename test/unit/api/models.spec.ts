// The models.* channels through the API as the UI and the CLI call them: inspect, import (ONNX and PyTorch), export,
// the run.update event an import pushes, and which imported runs train.resume accepts (a PyTorch state_dict can be
// fine-tuned; an ONNX graph cannot).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../common/contract/jobs';
import type {
  ExportModelResult,
  ImportModelResult,
  InspectModelResult,
} from '../../../common/contract/models';
import type { RunManifest } from '../../../common/contract/runs';
import type { Runtime } from '../../../main/runtime';
import { smallResNetOnnx } from '../../helpers/onnx-graphs';
import { useRuntime } from '../../helpers/api';

const FIX = join(__dirname, '../../fixtures/pytorch');
const app = useRuntime();
let rt: Runtime;
let onnxPath: string;
const updates: RunManifest[] = [];
beforeAll(async () => {
  rt = app.rt;
  rt.bus.subscribe((ch, p) => {
    if (ch === 'run.update') updates.push(p as RunManifest);
  });
  onnxPath = join(app.dir, 'net.onnx');
  await writeFile(onnxPath, smallResNetOnnx({ classes: 4 }));
});

describe('models.* handlers', () => {
  it('models.inspect lists the head and the stage outputs', async () => {
    const r = (await rt.api.call('models.inspect', { path: onnxPath })).result as InspectModelResult;
    expect(r).toMatchObject({ format: 'onnx', classes: 4, features: 'penultimate', batch: null });
    expect(r.candidates).toEqual(['stage1.out', 'stage2.out']);
    const pth = (await rt.api.call('models.inspect', { path: join(FIX, 'resnet18_w4.pth') })).result;
    expect(pth).toMatchObject({ format: 'pytorch' });
  });

  it('models.import validates its request and pushes run.update', async () => {
    const bad = await rt.api.call('models.import', { path: onnxPath, name: 'no spaces please' });
    expect(bad.error?.code).toBe('invalid_request');
    const r = (await rt.api.call('models.import', { path: onnxPath, dataset: 'synthetic' }))
      .result as ImportModelResult;
    expect(updates.map((u) => u.id)).toContain(r.run.id);
    expect(r.run.imported).toMatchObject({ format: 'onnx', source: onnxPath });
    const resume = await rt.api.call('train.resume', { runId: r.run.id });
    expect(resume.error).toMatchObject({ code: 'conflict' });
  });

  it('a PyTorch import exports to ONNX and can be fine-tuned with train.resume', async () => {
    const r = (
      await rt.api.call('models.import', {
        path: join(FIX, 'resnet18_w4.pth'),
        arch: 'resnet18-cifar',
        dataset: 'synthetic',
      })
    ).result as ImportModelResult;
    expect([r.run.epochs, r.run.epochsDone]).toEqual([1, 0]);
    const ex = (await rt.api.call('models.export', { runId: r.run.id })).result as ExportModelResult;
    expect(ex.outputs).toEqual(['logits', 'features', 'layer1', 'layer2', 'layer3', 'layer4']);
    expect(ex.file).toMatch(/export[/\\]model-best\.onnx$/);
    const started = (await rt.api.call('train.resume', { runId: r.run.id, backend: 'cpu' })).result as {
      job: JobInfo;
    };
    expect(started.job.kind).toBe('train');
    await rt.api.call('jobs.cancel', { id: started.job.id });
    expect(['cancelled', 'done']).toContain((await rt.jobs.wait(started.job.id)).state);
  });

  it('models.export answers not_found for a run or checkpoint that does not exist', async () => {
    expect((await rt.api.call('models.export', { runId: 'nope' })).error?.code).toBe('not_found');
  });
});
