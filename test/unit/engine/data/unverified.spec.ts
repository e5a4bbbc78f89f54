// Issue 18 item 7: an import with --no-verify is recorded as unverified (not with the published md5 as if it had
// been checked), listed so by datasets and the CLI, and `datasets --verify` checks the kept archive then.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../../../common/contract/datasets';
import type { JobInfo } from '../../../../common/contract/jobs';
import { readManifest } from '../../../../main/engine/data/cache';
import { datasets } from '../../../../main/cli/commands/datasets';
import { createRuntime, type Runtime } from '../../../../main/runtime';
import { tempDir } from '../../../helpers/tmp';
import { makeSvhnMat, md5 } from '../../../helpers/data/fixtures';

let dir: string;
let cleanup: () => Promise<void>;
let rt: Runtime;
const saved = process.env.OODLAB_DATASET_OVERRIDES;
const savedHome = process.env.OODLAB_HOME;
const mat = makeSvhnMat([10, 2, 3, 4]);
const other = makeSvhnMat([1, 1, 1, 1]);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'other.mat'), other);
  process.env.OODLAB_DATASET_OVERRIDES = JSON.stringify({ svhn: { md5: md5(mat), counts: { test: 4 } } });
  process.env.OODLAB_HOME = join(dir, 'home');
  rt = createRuntime({ home: join(dir, 'home'), mode: 'browser' });
});
afterAll(async () => {
  if (saved === undefined) delete process.env.OODLAB_DATASET_OVERRIDES;
  else process.env.OODLAB_DATASET_OVERRIDES = saved;
  if (savedHome === undefined) delete process.env.OODLAB_HOME;
  else process.env.OODLAB_HOME = savedHome;
  await rt.jobs.shutdown();
  await cleanup();
});

async function importSvhn(from: string, verify: boolean): Promise<JobInfo> {
  const r = await rt.api.call('datasets.download', { id: 'svhn', from, verify });
  expect(r.error).toBeUndefined();
  return rt.jobs.wait((r.result as JobInfo).id);
}
const svhn = async (verify = false) =>
  ((await rt.api.call('datasets.list', { verify })).result as DatasetInfo[]).find((d) => d.id === 'svhn')!;

describe('unverified imports', () => {
  it('records a --no-verify import as unverified and keeps it so through datasets --verify', async () => {
    expect((await importSvhn(join(dir, 'other.mat'), false)).state).toBe('done');
    expect((await readManifest(rt.ctx.home, 'svhn'))!.source.verified).toBe(false);
    expect(await svhn()).toMatchObject({
      status: 'ready',
      verified: false,
      message: expect.stringMatching(/unverified/),
    });
    const checked = await svhn(true);
    expect(checked).toMatchObject({
      verified: false,
      message: expect.stringMatching(/md5 is [0-9a-f]{32}, not the published/),
    });

    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), tty: false };
    expect(await datasets.run(['--verify'], io)).toBe(0);
    expect(lines.join('\n')).toMatch(/svhn .*ready \(unverified\)/);
    expect(lines.join('\n')).toMatch(/svhn: unverified: the archive's md5/);
  });

  it('an unverified import of the published file becomes verified when datasets --verify checks it', async () => {
    await writeFile(join(dir, 'good.mat'), mat);
    expect((await importSvhn(join(dir, 'good.mat'), false)).state).toBe('done');
    expect((await svhn()).verified).toBe(false);
    const checked = await svhn(true);
    expect(checked.status).toBe('ready');
    expect(checked.verified).toBeUndefined();
    expect((await readManifest(rt.ctx.home, 'svhn'))!.source.verified).toBeUndefined();
  });

  it('a verified import is not marked', async () => {
    expect((await importSvhn(join(dir, 'good.mat'), true)).state).toBe('done');
    expect((await svhn()).verified).toBeUndefined();
  });
});
