import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from '../../../main/cli/train-args';
import { tempDir } from '../../helpers/tmp';

describe('oodlab train flags', () => {
  it('default to the quick preset', async () => {
    expect(await parseTrainArgs([])).toEqual({ start: { preset: 'quick', overrides: {}, name: undefined } });
  });

  it('map flags to config fields with numbers parsed', async () => {
    const a = await parseTrainArgs(
      ['--preset', 'smoke', '--epochs', '5', '--batch-size', '16', '--lr', '0.01', '--backend', 'cpu'].concat(
        [
          '--milestones',
          '2, 4',
          '--nesterov',
          '--no-augment',
          '--samples-per-epoch',
          '1000',
          '--val-fraction',
          '0.2',
          '--name',
          'try-1',
        ],
      ),
    );
    expect(a).toEqual({
      start: {
        preset: 'smoke',
        name: 'try-1',
        overrides: {
          epochs: 5,
          batchSize: 16,
          lr: 0.01,
          backend: 'cpu',
          milestones: [2, 4],
          nesterov: true,
          augment: false,
          samplesPerEpoch: 1000,
          valFraction: 0.2,
        },
      },
    });
  });

  it('refuse non-numbers, unknown flags and mixing --resume with config flags', async () => {
    await expect(parseTrainArgs(['--epochs', 'ten'])).rejects.toThrow(/--epochs needs a number/);
    await expect(parseTrainArgs(['--epoch', '3'])).rejects.toThrow();
    await expect(parseTrainArgs(['--resume', 'r1', '--epochs', '3'])).rejects.toThrow(/--epochs/);
    expect(await parseTrainArgs(['--resume', 'r1', '--backend', 'wasm'])).toEqual({
      resume: { runId: 'r1', backend: 'wasm' },
    });
  });

  it('read --config files and apply flags over them', async () => {
    const t = await tempDir();
    try {
      const file = join(t.dir, 'c.json');
      await writeFile(file, JSON.stringify({ dataset: 'synthetic', width: 8, epochs: 2 }));
      expect(await parseTrainArgs(['--config', file, '--epochs', '4'])).toEqual({
        start: { config: { dataset: 'synthetic', width: 8, epochs: 4 }, name: undefined },
      });
      await expect(parseTrainArgs(['--config', file, '--preset', 'smoke'])).rejects.toThrow(/not both/);
      // issue 18 variants: a malformed or missing config file says which file and what is wrong
      await writeFile(file, '{"dataset": "synthetic", "width": 8,');
      await expect(parseTrainArgs(['--config', file])).rejects.toThrow(
        /config file \(.*c\.json\) is not valid JSON/,
      );
      await expect(parseTrainArgs(['--config', join(t.dir, 'none.json')])).rejects.toThrow(
        /Cannot read .*none\.json: no such file/,
      );
    } finally {
      await t.cleanup();
    }
  });
});
