// Extraction from a real (tiny) checkpoint: logits must equal features W' + b of the saved classifier, labels the
// data set's, layer files present, and a second call must hit the cache.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../main/engine/backend';
import { extractRunFeatures } from '../../../../main/engine/features/extract';
import { loadFeatureDir } from '../../../../main/engine/features/store';
import { tinyRun } from '../../../helpers/tiny-run';

describe('extractRunFeatures', () => {
  let home = '';
  afterAll(async () => rm(home, { recursive: true, force: true }));
  it('writes the DESIGN.md layout from a checkpoint, once', async () => {
    home = await mkdtemp(join(tmpdir(), 'oodlab-extract-'));
    await initBackend('cpu');
    const runId = await tinyRun(home, 'tiny');
    const dir = await extractRunFeatures(home, runId, { checkpoint: 'best', proxyCount: 4 });
    const rf = await loadFeatureDir(dir, { layers: true });
    // the 18 training images: 16 trained on, and the 10% validation split (2) extracted as id_val
    expect([rf.C, rf.D, rf.idTrain.n, rf.idVal?.n, rf.idTest.n]).toEqual([3, 16, 16, 2, 9]);
    expect(Object.keys(rf.ood)).toEqual(['synthetic-ood']);
    expect(rf.proxy?.n).toBe(4);
    expect(Object.keys(rf.layers ?? {})).toEqual(['layer1', 'layer2', 'layer3', 'layer4']);
    for (let i = 0; i < rf.idTest.n; i++)
      for (let c = 0; c < 3; c++) {
        let s = rf.b[c];
        for (let k = 0; k < 16; k++) s += rf.idTest.features[i * 16 + k] * rf.W[c * 16 + k];
        expect(rf.idTest.logits[i * 3 + c]).toBeCloseTo(s, 4);
      }
    const before = (await stat(join(dir, 'meta.json'))).mtimeMs;
    await extractRunFeatures(home, runId, { checkpoint: 'best' });
    expect((await stat(join(dir, 'meta.json'))).mtimeMs).toBe(before);
  });
});
