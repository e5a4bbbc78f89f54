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
