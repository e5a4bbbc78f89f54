// What `npm start` does on this machine, decided apart from doing it so that it can be tested: the desktop window
// where Electron can show one, otherwise browser mode (the same UI served on 127.0.0.1), opened in the system
// browser where there is one. Plain JavaScript: it runs before anything is built.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Why the desktop window cannot open here (null: it can). */
export function noDesktopReason(env = process.env, platform = process.platform) {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  return null;
}

function onPath(cmd, env) {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return dirs.some((d) => exts.some((e) => existsSync(join(d, cmd + e))));
}

/**
 * The command that opens a URL in the system browser, or null where none can show one (no display on Linux: a
 * text browser in the same terminal would take it over). BROWSER, as Python's webbrowser reads it, wins.
 */
export function browserCommand(
  url,
  env = process.env,
  platform = process.platform,
  has = (c) => onPath(c, env),
) {
  if (env.BROWSER) return { cmd: env.BROWSER, args: [url] };
  if (platform === 'darwin') return { cmd: 'open', args: [url] };
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""', url] };
  if (noDesktopReason(env, platform)) return null;
  for (const c of ['xdg-open', 'sensible-browser', 'x-www-browser'])
    if (has(c)) return { cmd: c, args: [url] };
  return null;
}

/** The URL in browser mode's first lines ("OODLab is serving at http://…"). */
export function servedUrl(text) {
  return /OODLab is serving at (http:\/\/\S+)/.exec(text)?.[1] ?? null;
}
