import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { requests } from '../../../../common/contract';
import { RunId } from '../../../../common/contract/runs';
import { runDir } from '../../../../main/engine/runs/store';
import { createRuntime, type Runtime } from '../../../../main/runtime';
import { tempDir } from '../../../helpers/tmp';

// Item 9 of issue 18: every channel that takes a run id refuses ids that leave runs/, through ONE schema.
const hostile = [
  '../../../../tmp/x',
  '..',
  '.',
  '../x',
  'a/../../b',
  'a/b',
  'a\\b',
  '/etc',
  '',
  '.hidden',
  'x'.repeat(300),
];

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType> };
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object shape of a request schema (through optional / default / pipe wrappers). */
function shapeOf(s: z.ZodType): Record<string, z.ZodType> | null {
  const d = def(s);
  if (d.type === 'object') return d.shape ?? null;
  const inner = d.innerType ?? d.in;
  return inner ? shapeOf(inner) : null;
}
function unwrap(s: z.ZodType): z.ZodType {
  const d = def(s);
  return d.type === 'optional' || d.type === 'default' ? unwrap(d.innerType!) : s;
}

/** Channel -> the key that holds a run id ('runId', or 'id' on runs.*). */
const idKeys: [string, string][] = [];
for (const [channel, spec] of Object.entries(requests)) {
  const shape = shapeOf(spec.request as z.ZodType) ?? {};
  if ('runId' in shape) idKeys.push([channel, 'runId']);
  else if (channel.startsWith('runs.') && 'id' in shape) idKeys.push([channel, 'id']);
}

let rt: Runtime;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  rt = createRuntime({ mode: 'browser', home: join(t.dir, 'home') });
});
afterAll(async () => {
  await rt.jobs.shutdown();
  await cleanup();
});

describe('run ids on every channel', () => {
  it('finds the run-id channels, train.resume among them, and they all share the one RunId schema', () => {
    const names = idKeys.map(([c]) => c);
    for (const c of [
      'train.resume',
      'runs.get',
      'runs.delete',
      'ood.evaluate',
      'nc.analyze',
      'report.export',
    ])
      expect(names).toContain(c);
    for (const [channel, key] of idKeys) {
      const field = unwrap(shapeOf(requests[channel as keyof typeof requests].request as z.ZodType)![key]);
      expect(field, `${channel}.${key}`).toBe(RunId);
    }
  });

  it('refuses ../ and other hostile ids on every such channel before any handler runs', async () => {
    for (const [channel, key] of idKeys)
      for (const bad of hostile) {
        const res = await rt.api.call(channel, { [key]: bad });
        expect(res.error, `${channel} ${key}=${bad}`).toMatchObject({ code: 'invalid_request' });
        expect(res.error!.message, `${channel} ${key}=${bad}`).toContain(`${key}: not a run id`);
      }
    expect(existsSync(join(rt.ctx.home, 'runs'))).toBe(false);
  });

  it('accepts the ids the app writes', () => {
    for (const ok of ['20261126-211500-quick-ab12', 'imported_resnet.v2', 'a'])
      expect(RunId.safeParse(ok).success).toBe(true);
  });

  it('the run store itself refuses an id outside runs/ (engine code that skips the contract)', () => {
    for (const bad of hostile) expect(() => runDir('/data', bad)).toThrow(/not a run id/);
  });
});
