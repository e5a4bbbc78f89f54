// Issue 18 item 10: browser mode refuses empty or short tokens, compares tokens in constant time, checks the Host
// header (DNS rebinding), serves the UI when bound to 0.0.0.0, sends Referrer-Policy: no-referrer and closes
// sockets that stay silent after connecting.
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { allowedHostNames, hostPart, tokenMatches } from '../../../main/host/guard';
import { startHost, type Host } from '../../../main/host/server';
import { createRuntime, type Runtime } from '../../../main/runtime';
import { tempDir } from '../../helpers/tmp';

let staticDir: string;
let rt: Runtime;
let cleanup: () => Promise<void>;
const hosts: Host[] = [];
beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  staticDir = join(t.dir, 'www');
  await mkdir(staticDir);
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>OODLab</title>');
  rt = createRuntime({ mode: 'browser', home: join(t.dir, 'home') });
});
afterAll(async () => {
  for (const h of hosts) await h.close();
  await cleanup();
});
async function serve(
  o: { host?: string; token?: string; allowHosts?: string[]; firstFrameTimeoutMs?: number } = {},
) {
  const h = await startHost(rt, { port: 0, host: o.host ?? '127.0.0.1', staticDir, ...o });
  hosts.push(h);
  return h;
}

/** A raw request with exactly these headers; resolves with the whole response. */
function raw(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write([...lines, 'connection: close', '', ''].join('\r\n')));
    let buf = '';
    s.on('data', (d) => (buf += d.toString()));
    s.on('end', () => resolve(buf));
    s.on('error', reject);
  });
}
function open(url: string, headers: Record<string, string> = {}, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(origin ? { origin } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('browser-mode guard', () => {
  it('refuses an empty or short --token, and an empty token on /ws', async () => {
    await expect(serve({ token: '' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/at least 16/),
    });
    await expect(serve({ token: 'abc' })).rejects.toThrow(/at least 16/);
    const h = await serve({ token: 'a-long-enough-token-1234' });
    await expect(open(`ws://127.0.0.1:${h.port}/ws?token=`)).rejects.toThrow('HTTP 401');
    await expect(open(`ws://127.0.0.1:${h.port}/ws?token=a-long-enough-token-123`)).rejects.toThrow(
      'HTTP 401',
    );
    (await open(`ws://127.0.0.1:${h.port}/ws?token=a-long-enough-token-1234`)).close();
  });

  it('compares tokens by value whatever their lengths', () => {
    expect(tokenMatches('secret-token-0001', 'secret-token-0001')).toBe(true);
    expect(tokenMatches('secret-token-0002', 'secret-token-0001')).toBe(false);
    expect(tokenMatches('secret', 'secret-token-0001')).toBe(false);
    expect(tokenMatches('', 'secret-token-0001')).toBe(false);
    expect(tokenMatches(null, 'secret-token-0001')).toBe(false);
  });

  it('refuses a foreign Host header on pages and on /ws (DNS rebinding), and sends no-referrer', async () => {
    const h = await serve();
    const page = await raw(h.port, ['GET / HTTP/1.1', `host: rebind.evil.example:${h.port}`]);
    expect(page).toMatch(/^HTTP\/1.1 403[\s\S]*not an address of this server/);
    expect(page).not.toMatch(/<title>OODLab/);
    const ok = await raw(h.port, ['GET / HTTP/1.1', `host: localhost:${h.port}`]);
    expect(ok).toMatch(/^HTTP\/1.1 200/);
    expect(ok.toLowerCase()).toContain('referrer-policy: no-referrer');
    await expect(
      open(`ws://127.0.0.1:${h.port}/ws?token=${h.token}`, { Host: `rebind.evil.example:${h.port}` }),
    ).rejects.toThrow('HTTP 403');
  });

  it('bound to 0.0.0.0 it serves the UI at its real addresses and refuses other origins', async () => {
    const h = await serve({ host: '0.0.0.0', allowHosts: ['gpu-box.lab'] });
    for (const name of ['127.0.0.1', 'localhost', hostname(), 'gpu-box.lab']) {
      const ws = await open(
        `ws://127.0.0.1:${h.port}/ws?token=${h.token}`,
        { Host: `${name}:${h.port}` },
        `http://${name}:${h.port}`,
      );
      ws.close();
    }
    await expect(
      open(`ws://127.0.0.1:${h.port}/ws?token=${h.token}`, {}, `http://evil.example:${h.port}`),
    ).rejects.toThrow('HTTP 403');
    await expect(
      open(`ws://127.0.0.1:${h.port}/ws?token=${h.token}`, {}, 'http://127.0.0.1:1'),
    ).rejects.toThrow('HTTP 403');
    expect(allowedHostNames('0.0.0.0').has('0.0.0.0')).toBe(false);
  });

  it('closes a socket that sends nothing after connecting, but not one that asks at once', async () => {
    const h = await serve({ firstFrameTimeoutMs: 300 });
    const silent = await open(`ws://127.0.0.1:${h.port}/ws?token=${h.token}`);
    const code = await new Promise<number>((r) => silent.once('close', (c) => r(c)));
    expect(code).toBe(1008);
    const busy = await open(`ws://127.0.0.1:${h.port}/ws?token=${h.token}`);
    busy.send(JSON.stringify({ id: 1, channel: 'system.info', payload: {} }));
    await new Promise((r) => setTimeout(r, 600));
    expect(busy.readyState).toBe(WebSocket.OPEN);
    busy.close();
  });

  it('reads host names out of Host headers and origins', () => {
    expect(hostPart('[::1]:7420')).toBe('::1');
    expect(hostPart('Example.ORG:80')).toBe('example.org');
    expect(hostPart('127.0.0.1')).toBe('127.0.0.1');
  });
});
