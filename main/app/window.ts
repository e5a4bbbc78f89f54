import { BrowserWindow, dialog, shell, type WebPreferences } from 'electron';
import { contentSecurityPolicy, externalLinkPolicy, isTrustedRendererUrl } from './security';

export interface WindowPaths {
  preload: string;
  rendererDir: string;
  rendererIndex: string;
  devServerUrl?: string;
}

/** The Electron security checklist, in one place so a test can read it. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    title: 'OODLab',
    show: false,
    webPreferences: secureWebPreferences(paths.preload),
  });
  const wc = win.webContents;

  // Deny every navigation away from our page and every new window; links the app shows open in the user's browser,
  // any other http(s) link only after asking (a compromised page must not open what it likes), nothing else ever.
  wc.on('will-navigate', (event, url) => {
    if (!isTrustedRendererUrl(url, paths.rendererDir, paths.devServerUrl)) event.preventDefault();
  });
  wc.setWindowOpenHandler(({ url }) => {
    const policy = externalLinkPolicy(url);
    if (policy === 'open') void shell.openExternal(url);
    else if (policy === 'ask')
      void dialog
        .showMessageBox(win, {
          type: 'question',
          buttons: ['Open in browser', 'Cancel'],
          defaultId: 1,
          cancelId: 1,
          message: 'Open this link in your browser?',
          detail: `${url}\n\nIt is not one of the documentation links OODLab shows.`,
        })
        .then((r) => (r.response === 0 ? shell.openExternal(url) : undefined));
    return { action: 'deny' };
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] },
    });
  });
  wc.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  win.once('ready-to-show', () => win.show());
  if (paths.devServerUrl) void win.loadURL(paths.devServerUrl);
  else void win.loadFile(paths.rendererIndex);
  return win;
}
