// The ONNX export against the tfjs model it came from: a smoke-preset run is really trained (two widths), its best
// checkpoint exported, and ONNX Runtime's logits, features and pooled stages must match tfjs' eval-mode forward
// to 1e-4 (relative to the largest magnitude, max over a batch of real test images).
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../../common/train/presets';
import { tf } from '../../../../main/engine/backend';
import { makeBatch } from '../../../../main/engine/data/augment';
import { syntheticSet } from '../../../../main/engine/data/synthetic';
import { loadCheckpoint } from '../../../../main/engine/model/checkpoint';
import { readCheckpointTensors } from '../../../../main/engine/model/checkpoint-plain';
import { exportResNetOnnx } from '../../../../main/engine/model/onnx/export';
import { decodeModel, num } from '../../../../main/engine/model/onnx/proto';
import { openSession, ort } from '../../../../main/engine/model/onnx/session';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { createRun, runFiles } from '../../../../main/engine/runs/store';
import { trainTask } from '../../../../main/engine/train/task';
import { relativeError } from '../../../helpers/ref64';
import { taskContext, useTempHome } from '../../../helpers/runs';

const t = useTempHome('wasm');

describe('exportResNetOnnx', () => {
  for (const width of [4, 8]) {
    it(`ONNX Runtime reproduces a trained width-${width} model's outputs`, async () => {
      const config = presetConfig('smoke', { width, epochs: 2, backend: 'wasm' });
      const run = await createRun(t.home, `export-${width}`, config);
      await trainTask({ runId: run.id }, taskContext(t.home));
      const best = runFiles(t.home, run.id).checkpoint('best');
      const ck = await readCheckpointTensors(best);
      expect([ck.width, ck.numClasses]).toEqual([width, 4]);
      const bytes = exportResNetOnnx(ck.weights, ck);

      const m = decodeModel(bytes);
      expect(num(m.opsetImport[0].version)).toBeGreaterThanOrEqual(13);
      const inDims = m.graph!.input![0].type!.tensorType!.shape!.dim!;
      expect(inDims[0].dimParam).toBe('N');
      const ops = new Set(m.graph!.node!.map((n) => n.opType));
      expect([...ops].sort()).toEqual([
        'Add',
        'Conv',
        'Flatten',
        'Gemm',
        'GlobalAveragePool',
        'Identity',
        'Relu',
      ]);

      const model = new ResNet18({ width, numClasses: 4 });
      await loadCheckpoint(best, model);
      const test = syntheticSet({ seed: config.seed, ...config.synthetic! }, 'test');
      const n = 16;
      const { x } = makeBatch(
        test,
        Uint32Array.from({ length: n }, (_, i) => i),
        { augment: false },
      );
      const input = tf.tensor4d(x, [n, 32, 32, 3]);
      const ref = model.forward(input, false);
      input.dispose();
      const nchw = new Float32Array(x.length);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < 1024; p++)
          for (let c = 0; c < 3; c++) nchw[(i * 3 + c) * 1024 + p] = x[(i * 1024 + p) * 3 + c];
      const { session } = await openSession(bytes);
      const out = await session.run({ input: new ort.Tensor('float32', nchw, [n, 3, 32, 32]) });
      expect(relativeError(out.logits.data as Float32Array, await ref.logits.data())).toBeLessThan(1e-4);
      expect(relativeError(out.features.data as Float32Array, await ref.features.data())).toBeLessThan(1e-4);
      for (let k = 0; k < 4; k++)
        expect(
          relativeError(out[`layer${k + 1}`].data as Float32Array, await ref.stages[k].data()),
        ).toBeLessThan(1e-4);
      // the model was trained: its logits are not those of the initial weights
      expect(Math.max(...(await ref.logits.data()).map(Math.abs))).toBeGreaterThan(0.1);
      tf.dispose([ref.logits, ref.features, ...ref.stages]);
      model.dispose();
      await session.release();
    });
  }
});
