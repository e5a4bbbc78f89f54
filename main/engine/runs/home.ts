import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The one data folder shared by the app and the CLI: OODLAB_HOME, else the OS's user data folder
 * (the same place Electron's app.getPath('userData') points to for productName OODLab).
 */
export function oodlabHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.OODLAB_HOME) return env.OODLAB_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'OODLab');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'OODLab');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'OODLab');
}

export const homePaths = (home: string) => ({
  datasets: join(home, 'datasets'),
  runs: join(home, 'runs'),
  run: (id: string) => join(home, 'runs', id),
});
