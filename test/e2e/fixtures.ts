// What the e2e specs serve instead of the internet: small archives in the real formats (built by the data tests'
// fixture writers) on a local HTTP server, and the OODLAB_DATASET_OVERRIDES env that points the app at them.
import { readFile } from 'node:fs/promises';
import { makeCifarArchive, makeSvhnMat, md5 } from '../helpers/data/fixtures';
import { startServer, type TestServer } from '../helpers/data/server';

export interface Mirror {
  server: TestServer;
  env: NodeJS.ProcessEnv;
  /** Makes SVHN answer properly (it starts broken, so the UI's error and retry can be seen). */
  healSvhn: () => void;
}

export async function startMirror(dir: string): Promise<Mirror> {
  const server = await startServer();
  const cifar = await makeCifarArchive(dir, 400, 100);
  const data = await readFile(cifar.path);
  // Trickled (~8 s in all) so the progress bar has something to show.
  const chunk = Math.ceil(data.length / 100);
  server.routes.set('/cifar.tgz', { kind: 'slow', data, chunk, delayMs: 80 });
  const mat = makeSvhnMat([1, 2, 3, 4, 5, 6, 7, 8]);
  server.routes.set('/svhn.mat', { kind: 'status', code: 404 });
  return {
    server,
    env: {
      OODLAB_DATASET_OVERRIDES: JSON.stringify({
        cifar100: { url: `${server.url}/cifar.tgz`, md5: cifar.md5, counts: { train: 400, test: 100 } },
        svhn: { url: `${server.url}/svhn.mat`, md5: md5(mat), counts: { test: 8 } },
      }),
    },
    healSvhn: () => server.routes.set('/svhn.mat', { kind: 'file', data: mat }),
  };
}
