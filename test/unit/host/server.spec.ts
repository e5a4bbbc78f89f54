import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type Host } from '../../../main/host/server';
import { createRuntime } from '../../../main/runtime';
import { tempDir } from '../../helpers/tmp';

let host: Host;
let cleanup: () => Promise<void>;
const wsUrl = (token: string) => `ws://127.0.0.1:${host.port}/ws?token=${token}`;

/** Opens a socket and resolves with it, or rejects with the HTTP status of a refused upgrade. */
function open(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function ask(
  ws: WebSocket,
  raw: string | Buffer,
): Promise<{ id: unknown; result?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { event?: string };
      if (m.event) return;
      ws.off('message', onMessage);
      resolve(m as never);
    };
    ws.on('message', onMessage);
    ws.send(raw);
  });
}

/** A raw HTTP GET so the path reaches the server exactly as written (clients normalise ../). */
function rawGet(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(host.port, '127.0.0.1', () =>
      s.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`),
    );
    let buf = '';
    s.on('data', (d) => (buf += d.toString()));
    s.on('end', () => resolve(buf));
    s.on('error', reject);
  });
}

beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  const staticDir = join(t.dir, 'www');
  await mkdir(staticDir);
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>OODLab</title>');
  await writeFile(join(t.dir, 'secret.txt'), 'secret');
  const rt = createRuntime({ mode: 'browser', home: join(t.dir, 'home'), appVersion: '9.9.9' });
  host = await startHost(rt, { port: 0, host: '127.0.0.1', staticDir, maxMessageBytes: 4096 });
});
afterAll(async () => {
  await host.close();
  await cleanup();
});

describe('browser-mode host', () => {
  it('prints a URL that carries the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(24);
  });

  it('serves the renderer and answers the contract over the WebSocket', async () => {
    expect(await rawGet('/')).toMatch(/^HTTP\/1.1 200[\s\S]*<title>OODLab<\/title>/);
    const ws = await open(wsUrl(host.token), `http://127.0.0.1:${host.port}`);
    const reply = await ask(ws, JSON.stringify({ id: 7, channel: 'system.info', payload: {} }));
    expect(reply.id).toBe(7);
    expect(reply.result).toMatchObject({ app: { name: 'OODLab', version: '9.9.9' }, mode: 'browser' });
    ws.close();
  });

  it('refuses a connection without the token, with a wrong token, or from a foreign origin', async () => {
    await expect(open(`ws://127.0.0.1:${host.port}/ws`)).rejects.toThrow('HTTP 401');
    await expect(open(wsUrl('wrong'))).rejects.toThrow('HTTP 401');
    await expect(open(wsUrl(host.token), 'https://evil.example')).rejects.toThrow('HTTP 403');
  });

  it('answers malformed, oversized and invalid messages with clear errors and keeps serving', async () => {
    const ws = await open(wsUrl(host.token));
    expect((await ask(ws, '{not json')).error).toEqual({
      code: 'invalid_request',
      message: 'Message is not valid JSON.',
    });
    expect((await ask(ws, JSON.stringify({ hello: 1 }))).error?.code).toBe('invalid_request');
    const big = await ask(
      ws,
      JSON.stringify({ id: 1, channel: 'system.info', payload: { pad: 'x'.repeat(5000) } }),
    );
    expect(big.error?.code).toBe('too_large');
    expect(big.error?.message).toMatch(/exceeds the 4096-byte limit/);
    const unknown = await ask(ws, JSON.stringify({ id: 2, channel: 'nope.nothing', payload: {} }));
    expect(unknown).toEqual({
      id: 2,
      error: { code: 'unknown_channel', message: "Unknown channel 'nope.nothing'." },
    });
    const invalid = await ask(ws, JSON.stringify({ id: 3, channel: 'jobs.get', payload: { id: 5 } }));
    expect(invalid.error?.code).toBe('invalid_request');
    expect(invalid.error?.message).toMatch(/^Invalid request for jobs.get: id:/);
    const ok = await ask(ws, JSON.stringify({ id: 4, channel: 'jobs.list', payload: {} }));
    expect(ok).toEqual({ id: 4, result: [] });
    ws.close();
  });

  it('answers 404 to path traversal and never leaks files outside the renderer', async () => {
    for (const p of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/../../secret.txt',
    ]) {
      const res = await rawGet(p);
      expect(res).toMatch(/^HTTP\/1.1 404/);
      expect(res).not.toContain('secret\n');
    }
  });
});
