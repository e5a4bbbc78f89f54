import { app, BrowserWindow, Menu } from 'electron';
import { fileURLToPath } from 'node:url';
import { setWorkerEntry } from '../jobs/worker-entry';
import { createRuntime } from '../runtime';
import { wireIpc } from './ipc';
import { buildMenu } from './menu';
import { createMainWindow } from './window';

// Electron glue only: lifecycle, the window, the menu, and ipcMain wiring. The engine lives in main/.
setWorkerEntry(new URL('./worker.js', import.meta.url));
if (!process.env.OODLAB_HOME) process.env.OODLAB_HOME = app.getPath('userData');

const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const paths = {
  preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
  rendererDir,
  rendererIndex: rendererDir + 'index.html',
  devServerUrl: !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined,
};

if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | undefined;

void app.whenReady().then(() => {
  const rt = createRuntime({
    mode: 'electron',
    appVersion: app.getVersion(),
    electron: { electron: process.versions.electron, chrome: process.versions.chrome },
  });
  wireIpc(rt.api, rt.bus, () => win?.webContents, paths);
  Menu.setApplicationMenu(buildMenu());
  win = createMainWindow(paths);

  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createMainWindow(paths);
  });
  app.on('before-quit', (e) => {
    if (rt.jobs.list().some((j) => j.state === 'running' || j.state === 'queued')) {
      e.preventDefault();
      void rt.jobs.shutdown().then(() => app.exit(0));
    }
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
