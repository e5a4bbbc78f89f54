import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, partPath } from '../../../../main/engine/data/download';
import { md5 } from '../../../helpers/data/fixtures';
import { startServer, type TestServer } from '../../../helpers/data/server';

let dir: string;
let srv: TestServer;
const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 8)) & 255));
const sum = md5(data);
const fast = { retries: 3, backoffMs: 10, idleTimeoutMs: 2000 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oodlab-dl-'));
  srv = await startServer();
});
afterAll(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  srv.requests.length = 0;
  srv.routes.clear();
});

const dest = (name: string) => join(dir, name);

describe('downloadFile', () => {
  it('downloads, verifies the md5 and reports progress with a total', async () => {
    srv.routes.set('/a.bin', { kind: 'file', data });
    const seen: number[] = [];
    const r = await downloadFile({
      url: `${srv.url}/a.bin`,
      dest: dest('a.bin'),
      md5: sum,
      onProgress: (p) => seen.push(p.bytes),
      ...fast,
    });
    expect(r.md5).toBe(sum);
    expect(md5(await readFile(dest('a.bin')))).toBe(sum);
    expect(seen.at(-1)).toBe(data.length);
    expect(existsSync(partPath(dest('a.bin')))).toBe(false);
  });

  it('resumes a cut connection with a Range request', async () => {
    srv.routes.set('/cut.bin', { kind: 'cut-once', data });
    await downloadFile({ url: `${srv.url}/cut.bin`, dest: dest('cut.bin'), md5: sum, ...fast });
    expect(md5(await readFile(dest('cut.bin')))).toBe(sum);
    expect(srv.requests.length).toBe(2);
    const from = Number(/bytes=(\d+)-/.exec(srv.requests[1].range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThan(data.length);
  });

  it('rejects a wrong checksum, deletes the part and leaves no final file', async () => {
    srv.routes.set('/bad.bin', { kind: 'file', data });
    const p = downloadFile({
      url: `${srv.url}/bad.bin`,
      dest: dest('bad.bin'),
      md5: '0'.repeat(32),
      ...fast,
    });
    await expect(p).rejects.toThrow(/does not match its published checksum/);
    expect(existsSync(dest('bad.bin'))).toBe(false);
    expect(existsSync(partPath(dest('bad.bin')))).toBe(false);
  });

  it('says 404 in plain words, without retrying', async () => {
    await expect(
      downloadFile({ url: `${srv.url}/none.bin`, dest: dest('none.bin'), ...fast }),
    ).rejects.toThrow(/HTTP 404.*not there/);
    expect(srv.requests.length).toBe(1);
    expect(existsSync(dest('none.bin'))).toBe(false);
  });

  it('retries a 503 with back-off, then gives up clearly', async () => {
    srv.routes.set('/busy.bin', { kind: 'status', code: 503 });
    await expect(
      downloadFile({ url: `${srv.url}/busy.bin`, dest: dest('busy.bin'), ...fast, retries: 2 }),
    ).rejects.toThrow(/failed after 3 attempts.*HTTP 503/);
    expect(srv.requests.length).toBe(3);
  });

  it('detects a stalled server by its idle timeout, keeping the part for later', async () => {
    srv.routes.set('/stall.bin', { kind: 'stall', data });
    const t0 = Date.now();
    await expect(
      downloadFile({
        url: `${srv.url}/stall.bin`,
        dest: dest('stall.bin'),
        md5: sum,
        retries: 0,
        idleTimeoutMs: 300,
      }),
    ).rejects.toThrow(/stopped sending/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(existsSync(dest('stall.bin'))).toBe(false);
    expect((await stat(partPath(dest('stall.bin')))).size).toBe(data.length / 4);
    // once the server behaves, the next download resumes from the part
    srv.routes.set('/stall.bin', { kind: 'file', data });
    await downloadFile({ url: `${srv.url}/stall.bin`, dest: dest('stall.bin'), md5: sum, ...fast });
    expect(srv.requests.at(-1)?.range).toBe(`bytes=${data.length / 4}-`);
    expect(md5(await readFile(dest('stall.bin')))).toBe(sum);
  });

  it('can be cancelled mid-way', async () => {
    srv.routes.set('/slow.bin', { kind: 'slow', data, chunk: 10_000, delayMs: 20 });
    const ac = new AbortController();
    const p = downloadFile({
      url: `${srv.url}/slow.bin`,
      dest: dest('slow.bin'),
      md5: sum,
      signal: ac.signal,
      onProgress: (q) => q.bytes > 50_000 && ac.abort(),
      ...fast,
    });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(existsSync(dest('slow.bin'))).toBe(false);
    const part = (await stat(partPath(dest('slow.bin')))).size;
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(data.length);
  });

  it('stops on a full disk with a clear message and no final file', async () => {
    srv.routes.set('/full.bin', { kind: 'file', data });
    let written = 0;
    const openPart = () =>
      new Writable({
        write(chunk: Buffer, _e, cb) {
          written += chunk.length;
          if (written > 100_000)
            cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
          else cb();
        },
      });
    await expect(
      downloadFile({ url: `${srv.url}/full.bin`, dest: dest('full.bin'), openPart, ...fast }),
    ).rejects.toThrow(/disk is full in .*: .* are needed.*partial download is kept/);
    expect(srv.requests.length).toBe(1);
    expect(existsSync(dest('full.bin'))).toBe(false);
  });

  it('goes through an HTTP proxy (absolute-URI request and CONNECT tunnel)', async () => {
    srv.routes.set('/p.bin', { kind: 'file', data });
    const seen: string[] = [];
    const proxy: Server = createServer((req, res) => {
      seen.push(`GET ${req.url}`);
      const u = new URL(req.url ?? '');
      const up = request({ host: u.hostname, port: u.port, path: u.pathname, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.end();
    });
    const tunnels: { destroy(): void }[] = [];
    proxy.on('connect', (req, client) => {
      tunnels.push(client);
      seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const up = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.pipe(client);
        client.pipe(up);
      });
      tunnels.push(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      await downloadFile({
        url: `${srv.url}/p.bin`,
        dest: dest('p1.bin'),
        md5: sum,
        proxy: proxyUrl,
        ...fast,
      });
      await downloadFile({
        url: `${srv.url}/p.bin`,
        dest: dest('p2.bin'),
        md5: sum,
        proxy: proxyUrl,
        tunnelHttp: true,
        ...fast,
      });
    } finally {
      proxy.closeAllConnections();
      for (const t of tunnels) t.destroy();
      await new Promise((r) => proxy.close(r));
    }
    expect(seen).toEqual([`GET ${srv.url}/p.bin`, `CONNECT ${new URL(srv.url).host}`]);
  });

  it('keeps an already complete, verified file without downloading again', async () => {
    await writeFile(partPath(dest('done.bin')), data);
    srv.routes.set('/done.bin', { kind: 'file', data });
    await downloadFile({ url: `${srv.url}/done.bin`, dest: dest('done.bin'), md5: sum, ...fast });
    expect(srv.requests.map((r) => r.range)).toEqual([`bytes=${data.length}-`]);
    expect(md5(await readFile(dest('done.bin')))).toBe(sum);
  });
});
