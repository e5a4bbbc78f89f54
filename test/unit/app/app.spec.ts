import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// A stand-in for the 'electron' module: records what main/app/ asks of it.
const h = vi.hoisted(() => {
  const handlers = new Map<string, (...a: unknown[]) => unknown>();
  const windows: {
    opts: Record<string, unknown>;
    listeners: Map<string, (...a: unknown[]) => void>;
    openHandler?: (d: { url: string }) => unknown;
  }[] = [];
  return { handlers, windows, openExternal: vi.fn(), showMessageBox: vi.fn(async () => ({ response: 1 })) };
});

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(opts: Record<string, unknown>) {
      const listeners = new Map<string, (...a: unknown[]) => void>();
      const rec: (typeof h.windows)[number] = { opts, listeners };
      h.windows.push(rec);
      this.webContents = {
        on: (ev: string, fn: (...a: unknown[]) => void) => listeners.set(ev, fn),
        setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (rec.openHandler = fn),
        session: { webRequest: { onHeadersReceived: vi.fn() }, setPermissionRequestHandler: vi.fn() },
      };
    }
    once() {}
    loadFile = vi.fn(async () => undefined);
    loadURL = vi.fn(async () => undefined);
  }
  return {
    BrowserWindow,
    shell: { openExternal: h.openExternal },
    dialog: { showMessageBox: h.showMessageBox },
    ipcMain: {
      handle: (ch: string, fn: (...a: unknown[]) => unknown) => h.handlers.set(ch, fn),
      removeHandler: (ch: string) => h.handlers.delete(ch),
    },
  };
});

const { createMainWindow } = await import('../../../main/app/window');
const { wireIpc, isTrustedSender } = await import('../../../main/app/ipc');
const { EventBus } = await import('../../../main/events');

const rendererDir = '/opt/oodlab/out/renderer/';
const ours = pathToFileURL(rendererDir + 'index.html').href;

describe('main/app window', () => {
  beforeEach(() => (h.windows.length = 0));

  it('applies the Electron security checklist', () => {
    createMainWindow({ preload: '/p/index.cjs', rendererDir, rendererIndex: rendererDir + 'index.html' });
    const prefs = h.windows[0].opts.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload: '/p/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('denies navigation away from the renderer and every new window', () => {
    createMainWindow({ preload: '/p/index.cjs', rendererDir, rendererIndex: rendererDir + 'index.html' });
    const w = h.windows[0];
    const nav = (url: string) => {
      const event = { preventDefault: vi.fn() };
      w.listeners.get('will-navigate')!(event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav(ours)).toBe(false);
    expect(w.openHandler!({ url: 'https://arxiv.org/abs/2008.08186' })).toEqual({ action: 'deny' });
    expect(h.openExternal).toHaveBeenCalledWith('https://arxiv.org/abs/2008.08186');
    expect(w.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(h.openExternal).toHaveBeenCalledTimes(1);
  });

  it('opens only the documentation links it shows; asks before any other http(s) link (issue 18 item 12)', async () => {
    createMainWindow({ preload: '/p/index.cjs', rendererDir, rendererIndex: rendererDir + 'index.html' });
    const w = h.windows.at(-1)!;
    h.openExternal.mockClear();
    for (const url of [
      'https://evil.example/x',
      'http://arxiv.org/abs/1',
      'https://arxiv.org@evil.example/',
    ]) {
      h.showMessageBox.mockResolvedValueOnce({ response: 1 }); // the user says no
      expect(w.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(h.showMessageBox).toHaveBeenCalledTimes(3);
    expect(h.openExternal).not.toHaveBeenCalled();
    h.showMessageBox.mockResolvedValueOnce({ response: 0 }); // yes
    w.openHandler!({ url: 'https://example.org/paper.pdf' });
    await new Promise((r) => setTimeout(r, 0));
    expect(h.openExternal).toHaveBeenCalledWith('https://example.org/paper.pdf');
    for (const url of ['javascript:alert(1)', 'smb://host/share', 'not a url']) w.openHandler!({ url });
    expect(h.showMessageBox).toHaveBeenCalledTimes(4);
    expect(h.openExternal).toHaveBeenCalledTimes(1);
  });
});

describe('main/app IPC', () => {
  const opts = { rendererDir };
  const frame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } }) as never;

  it('trusts only our renderer main frame', () => {
    expect(isTrustedSender(frame(ours), opts)).toBe(true);
    expect(isTrustedSender(frame(ours, {}), opts)).toBe(false);
    expect(isTrustedSender(frame('https://evil.example/'), opts)).toBe(false);
    expect(isTrustedSender(frame('file:///opt/oodlab/out/renderer-evil/index.html'), opts)).toBe(false);
    expect(isTrustedSender({ senderFrame: null } as never, opts)).toBe(false);
  });

  it('answers through the API for our frame and refuses others without calling it', async () => {
    const call = vi.fn(async () => ({ result: 'ok' }));
    wireIpc({ call }, new EventBus(), () => undefined, opts);
    const invoke = h.handlers.get('oodlab:invoke')!;
    expect(await invoke(frame(ours), 'jobs.list', {})).toEqual({ result: 'ok' });
    expect(call).toHaveBeenCalledWith('jobs.list', {});
    expect(await invoke(frame('https://evil.example/'), 'jobs.list', {})).toEqual({
      error: { code: 'forbidden', message: 'IPC refused: the sender is not the OODLab window.' },
    });
    expect(call).toHaveBeenCalledTimes(1);
  });
});
