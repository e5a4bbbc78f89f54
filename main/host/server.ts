import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Runtime } from '../runtime';
import { OodlabError } from '../../common/contract/errors';
import { createGuard, tokenMatches, tokenProblem } from './guard';
import { handleMessage, type WireEvent } from './wire';
import { serveStatic } from './static';

export interface HostOptions {
  /** 0 picks a free port. */
  port: number;
  /** 127.0.0.1 unless the user asks for another interface. */
  host: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
  token?: string;
  maxMessageBytes?: number;
  /** More host names to answer to (a DNS alias of the machine); its addresses are allowed already. */
  allowHosts?: string[];
  /** A WebSocket that sends nothing this long after connecting is closed (a page sends at once). */
  firstFrameTimeoutMs?: number;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Browser mode: the built renderer over HTTP and the API over a WebSocket, guarded by a per-launch token
 * (carried by the printed URL), an Origin check against cross-site pages, and a message-size limit.
 */
export async function startHost(rt: Runtime, opts: HostOptions): Promise<Host> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const weak = tokenProblem(token);
  if (weak) throw new OodlabError('invalid_request', weak);
  const maxBytes = opts.maxMessageBytes ?? 1024 * 1024;
  let guard: ReturnType<typeof createGuard> | null = null;
  const http = createServer((req, res) => {
    // The page URL carries the token: never send it on to another site in a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const badHost = guard?.host(req.headers.host);
    if (badHost) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Forbidden: ${badHost}.\n`);
      return;
    }
    serveStatic(opts.staticDir, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // The hard cap sits above our own limit so an oversized message gets a readable error, not a dropped socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBytes * 4 });
  const clients = new Set<WebSocket>();

  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(opts.port, opts.host, () => ok());
  });
  const port = (http.address() as AddressInfo).port;
  guard = createGuard(opts.host, port, opts.allowHosts);
  const firstFrameMs = opts.firstFrameTimeoutMs ?? 30_000;

  const refuse = (socket: Duplex, status: number, reason: string) => {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${reason}\n`,
    );
  };
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') return refuse(socket, 404, 'Not Found');
    if (!tokenMatches(url.searchParams.get('token'), token))
      return refuse(socket, 401, 'Unauthorized: missing or wrong token');
    const badHost = guard!.host(req.headers.host);
    if (badHost) return refuse(socket, 403, `Forbidden: ${badHost}`);
    const badOrigin = guard!.origin(req.headers.origin);
    if (badOrigin) return refuse(socket, 403, `Forbidden: ${badOrigin}`);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    const idle = setTimeout(() => ws.close(1008, 'No request after connecting'), firstFrameMs);
    ws.once('message', () => clearTimeout(idle));
    ws.on('close', () => {
      clearTimeout(idle);
      clients.delete(ws);
    });
    ws.on('error', () => clients.delete(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      void handleMessage(rt.api, data, isBinary, maxBytes).then((reply) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
  });

  const unsubscribe = rt.bus.subscribe((channel, payload) => {
    const msg = JSON.stringify({ event: channel, payload } satisfies WireEvent);
    for (const c of clients) if (c.readyState === c.OPEN) c.send(msg);
  });

  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const c of clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
