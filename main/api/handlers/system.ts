import { cpus, freemem, totalmem } from 'node:os';
import type { systemRequests } from '../../../common/contract/system';
import { probeBackends } from '../../engine/backend/probe';
import type { Handlers } from '../table';

export const systemHandlers: Handlers<keyof typeof systemRequests> = {
  'system.info': async (_req, ctx) => {
    ctx.backends ??= probeBackends();
    const cpu = cpus();
    return {
      app: { name: 'OODLab', version: ctx.appVersion },
      versions: {
        node: process.versions.node,
        electron: ctx.electron?.electron ?? null,
        chrome: ctx.electron?.chrome ?? null,
        v8: process.versions.v8,
      },
      platform: process.platform,
      arch: process.arch,
      cpu: { model: cpu[0]?.model ?? 'unknown', cores: cpu.length },
      memory: { totalBytes: totalmem(), freeBytes: freemem() },
      backends: await ctx.backends,
      dataDir: ctx.home,
      mode: ctx.mode,
    };
  },
};
