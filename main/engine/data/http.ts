/**
 * One HTTP(S) GET on node:http / node:https, with what the downloader needs and fetch lacks: the proxy from
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (Node's fetch ignores them; undici's ProxyAgent exists in node_modules only
 * as a dev dependency's dependency, so it would be missing from the packaged app), an idle timeout that catches a
 * server that stops sending, cancellation by AbortSignal, and redirects. Through a proxy, an https target is
 * reached by a CONNECT tunnel and TLS inside it; an http target by an absolute-URI request (or a tunnel, if asked).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { OodlabError } from '../../../common/contract/errors';

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Milliseconds without any byte from the server before giving up on this attempt. */
  idleTimeoutMs: number;
  /** Proxy URL; undefined: from the environment; null: none. */
  proxy?: string | null;
  /** Tunnel plain-http targets too (some proxies allow only CONNECT). */
  tunnelHttp?: boolean;
}

/** A failure worth another attempt (network trouble, a stall, a 5xx), as opposed to a definite answer. */
export class TransientError extends Error {}

export function proxyFromEnv(target: URL, env: NodeJS.ProcessEnv = process.env): string | null {
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const host = target.hostname.toLowerCase();
  if (
    noProxy.some(
      (p) => p === '*' || host === p.replace(/^\./, '') || host.endsWith(p.startsWith('.') ? p : `.${p}`),
    )
  )
    return null;
  const p =
    target.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  return p || null;
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(cred).toString('base64')}` };
}

function tunnel(proxy: URL, target: URL, o: GetOptions): Promise<Socket> {
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: 'CONNECT',
      path: `${target.hostname}:${port}`,
      headers: { Host: `${target.hostname}:${port}`, ...proxyAuth(proxy) },
      signal: o.signal,
    });
    req.setTimeout(o.idleTimeoutMs, () =>
      req.destroy(new TransientError(`The proxy ${proxy.host} did not answer.`)),
    );
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(
        new OodlabError(
          'failed',
          `The proxy ${proxy.host} refused the tunnel to ${target.host} (HTTP ${res.statusCode}).`,
        ),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

async function once(url: URL, o: GetOptions): Promise<IncomingMessage> {
  const proxyUrl = o.proxy === undefined ? proxyFromEnv(url) : o.proxy;
  const proxy = proxyUrl ? new URL(proxyUrl) : null;
  const secure = url.protocol === 'https:';
  const headers = { 'User-Agent': 'OODLab', ...o.headers };
  let req: http.ClientRequest;
  if (proxy && (secure || o.tunnelHttp)) {
    const socket = await tunnel(proxy, url, o);
    const createConnection = () => (secure ? tls.connect({ socket, servername: url.hostname }) : socket);
    const mod = secure ? https : http;
    req = mod.request(url, { headers, signal: o.signal, createConnection, agent: false });
  } else if (proxy) {
    req = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      path: url.href,
      headers: { ...headers, Host: url.host, ...proxyAuth(proxy) },
      signal: o.signal,
    });
  } else {
    req = (secure ? https : http).request(url, { headers, signal: o.signal });
  }
  return new Promise((resolve, reject) => {
    req.setTimeout(o.idleTimeoutMs, () =>
      req.destroy(
        new TransientError(
          `The server stopped sending (no data for ${Math.round(o.idleTimeoutMs / 1000)} s).`,
        ),
      ),
    );
    // from here the body reader keeps its own idle timer, so it can tell a stall from a cut
    req.once('response', (res) => {
      req.setTimeout(0);
      resolve(res);
    });
    req.once('error', reject);
    req.end();
  });
}

/** GET, following up to 5 redirects; the caller reads (or resumes) the body. */
export async function httpGet(href: string, o: GetOptions): Promise<IncomingMessage> {
  let url = new URL(href);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OodlabError('invalid_request', `Only http and https URLs can be downloaded, not '${href}'.`);
  for (let hop = 0; hop <= 5; hop++) {
    const res = await once(url, o);
    const loc = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && loc) {
      res.resume();
      const next = URL.canParse(loc, url.href) ? new URL(loc, url) : null;
      // A definite answer, not a transient one: retrying cannot change where the server points.
      if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:'))
        throw new OodlabError(
          'failed',
          `${url.href} redirects to '${loc}', which is not an http(s) URL: refused. Check the URL or use --mirror.`,
        );
      url = next;
      continue;
    }
    return res;
  }
  throw new OodlabError('failed', `Too many redirects from ${href}.`);
}
