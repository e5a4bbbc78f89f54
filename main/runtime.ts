import { readFileSync } from 'node:fs';
import type { ApiContext } from './api/context';
import { createApi, type Api } from './api';
import { EventBus } from './events';
import { JobManager } from './jobs/manager';
import { oodlabHome } from './engine/runs/home';

export interface Runtime {
  ctx: ApiContext;
  api: Api;
  bus: EventBus;
  jobs: JobManager;
}

function packageVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (sources vs bundle)
    }
  }
  return '0.0.0';
}

/** One API, one job manager, one event bus: what the Electron app, browser mode and the CLI each build once. */
export function createRuntime(opts: {
  home?: string;
  mode: ApiContext['mode'];
  electron?: ApiContext['electron'];
  appVersion?: string;
}): Runtime {
  const bus = new EventBus();
  const home = opts.home ?? oodlabHome();
  const jobs = new JobManager(home, bus);
  const ctx: ApiContext = {
    home,
    jobs,
    bus,
    mode: opts.mode,
    electron: opts.electron,
    appVersion: opts.appVersion ?? packageVersion(),
  };
  return { ctx, api: createApi(ctx), bus, jobs };
}
