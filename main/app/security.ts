import { fileURLToPath } from 'node:url';
import { resolve, sep } from 'node:path';

/**
 * The renderer is trusted only when it is our own page: a file inside the built renderer folder, or the
 * electron-vite dev server in development. Anything else (a navigated-away frame, an iframe) is refused.
 */
export function isTrustedRendererUrl(
  url: string | undefined,
  rendererDir: string,
  devServerUrl?: string,
): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (devServerUrl && u.origin === new URL(devServerUrl).origin) return true;
  if (u.protocol !== 'file:') return false;
  const file = resolve(fileURLToPath(u));
  const root = resolve(rendererDir);
  return file.startsWith(root + sep);
}

/** Content-Security-Policy for the app window: only our own scripts, no eval, no remote connections. */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Hosts of the links OODLab itself shows (papers, data set sources, its own documentation): opened in the user's
 * browser without asking. Any other http(s) link is opened only after the user says yes, and nothing else ever.
 */
export const DOCUMENTATION_HOSTS = new Set([
  'arxiv.org',
  'openreview.net',
  'proceedings.neurips.cc',
  'proceedings.mlr.press',
  'github.com',
  'www.cs.toronto.edu',
  'ufldl.stanford.edu',
  'www.robots.ox.ac.uk',
  'docs.nvidia.com',
  'www.tensorflow.org',
  'nodejs.org',
]);

export type ExternalLink = 'open' | 'ask' | 'refuse';

/** What to do with a link the page wants to open in a new window. */
export function externalLinkPolicy(url: string): ExternalLink {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'refuse';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'refuse';
  if (u.username || u.password) return 'ask'; // https://arxiv.org@evil.example/ reads like arxiv.org
  return u.protocol === 'https:' && DOCUMENTATION_HOSTS.has(u.hostname) ? 'open' : 'ask';
}
