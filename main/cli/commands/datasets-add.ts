// `oodlab datasets add PATH --name NAME --role id|ood` and `oodlab datasets remove ID`: the user's own data sets,
// through the same 'datasets.add' job and 'datasets.delete' request as the Datasets page. Ctrl-C cancels an add
// and leaves nothing behind; remove deletes the cache only, never the folder the set was made from.
import { resolve } from 'node:path';
import { AddDatasetResult } from '../../../common/contract/datasets';
import { formatBytes } from '../../../common/format';
import { parseFlags, strings } from '../args';
import { cliRuntime, resultOf } from '../client';
import { followJob } from '../follow-job';
import type { CliIO } from '../io';

export const addUsage =
  'oodlab datasets add PATH --name NAME --role id|ood [--size 32] [--labels Y.npy] [--seed N]\n' +
  '       oodlab datasets remove ID';

export async function addDataset(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...strings('name', 'role', 'labels', 'seed'), size: { type: 'string', default: '32' } },
    true,
  );
  if (positionals.length !== 1 || !values.name || (values.role !== 'id' && values.role !== 'ood')) {
    io.err(`usage: ${addUsage}`);
    return 2;
  }
  if (values.size !== '32') {
    io.err('error: --size 32 only: the networks OODLab trains and scores take 32x32 images.');
    return 2;
  }
  const rt = cliRuntime();
  const job = await rt.api.invoke('datasets.add', {
    path: resolve(positionals[0]),
    name: values.name,
    role: values.role,
    labels: values.labels ? resolve(values.labels) : undefined,
    seed: values.seed !== undefined ? Number(values.seed) : undefined,
  });
  const end = await followJob(rt, io, job, { log: (l) => l.message, cancelOnCtrlC: true });
  if (end.state !== 'done') {
    io.err(end.state === 'cancelled' ? 'cancelled: nothing was added' : `error: ${end.error?.message}`);
    return end.state === 'cancelled' ? 130 : 1;
  }
  const r = resultOf(end, AddDatasetResult);
  io.out(`added ${r.id}: ${r.train} train, ${r.test} test images`);
  if (r.skipped.count)
    io.out(`skipped ${r.skipped.count} unreadable images, e.g. ${r.skipped.first.join(', ')}`);
  return 0;
}

export async function removeDataset(argv: string[], io: CliIO): Promise<number> {
  if (argv.length !== 1) {
    io.err(`usage: ${addUsage}`);
    return 2;
  }
  const r = await cliRuntime().api.invoke('datasets.delete', { id: argv[0] });
  io.out(
    r.deleted ? `removed ${argv[0]} (${formatBytes(r.freedBytes)} freed)` : `${argv[0]} had nothing on disk`,
  );
  return 0;
}
