import { z } from 'zod';
import { request } from './define';

export const backendNames = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const BackendName = z.enum(backendNames);
export type BackendName = z.infer<typeof BackendName>;
export const BackendChoice = z.enum(['auto', ...backendNames]);
export type BackendChoice = z.infer<typeof BackendChoice>;

export const BackendInfo = z.object({
  name: BackendName,
  available: z.boolean(),
  /** Device or adapter description when it loads, e.g. "llvmpipe (software)". */
  device: z.string().optional(),
  /** True for software adapters: never picked by 'auto'. */
  software: z.boolean().optional(),
  /** Why it cannot load and how to fix it. */
  reason: z.string().optional(),
  versions: z.record(z.string(), z.string()).optional(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

export const SystemInfo = z.object({
  app: z.object({ name: z.string(), version: z.string() }),
  versions: z.object({
    node: z.string(),
    electron: z.string().nullable(),
    chrome: z.string().nullable(),
    v8: z.string(),
  }),
  platform: z.string(),
  arch: z.string(),
  cpu: z.object({ model: z.string(), cores: z.number().int() }),
  memory: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
  backends: z.array(BackendInfo),
  dataDir: z.string(),
  mode: z.enum(['electron', 'browser']),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export const systemRequests = {
  'system.info': request(z.object({}).strict(), SystemInfo),
};

export const systemEvents = {};
