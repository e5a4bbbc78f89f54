// Who may talk to browser mode, beyond the token: the Host header must name an address the server is reachable at
// (a DNS-rebinding page reaches 127.0.0.1 under its own host name; Jupyter checks the same), the Origin of a
// WebSocket must be one of those addresses, and tokens are compared in constant time. Bound to 0.0.0.0 / ::, the
// server is reachable at every interface's address and the machine's name, so those are allowed (only Origin
// "0.0.0.0:PORT" was, which refused the UI from every page); --allow-host adds names such as a DNS alias.
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';

/** Shorter tokens can be guessed over a network; the generated ones have 32 characters. */
export const MIN_TOKEN_LENGTH = 16;

export function tokenProblem(token: string): string | null {
  if (token.length < MIN_TOKEN_LENGTH)
    return `The token must have at least ${MIN_TOKEN_LENGTH} characters (leave --token out for a random one).`;
  return null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(given: string | null, token: string): boolean {
  return given !== null && given.length > 0 && timingSafeEqual(digest(given), digest(token));
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];
const WILDCARD = ['0.0.0.0', '::', ''];

/** Host names (without port) the server answers to. */
export function allowedHostNames(bound: string, extra: string[] = []): Set<string> {
  const names = new Set<string>([bound, ...extra].map((h) => h.toLowerCase()));
  if (LOOPBACK.includes(bound) || WILDCARD.includes(bound)) LOOPBACK.forEach((h) => names.add(h));
  if (WILDCARD.includes(bound)) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) names.add(a.address.toLowerCase().replace(/%.*$/, ''));
  }
  for (const w of WILDCARD) names.delete(w);
  return names;
}

/** The host part of a Host header or an Origin's authority: "[::1]:7420" -> "::1", "a.b:80" -> "a.b". */
export function hostPart(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']'));
  const colon = a.lastIndexOf(':');
  return colon > -1 && a.indexOf(':') === colon ? a.slice(0, colon) : a;
}

export interface Guard {
  /** Why a request with this Host header is refused, or null. */
  host(header: string | undefined): string | null;
  /** Why a WebSocket with this Origin is refused, or null (no Origin: not a browser page, the token decides). */
  origin(header: string | undefined): string | null;
}

export function createGuard(bound: string, port: number, extra: string[] = []): Guard {
  const names = allowedHostNames(bound, extra);
  const portOf = (authority: string) => {
    const m = /:(\d+)$/.exec(authority.trim());
    return m ? Number(m[1]) : 80;
  };
  const hint = 'start the server with --allow-host NAME to allow another name';
  return {
    host(header) {
      if (!header) return 'a Host header is required';
      if (!names.has(hostPart(header)))
        return `Host ${header} is not an address of this server (DNS rebinding defence); ${hint}`;
      return null;
    },
    origin(header) {
      if (header === undefined) return null;
      let u: URL;
      try {
        u = new URL(header);
      } catch {
        return `origin ${header} is not allowed`;
      }
      const ok =
        (u.protocol === 'http:' || u.protocol === 'https:') &&
        names.has(hostPart(u.host)) &&
        portOf(u.host) === port;
      return ok ? null : `origin ${header} is not allowed; ${hint}`;
    },
  };
}
