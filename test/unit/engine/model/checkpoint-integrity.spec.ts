// Issue 18 item 3: a checkpoint whose weights were replaced by other bytes of the same size, cut short or removed
// is refused with a message naming the file, instead of loading silently.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../main/engine/backend';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from '../../../../main/engine/model/checkpoint';
import { ResNet18 } from '../../../../main/engine/model/resnet';
import { tempDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => Promise<void>;
let model: ResNet18;
beforeAll(async () => {
  await initBackend('cpu');
  model = new ResNet18({ width: 2, numClasses: 3, seed: 1 });
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => {
  model.dispose();
  await cleanup();
});

async function fresh(name: string): Promise<{ ck: string; bin: string }> {
  const ck = join(dir, name);
  await saveCheckpoint(ck, model, null, { epoch: 1, width: 2, numClasses: 3 });
  const bin = (await readdir(ck)).find((f) => f.endsWith('.bin'))!;
  return { ck, bin: join(ck, bin) };
}

describe('checkpoint integrity', () => {
  it('records the SHA-256 of the weights file in model.json', async () => {
    const { ck, bin } = await fresh('sum');
    const json = JSON.parse(await readFile(join(ck, 'model.json'), 'utf8'));
    const { createHash } = await import('node:crypto');
    expect(json.weightsManifest[0].sha256).toEqual([
      createHash('sha256')
        .update(await readFile(bin))
        .digest('hex'),
    ]);
    await expect(loadCheckpoint(ck, model)).resolves.toMatchObject({ epoch: 1 });
  });

  it('refuses weights overwritten with other bytes of the same size, naming the file', async () => {
    const { ck, bin } = await fresh('same-size');
    const size = (await readFile(bin)).byteLength;
    await writeFile(bin, randomBytes(size));
    const err = await loadCheckpoint(ck, model).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).file).toBe(bin);
    expect((err as Error).message).toMatch(/corrupt.*SHA-256/);
    expect((err as Error).message).toContain(bin);
  });

  it('refuses a truncated or missing weights file and a cut model.json, naming each', async () => {
    const t = await fresh('truncated');
    await truncate(t.bin, 100);
    await expect(loadCheckpoint(t.ck, model)).rejects.toThrow(new RegExp(`${t.bin}.*100 bytes.*cut short`));
    const m = await fresh('missing');
    await rm(m.bin);
    await expect(loadCheckpoint(m.ck, model)).rejects.toThrow(/weights file .* is missing/);
    const j = await fresh('json');
    await truncate(join(j.ck, 'model.json'), 40);
    await expect(loadCheckpoint(j.ck, model)).rejects.toThrow(/model\.json is not valid JSON/);
  });

  it('still loads a checkpoint written before checksums existed', async () => {
    const { ck } = await fresh('legacy');
    const path = join(ck, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8'));
    delete json.weightsManifest[0].sha256;
    await writeFile(path, JSON.stringify(json));
    await expect(loadCheckpoint(ck, model)).resolves.toMatchObject({ epoch: 1 });
  });
});
