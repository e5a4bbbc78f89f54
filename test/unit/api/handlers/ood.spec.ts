// ood.rescore re-scores from the features of the checkpoint the results were computed on: the checkpoint is read
// back from its name (epoch-NNN -> its epoch, best, last), and only the owners of the parameters given are refitted.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiContext } from '../../../../main/api/context';
import { oodHandlers } from '../../../../main/api/handlers/ood';
import { writeOodResults } from '../../../../main/engine/ood/results';
import { tempDir } from '../../../helpers/tmp';
import { ood } from '../../common/charts/fixtures';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir: home, cleanup } = await tempDir()));
afterEach(() => cleanup());

async function rescoreParams(checkpoint: string | null) {
  await writeOodResults(home, 'r1', { ...ood, runId: 'r1', checkpoint });
  const start = vi.fn(async () => ({ id: 'j1' }));
  const ctx = { home, jobs: { start } } as unknown as ApiContext;
  await oodHandlers['ood.rescore']({ runId: 'r1', params: { knnK: 100 } }, ctx);
  return (start.mock.calls[0] as unknown as [{ params: { checkpoint: unknown; methods: unknown } }])[0]
    .params;
}

describe('ood.rescore', () => {
  it('re-scores the checkpoint the results name, refitting the owner of the parameter only', async () => {
    expect(await rescoreParams('epoch-004')).toMatchObject({ checkpoint: 4, methods: ['knn'] });
    expect((await rescoreParams('epoch-12')).checkpoint).toBe(12); // the unpadded spelling of older caches
    expect((await rescoreParams('last')).checkpoint).toBe('last');
    expect((await rescoreParams(null)).checkpoint).toBe('best');
  });
});
