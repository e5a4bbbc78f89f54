import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Summary } from '../../../../common/contract/report';
import { TrainingHistory } from '../../../../common/contract/train';
import { exportRun } from '../../../../main/engine/report/export';
import { tempDir } from '../../../helpers/tmp';
import { makeRun, RUN } from '../../../helpers/run-fixture';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir: home, cleanup } = await tempDir()));
afterEach(() => cleanup());

/** Distinct colours in a sample of the PNG's pixels. */
async function colours(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const seen = new Set<number>();
  for (let i = 0; i < data.length; i += info.channels * 7)
    seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return seen.size;
}

describe('exportRun', () => {
  it('writes every figure as SVG and PNG, the summary, the history and a README', async () => {
    await makeRun(home);
    const out = join(home, 'export');
    const fractions: number[] = [];
    const r = await exportRun(home, RUN, out, {
      formats: ['svg', 'png'],
      scale: 1,
      progress: (f) => fractions.push(f),
    });
    expect(r.figures).toHaveLength(11);
    expect(r.skipped).toEqual([]);
    expect(fractions.at(-1)).toBe(1);
    const figs = (await readdir(join(out, 'figures'))).sort();
    expect(figs).toHaveLength(22);
    // training-curves is 1200 x 420 at scale 1
    const png = await readFile(join(out, 'figures', 'training-curves.png'));
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([1200, 420]);
    expect(await colours(png)).toBeGreaterThan(10);
    const svg = await readFile(join(out, 'figures', 'roc-svhn.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*width="900" height="700"/);
    expect(svg).toContain('MSP  AUROC 90.0%');
    Summary.parse(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')));
    // the run folder gets the same summary
    Summary.parse(JSON.parse(await readFile(join(home, 'runs', RUN, 'summary.json'), 'utf8')));
    const h = TrainingHistory.parse(JSON.parse(await readFile(join(out, 'training_history.json'), 'utf8')));
    expect(h.epochs).toHaveLength(4);
    const readme = await readFile(join(out, 'README.txt'), 'utf8');
    for (const f of ['summary.json', 'training_history.json', 'layer-nc1', 'roc-dtd'])
      expect(readme).toContain(f);
  });

  it('exports what exists: a run without OOD or NC results still gets its training figures', async () => {
    await makeRun(home, { ood: false, nc: false });
    const out = join(home, 'export');
    const r = await exportRun(home, RUN, out, { formats: ['svg'] });
    expect(r.figures).toEqual(['training-curves', 'loss-accuracy']);
    expect(r.skipped).toHaveLength(2);
    expect((await readdir(join(out, 'figures'))).sort()).toEqual([
      'loss-accuracy.svg',
      'training-curves.svg',
    ]);
    expect(await readFile(join(out, 'README.txt'), 'utf8')).toContain('oodlab evaluate');
  });

  it('stops at the next figure when cancelled', async () => {
    await makeRun(home);
    const ac = new AbortController();
    ac.abort();
    await expect(
      exportRun(home, RUN, join(home, 'x'), { formats: ['svg'], signal: ac.signal }),
    ).rejects.toThrow(/cancelled/);
  });

  it('says which run is missing', async () => {
    await expect(exportRun(home, 'nope', join(home, 'x'), { formats: ['svg'] })).rejects.toThrow(/nope/);
  });
});
