/**
 * A local file server for downloader tests (127.0.0.1, random port) whose behaviour per path can be scripted:
 * serve with Range support, cut the connection half-way, stall, answer an error status, or trickle slowly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'file'; data: Buffer }
  | { kind: 'cut-once'; data: Buffer } // first full request: half the body then the socket is destroyed
  | { kind: 'stall'; data: Buffer } // a quarter of the body, then nothing
  | { kind: 'status'; code: number }
  | { kind: 'slow'; data: Buffer; chunk: number; delayMs: number };

export interface TestServer {
  url: string;
  requests: { path: string; range?: string }[];
  routes: Map<string, Behaviour>;
  close(): Promise<void>;
}

function serveRange(req: IncomingMessage, res: ServerResponse, data: Buffer): Buffer {
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  if (!m) {
    res.writeHead(200, { 'Content-Length': data.length, 'Accept-Ranges': 'bytes' });
    return data;
  }
  const start = Number(m[1]);
  if (start >= data.length) {
    res.writeHead(416, { 'Content-Range': `bytes */${data.length}` });
    return Buffer.alloc(0);
  }
  res.writeHead(206, {
    'Content-Length': data.length - start,
    'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
  });
  return data.subarray(start);
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Behaviour>();
  const requests: TestServer['requests'] = [];
  const cut = new Set<string>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, range: req.headers.range });
    const b = routes.get(path);
    if (!b) return void res.writeHead(404).end();
    if (b.kind === 'status') return void res.writeHead(b.code).end();
    const body = serveRange(req, res, b.data);
    if (b.kind === 'file') return void res.end(body);
    if (b.kind === 'cut-once' && !cut.has(path) && !req.headers.range) {
      cut.add(path);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () =>
        setTimeout(() => res.socket?.destroy(), 20),
      );
      return;
    }
    if (b.kind === 'cut-once') return void res.end(body);
    if (b.kind === 'stall') return void res.write(body.subarray(0, Math.floor(body.length / 4)));
    let off = 0;
    const tick = () => {
      if (res.destroyed) return;
      res.write(body.subarray(off, off + b.chunk));
      off += b.chunk;
      if (off >= body.length) res.end();
      else setTimeout(tick, b.delayMs);
    };
    tick();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
