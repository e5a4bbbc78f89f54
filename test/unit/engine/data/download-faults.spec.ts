// Issue 18 item 8: a redirect to a non-http(s) URL is refused at once (not retried as if temporary); two
// downloads of one set never share its .part (the second is refused, naming the first); a full disk says which
// folder and how much space is needed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../../common/contract/jobs';
import { downloadFile } from '../../../../main/engine/data/download';
import { diskFullError } from '../../../../main/engine/runs/disk';
import { createRuntime, type Runtime } from '../../../../main/runtime';
import { tempDir } from '../../../helpers/tmp';
import { makeSvhnMat, md5 } from '../../../helpers/data/fixtures';
import { startServer, type TestServer } from '../../../helpers/data/server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let dir: string;
let cleanup: () => Promise<void>;
let srv: TestServer;
let redirector: Server;
let redirectUrl: string;
let rt: Runtime;
let hits = 0;
const saved = process.env.OODLAB_DATASET_OVERRIDES;
const mat = makeSvhnMat([10, 2, 3, 4, 5, 6, 7, 8], { compress: false }); // 24.6 kB

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  srv = await startServer();
  // About 5 s per download, so that the two jobs overlap even when one worker starts seconds after the other.
  srv.routes.set('/s.mat', { kind: 'slow', data: mat, chunk: 512, delayMs: 100 });
  redirector = createServer((req, res) => {
    hits++;
    res
      .writeHead(302, { Location: req.url === '/ftp' ? 'ftp://example.org/x.tgz' : 'file:///etc/passwd' })
      .end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  process.env.OODLAB_DATASET_OVERRIDES = JSON.stringify({
    svhn: { url: `${srv.url}/s.mat`, md5: md5(mat), counts: { test: 8 } },
  });
  rt = createRuntime({ home: join(dir, 'home'), mode: 'browser' });
});
afterAll(async () => {
  if (saved === undefined) delete process.env.OODLAB_DATASET_OVERRIDES;
  else process.env.OODLAB_DATASET_OVERRIDES = saved;
  await rt.jobs.shutdown();
  await srv.close();
  await new Promise((r) => redirector.close(r));
  await cleanup();
});

describe('download faults', () => {
  it('refuses a redirect to ftp: or file: at once, with one request each', async () => {
    for (const path of ['/ftp', '/file']) {
      hits = 0;
      await expect(
        downloadFile({ url: `${redirectUrl}${path}`, dest: join(dir, 'r.bin'), retries: 5, backoffMs: 1 }),
      ).rejects.toMatchObject({
        code: 'failed',
        message: expect.stringMatching(/redirects to '(ftp|file):.*not an http\(s\) URL/),
      });
      expect(hits).toBe(1);
    }
  });

  it('two downloads of one set at once (app and CLI: two runtimes): one completes, the other is refused naming it', async () => {
    const cli = createRuntime({ home: rt.ctx.home, mode: 'browser' });
    const start = async (r0: Runtime) => {
      const r = await r0.api.call('datasets.download', { id: 'svhn' });
      expect(r.error).toBeUndefined();
      return r.result as JobInfo;
    };
    const [a, b] = await Promise.all([start(rt), start(cli)]);
    const ends = await Promise.all([rt.jobs.wait(a.id), cli.jobs.wait(b.id)]);
    await cli.jobs.shutdown();
    expect(ends.map((e) => e.state).sort(), JSON.stringify(ends)).toEqual(['done', 'failed']);
    const failed = ends.find((e) => e.state === 'failed')!;
    expect(failed.error?.message).toMatch(/SVHN .* is in use by process \d+ .*\(download\)/);
    expect(md5(await readFile(join(rt.ctx.home, 'datasets/svhn/test_32x32.mat')))).toBe(md5(mat));
  });

  it('a full disk names the folder, the space needed and the space free', async () => {
    const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const e = (await diskFullError(err, dir, 80 * 2 ** 20, 'Nothing was lost.')) as Error;
    expect(e.message).toMatch(
      new RegExp(
        `^The disk is full in ${dir}: 80\\.0 MiB are needed, [\\d.]+ \\w+ free\\. Nothing was lost\\.$`,
      ),
    );
    const other = new Error('EACCES');
    expect(await diskFullError(other, dir, 1, '')).toBe(other);
  });
});
