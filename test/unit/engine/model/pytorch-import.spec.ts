// PyTorch checkpoints of the study's ResNet-18: fixtures written by PyTorch 1.13 (scripts/make-pytorch-fixture.py)
// in three forms (plain state_dict, `module.` + downsample/fc names, safetensors) must import and reproduce the logits
// PyTorch computed for a fixed input to 1e-4, both through tfjs and through the ONNX export. The restricted pickle
// reader is fuzzed: truncations, random bytes and hostile pickles fail with a clear error and nothing else.
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportedModel } from '../../../../common/contract/models';
import { tf } from '../../../../main/engine/backend';
import { readNpy } from '../../../../main/engine/features/npy';
import { loadCheckpoint } from '../../../../main/engine/model/checkpoint';
import { writeCheckpointTensors } from '../../../../main/engine/model/checkpoint-plain';
import { importModel } from '../../../../main/engine/model/import';
import { PickleError, unpickle } from '../../../../main/engine/model/import/pickle';
import { mapResNet18 } from '../../../../main/engine/model/import/resnet-map';
import { sha256File } from '../../../../main/engine/model/import/stage';
import {
  CheckpointFormatError,
  readSafetensors,
  readTorchZip,
} from '../../../../main/engine/model/import/torch-load';
import { exportResNetOnnx } from '../../../../main/engine/model/onnx/export';
import { openSession, ort } from '../../../../main/engine/model/onnx/session';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { listRuns, runFiles } from '../../../../main/engine/runs/store';
import { relativeError } from '../../../helpers/ref64';
import { useTempHome } from '../../../helpers/runs';

const FIX = join(__dirname, '../../../fixtures/pytorch');
const t = useTempHome('cpu');

async function reference() {
  const x = await readNpy(join(FIX, 'input.npy'));
  const l = await readNpy(join(FIX, 'logits.npy'));
  return { x: x.data as Float32Array, logits: l.data as Float32Array, n: x.shape[0] };
}

const read = async (f: string) => new Uint8Array(await readFile(join(FIX, f)));

describe('PyTorch state_dicts', () => {
  for (const f of ['resnet18_w4.pth', 'resnet18_w4_module.pth', 'resnet18_w4.safetensors']) {
    it(`${f} reproduces PyTorch's logits through tfjs and ONNX Runtime`, async () => {
      const buf = await read(f);
      const sd = f.endsWith('.safetensors') ? readSafetensors(buf) : readTorchZip(buf);
      const { weights, width, numClasses } = mapResNet18(sd);
      expect([width, numClasses]).toEqual([4, 100]);
      const ref = await reference();
      // tfjs: through a checkpoint written from the mapped weights
      const dir = join(t.home, `ck-${f}`);
      await writeCheckpointTensors(dir, weights, { width, numClasses }, { epoch: 0 });
      const model = new ResNet18({ width, numClasses });
      await loadCheckpoint(dir, model);
      const nhwc = new Float32Array(ref.x.length);
      for (let i = 0; i < ref.n; i++)
        for (let c = 0; c < 3; c++)
          for (let p = 0; p < 1024; p++) nhwc[(i * 1024 + p) * 3 + c] = ref.x[(i * 3 + c) * 1024 + p];
      const input = tf.tensor4d(nhwc, [ref.n, 32, 32, 3]);
      const out = model.forward(input, false);
      expect(relativeError(await out.logits.data(), ref.logits)).toBeLessThan(1e-4);
      tf.dispose([input, out.logits, out.features, ...out.stages]);
      model.dispose();
      // ONNX Runtime: the exported graph takes the same NCHW input PyTorch did
      const { session } = await openSession(exportResNetOnnx(weights, { width, numClasses }));
      const r = await session.run({ input: new ort.Tensor('float32', ref.x, [ref.n, 3, 32, 32]) });
      expect(relativeError(r.logits.data as Float32Array, ref.logits)).toBeLessThan(1e-4);
      await session.release();
    });
  }

  it('imports a .pth as a run with best/last checkpoints and the file’s sha256', async () => {
    const src = join(FIX, 'resnet18_w4.pth');
    const r = await importModel(t.home, { path: src, arch: 'resnet18-cifar', dataset: 'cifar100' });
    expect(r.run.kind).toBe('imported');
    const f = runFiles(t.home, r.run.id);
    expect(existsSync(join(f.checkpoints, 'best', 'model.json'))).toBe(true);
    expect(existsSync(join(f.checkpoints, 'last', 'model.json'))).toBe(true);
    const rec = ImportedModel.parse(JSON.parse(await readFile(join(f.dir, 'import.json'), 'utf8')));
    expect(rec.sha256).toBe(await sha256File(src));
    expect(await sha256File(join(f.dir, rec.file))).toBe(rec.sha256);
    expect(rec.arch).toEqual({ name: 'resnet18-cifar', width: 4 });
  });

  it('refuses with a clear message and leaves no run behind', async () => {
    const before = (await listRuns(t.home)).length;
    const src = join(FIX, 'resnet18_w4.pth');
    await expect(importModel(t.home, { path: src, dataset: 'cifar100' })).rejects.toThrow(
      /--arch resnet18-cifar/,
    );
    await expect(
      importModel(t.home, { path: src, arch: 'resnet18-cifar', width: 8, dataset: 'cifar100' }),
    ).rejects.toThrow(/--width 8 was given, but conv1 has 4 output channels/);
    await expect(
      importModel(t.home, { path: src, arch: 'resnet18-cifar', dataset: 'synthetic' }),
    ).resolves.toBeTruthy(); // synthetic takes the model's 100 classes
    const trunc = join(t.home, 'cut.pth');
    await writeFile(trunc, (await read('resnet18_w4.pth')).subarray(0, 100_000));
    await expect(
      importModel(t.home, { path: trunc, arch: 'resnet18-cifar', dataset: 'cifar100' }),
    ).rejects.toThrow(/cut\.pth: not a readable zip archive/);
    expect((await listRuns(t.home)).length).toBe(before + 1);
    const leftovers = (await readdir(join(t.home, 'runs'))).filter((d) => d.startsWith('.'));
    expect(leftovers).toEqual([]);
  });
});

describe('the restricted pickle reader (fuzz)', () => {
  const clean = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err instanceof PickleError || err instanceof CheckpointFormatError).toBe(true);
      return;
    }
  };

  it('fails cleanly on every truncation of a real checkpoint', async () => {
    const buf = await read('resnet18_w4.pth');
    for (let cut = 0; cut < buf.length; cut += 997) clean(() => readTorchZip(buf.subarray(0, cut)));
    const st = await read('resnet18_w4.safetensors');
    for (let cut = 0; cut < st.length; cut += 499) clean(() => readSafetensors(st.subarray(0, cut)));
  });

  it('fails cleanly on random bytes and on a real pickle with random bytes flipped', async () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let t = 0; t < 300; t++) {
      const b = Uint8Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256));
      if (t % 2) b[0] = 0x80; // start like a pickle
      clean(() => unpickle(b));
    }
    const { zipEntries, zipRead } = await import('../../../../main/engine/model/import/zip-read');
    const buf = await read('resnet18_w4.pth');
    const entries = zipEntries(buf);
    const pkl = zipRead(buf, entries.get('resnet18_w4/data.pkl')!);
    for (let t = 0; t < 300; t++) {
      const b = Uint8Array.from(pkl);
      for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      clean(() => unpickle(b));
    }
  });

  const enc = (s: string) => [...new TextEncoder().encode(s)];
  const hostile: [string, number[], RegExp][] = [
    [
      'os.system through GLOBAL',
      [0x80, 2, 0x63, ...enc('os\nsystem\n'), 0x58, 2, 0, 0, 0, ...enc('id'), 0x85, 0x52, 0x2e],
      /os\.system.*refused/,
    ],
    [
      'builtins.eval through STACK_GLOBAL',
      [0x80, 4, 0x8c, 8, ...enc('builtins'), 0x8c, 4, ...enc('eval'), 0x93, 0x2e],
      /builtins\.eval.*refused/,
    ],
    [
      'an object built with NEWOBJ',
      [0x80, 2, 0x63, ...enc('collections\nOrderedDict\n'), 0x29, 0x81, 0x2e],
      /opcode 0x81/,
    ],
    ['INST', [0x28, 0x69, ...enc('os\nsystem\n'), 0x2e], /opcode 0x69/],
    ['an unbounded memo read', [0x80, 2, 0x68, 7, 0x2e], /memo 7/],
    ['a string longer than the data', [0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f, 0x41, 0x2e], /ends early/],
    ['a call of a plain value', [0x80, 2, 0x4b, 1, 0x29, 0x52, 0x2e], /not an allowed function/],
  ];
  for (const [what, bytes, msg] of hostile)
    it(`refuses ${what}`, () => {
      expect(() => unpickle(Uint8Array.from(bytes))).toThrow(PickleError);
      expect(() => unpickle(Uint8Array.from(bytes))).toThrow(msg);
    });
});

describe('hostile archives', () => {
  it('refuses a tensor that claims more elements than its storage, and a deflate bomb', async () => {
    const { zipEntries } = await import('../../../../main/engine/model/import/zip-read');
    const buf = Uint8Array.from(await read('resnet18_w4.pth'));
    // BININT1 108 is conv1's storage numel in the pickle (4x3x3x3); claim a smaller storage than its shape needs
    const e = zipEntries(buf).get('resnet18_w4/data.pkl')!;
    const start =
      e.localOffset +
      30 +
      (buf[e.localOffset + 26] | (buf[e.localOffset + 27] << 8)) +
      (buf[e.localOffset + 28] | (buf[e.localOffset + 29] << 8));
    const pkl = buf.subarray(start, start + e.size);
    const at = pkl.findIndex((b, i) => b === 0x4b && pkl[i + 1] === 108 && pkl[i + 2] === 0x74);
    expect(at).toBeGreaterThan(0);
    pkl[at + 1] = 50;
    expect(() => readTorchZip(buf)).toThrow(/claims more elements than its storage holds/);
    const { zipRead } = await import('../../../../main/engine/model/import/zip-read');
    expect(() =>
      zipRead(buf, {
        name: 'bomb',
        method: 8,
        compressedSize: 10,
        size: 2 ** 31,
        localOffset: e.localOffset,
      }),
    ).toThrow(/implausible size/);
  });
});
