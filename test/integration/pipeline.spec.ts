// The one-command study as a user runs it: `oodlab pipeline --preset smoke --dataset synthetic` in a fresh data
// folder, through the built CLI (bin/oodlab.js after `npm run build`; from sources through tsx when there is no build),
// then every promised file checked: summary.json valid with finite metrics, every figure as SVG and PNG (PNG decodes,
// has its nominal size at scale 2 and more than one colour), training_history.json with one entry per epoch, README.
// A second run must reuse everything it can.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFigures } from '../../common/charts';
import { NcResults } from '../../common/contract/nc';
import { OodResults } from '../../common/contract/ood';
import { Summary } from '../../common/contract/report';
import { TrainingHistory } from '../../common/contract/train';
import { cliBuilt, runOodlab } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const built = cliBuilt;
const oodlab = async (home: string, args: string[]) => (await runOodlab(home, args)).stdout;

/** Every number anywhere in a JSON value, with its path. */
function numbers(v: unknown, path = ''): [string, number][] {
  if (typeof v === 'number') return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => numbers(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => numbers(x, `${path}.${k}`));
  return [];
}

let home: string;
let cleanup: () => Promise<void>;
let runDir: string;
let firstOut: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = await tempDir('oodlab-pipeline-'));
  firstOut = await oodlab(home, [
    'pipeline',
    '--preset',
    'smoke',
    '--dataset',
    'synthetic',
    '--backend',
    'wasm',
  ]);
  const runs = await readdir(join(home, 'runs'));
  expect(runs).toHaveLength(1);
  runDir = join(home, 'runs', runs[0]);
}, 300_000);
afterAll(() => cleanup());

describe(`oodlab pipeline --preset smoke (${built ? 'built CLI' : 'sources'})`, () => {
  it('prints every stage and the final table', () => {
    for (const s of ['[1/5]', '[2/5]', '[3/5]', '[4/5]', '[5/5]', 'AUROC / FPR@95', 'NC1', 'Done in'])
      expect(firstOut).toContain(s);
  });

  it('writes a valid summary.json with finite metrics that match the results files', async () => {
    const s = Summary.parse(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')));
    for (const [path, v] of numbers(s)) expect(Number.isFinite(v), path).toBe(true);
    expect(s.training.state).toBe('done');
    expect(s.training.epochsDone).toBe(s.config.epochs);
    expect(s.environment.backend?.name).toBe('wasm');
    const ood = OodResults.parse(JSON.parse(await readFile(join(runDir, 'ood_results.json'), 'utf8')));
    expect(s.ood?.table).toHaveLength(ood.methods.length * Object.keys(ood.oodSets).length);
    const nc = NcResults.parse(JSON.parse(await readFile(join(runDir, 'nc_results.json'), 'utf8')));
    expect(s.nc?.final).toEqual(nc.final);
    expect(s.nc?.perEpoch.length).toBeGreaterThan(1);
  });

  it('writes training_history.json with one entry per epoch', async () => {
    const h = TrainingHistory.parse(
      JSON.parse(await readFile(join(runDir, 'training_history.json'), 'utf8')),
    );
    const s = Summary.parse(JSON.parse(await readFile(join(runDir, 'summary.json'), 'utf8')));
    expect(h.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: s.config.epochs }, (_, i) => i + 1));
  });

  it('writes every figure as SVG and PNG, PNGs at twice the nominal size and not blank', async () => {
    const h = TrainingHistory.parse(
      JSON.parse(await readFile(join(runDir, 'training_history.json'), 'utf8')),
    );
    const ood = OodResults.parse(JSON.parse(await readFile(join(runDir, 'ood_results.json'), 'utf8')));
    const nc = NcResults.parse(JSON.parse(await readFile(join(runDir, 'nc_results.json'), 'utf8')));
    const expected = buildFigures({ history: h, ood, nc });
    // all nine kinds of the seed study (per-set kinds once per OOD set)
    expect(new Set(expected.map((f) => f.id.replace(/-(synthetic-ood)$/, ''))).size).toBe(9);
    const files = await readdir(join(runDir, 'figures'));
    expect(files.sort()).toEqual(expected.flatMap((f) => [`${f.id}.png`, `${f.id}.svg`]).sort());
    for (const f of expected) {
      const svg = await readFile(join(runDir, 'figures', `${f.id}.svg`), 'utf8');
      expect(svg.startsWith('<svg'), f.id).toBe(true);
      expect(svg.length, f.id).toBeGreaterThan(3000);
      const { data, info } = await sharp(join(runDir, 'figures', `${f.id}.png`))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height], f.id).toEqual([f.width * 2, f.height * 2]);
      const colours = new Set<number>();
      for (let i = 0; i < data.length && colours.size < 3; i += info.channels * 13)
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      expect(colours.size, f.id).toBeGreaterThan(2);
    }
  });

  it('writes a README that names every file', async () => {
    const readme = await readFile(join(runDir, 'README.txt'), 'utf8');
    for (const f of [
      'summary.json',
      'training_history.json',
      'training-curves',
      'auroc-heatmap',
      'layer-nc1',
    ])
      expect(readme).toContain(f);
  });

  it('re-running reuses the run and its results', async () => {
    const out = await oodlab(home, [
      'pipeline',
      '--preset',
      'smoke',
      '--dataset',
      'synthetic',
      '--out',
      join(home, 'again'),
    ]);
    expect(out).toContain('reusing run');
    expect(out).toContain('ood_results.json: already there');
    expect(out).toContain('nc_results.json: already there');
    expect(await readdir(join(home, 'runs'))).toHaveLength(1);
    Summary.parse(JSON.parse(await readFile(join(home, 'again', 'summary.json'), 'utf8')));
  });
});
