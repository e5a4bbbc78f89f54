// Issue 18 item 13: `npm start` without a display starts browser mode and opens the system browser where one
// exists (scripts/start.js); these are its decisions.
import { describe, expect, it } from 'vitest';
import { browserCommand, noDesktopReason, servedUrl } from '../../../scripts/start-mode.js';

describe('npm start on this machine', () => {
  it('falls back to browser mode on Linux without a display, not elsewhere', () => {
    expect(noDesktopReason({}, 'linux')).toMatch(/no display/);
    expect(noDesktopReason({ DISPLAY: ':0' }, 'linux')).toBeNull();
    expect(noDesktopReason({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull();
    expect(noDesktopReason({}, 'darwin')).toBeNull();
    expect(noDesktopReason({}, 'win32')).toBeNull();
  });

  it('opens the URL with the system browser where one can show it, and never a text browser without a display', () => {
    const url = 'http://127.0.0.1:7420/?token=abc';
    const all = () => true;
    expect(browserCommand(url, { DISPLAY: ':0' }, 'linux', all)).toEqual({ cmd: 'xdg-open', args: [url] });
    expect(browserCommand(url, { DISPLAY: ':0' }, 'linux', (c: string) => c === 'x-www-browser')).toEqual({
      cmd: 'x-www-browser',
      args: [url],
    });
    expect(browserCommand(url, {}, 'linux', all)).toBeNull();
    expect(browserCommand(url, { DISPLAY: ':0' }, 'linux', () => false)).toBeNull();
    expect(browserCommand(url, {}, 'darwin', all)).toEqual({ cmd: 'open', args: [url] });
    expect(browserCommand(url, {}, 'win32', all)?.args).toContain(url);
    expect(browserCommand(url, { BROWSER: 'firefox' }, 'linux', all)).toEqual({
      cmd: 'firefox',
      args: [url],
    });
  });

  it('reads the URL browser mode prints', () => {
    const out = 'OODLab is serving at http://127.0.0.1:7420/?token=Zx_9-a\nData folder: /d\n';
    expect(servedUrl(out)).toBe('http://127.0.0.1:7420/?token=Zx_9-a');
    expect(servedUrl('starting…')).toBeNull();
  });
});
