import type { BackendInfo } from '../../common/contract/system';
import type { JobManager } from '../jobs/manager';
import type { EventBus } from '../events';

/** What every handler may use. Built once per process by main/app (Electron) or main/host (browser mode). */
export interface ApiContext {
  home: string;
  jobs: JobManager;
  bus: EventBus;
  mode: 'electron' | 'browser';
  appVersion: string;
  electron?: { electron: string; chrome: string };
  /** Probing backends loads native code: done once, then cached. */
  backends?: Promise<BackendInfo[]>;
}
