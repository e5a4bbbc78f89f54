// `oodlab train` flags -> the train.start / train.resume request. Only parsing lives here; every value is validated by
// the API's zod schema, so the CLI and the UI refuse the same configs with the same messages.
import { readFile } from 'node:fs/promises';
import { parseJsonFile } from '../engine/runs/json';
import { parseFlags, shared, strings } from './args';
import type { FromArgs } from './client';
import type { RequestOf } from '../../common/contract';

/** Flag -> config field, for the flags that take a number. */
const numeric = {
  epochs: 'epochs',
  width: 'width',
  'batch-size': 'batchSize',
  'micro-batch': 'microBatch',
  lr: 'lr',
  'warmup-epochs': 'warmupEpochs',
  'label-smoothing': 'labelSmoothing',
  'weight-decay': 'weightDecay',
  seed: 'seed',
  'checkpoint-every': 'checkpointEvery',
  'samples-per-epoch': 'samplesPerEpoch',
  'test-samples': 'testSamples',
  'val-fraction': 'valFraction',
} as const;

export const trainUsage =
  'oodlab train [--preset quick|paper|smoke | --config file.json] [--epochs N] [--width N] [--batch-size N] [--lr X]\n' +
  '             [--schedule cosine|multistep] [--milestones 60,120,160] [--warmup-epochs N] [--backend auto|wasm|...]\n' +
  '             [--dataset cifar100|cifar10|synthetic|ID] [--samples-per-epoch N] [--test-samples N] [--micro-batch N]\n' +
  '             [--val-fraction X (validation split held out of training; 0 = none, then the test set picks best)]\n' +
  '             [--label-smoothing X] [--weight-decay X] [--nesterov] [--no-augment] [--seed N] [--checkpoint-every N]\n' +
  '             [--name LABEL]\n' +
  '       oodlab train --resume RUN [--backend B]';

export type TrainArgs =
  { resume: FromArgs<RequestOf<'train.resume'>> } | { start: FromArgs<RequestOf<'train.start'>> };

export async function parseTrainArgs(argv: string[]): Promise<TrainArgs> {
  const { values } = parseFlags(argv, {
    ...shared.backend,
    ...strings('preset', 'config', 'resume', 'dataset', 'schedule', 'milestones', 'name'),
    nesterov: { type: 'boolean' },
    'no-augment': { type: 'boolean' },
    ...Object.fromEntries(Object.keys(numeric).map((k) => [k, { type: 'string' as const }])),
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (typeof v.resume === 'string') {
    const extra = Object.keys(v).filter((k) => k !== 'resume' && k !== 'backend' && v[k] !== undefined);
    if (extra.length)
      throw new Error(`--resume continues with the run's own config; drop --${extra.join(', --')}.`);
    return { resume: { runId: v.resume, backend: v.backend as string | undefined } };
  }
  if (v.preset && v.config) throw new Error('Give --preset or --config, not both.');

  const overrides: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(numeric)) {
    const raw = v[flag];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag} needs a number, got '${raw}'.`);
    overrides[field] = n;
  }
  for (const key of ['backend', 'dataset', 'schedule'] as const)
    if (typeof v[key] === 'string') overrides[key] = v[key];
  if (typeof v.milestones === 'string')
    overrides.milestones = v.milestones.split(',').map((s) => Number(s.trim()));
  if (v.nesterov) overrides.nesterov = true;
  if (v['no-augment']) overrides.augment = false;
  const name = v.name as string | undefined;

  if (typeof v.config === 'string') {
    const text = await readFile(v.config, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        `Cannot read the config file ${v.config}: ${err.code === 'ENOENT' ? 'no such file' : err.message}.`,
      );
    });
    const file = parseJsonFile(text, v.config, 'The config file') as unknown;
    if (typeof file !== 'object' || file === null || Array.isArray(file))
      throw new Error(`${v.config} must hold a JSON object (a training config).`);
    return { start: { config: { ...(file as Record<string, unknown>), ...overrides }, name } };
  }
  return { start: { preset: (v.preset as string | undefined) ?? 'quick', overrides, name } };
}
