// `oodlab datasets add PATH --name NAME --role id|ood` and `oodlab datasets remove ID`: the user's own data sets,
// through the same 'datasets.add' job and 'datasets.delete' request as the Datasets page. Ctrl-C cancels an add
// and leaves nothing behind; remove deletes the cache only, never the folder the set was made from.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobInfo } from '../../../common/contract/jobs';
import { createRuntime } from '../../runtime';
import { formatBytes } from '../../../common/format';
import { progressBar } from '../format';
import type { CliIO } from '../io';

export const addUsage =
  'oodlab datasets add PATH --name NAME --role id|ood [--size 32] [--labels Y.npy] [--seed N]\n' +
  '       oodlab datasets remove ID';

export async function addDataset(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      size: { type: 'string', default: '32' },
      labels: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  if (positionals.length !== 1 || !values.name || (values.role !== 'id' && values.role !== 'ood')) {
    io.err(`usage: ${addUsage}`);
    return 2;
  }
  if (values.size !== '32') {
    io.err('error: --size 32 only: the networks OODLab trains and scores take 32x32 images.');
    return 2;
  }
  const rt = createRuntime({ mode: 'browser' });
  const res = await rt.api.call('datasets.add', {
    path: resolve(positionals[0]),
    name: values.name,
    role: values.role,
    ...(values.labels ? { labels: resolve(values.labels) } : {}),
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  });
  if (res.error) {
    io.err(`error: ${res.error.message}`);
    return 1;
  }
  const job = res.result as JobInfo;
  const off = rt.bus.subscribe((channel, payload) => {
    if (channel === 'job.log') io.out((payload as { message: string }).message);
    const j = payload as JobInfo;
    if (channel === 'job.update' && j.id === job.id && j.progress && io.tty)
      process.stderr.write(`\r${progressBar(j.progress.fraction ?? 0)} ${j.progress.message.padEnd(40)}`);
  });
  const onSignal = () => void rt.api.call('jobs.cancel', { id: job.id });
  process.once('SIGINT', onSignal);
  const end = await rt.jobs.wait(job.id);
  process.off('SIGINT', onSignal);
  off();
  if (io.tty) process.stderr.write('\n');
  if (end.state !== 'done') {
    io.err(end.state === 'cancelled' ? 'cancelled: nothing was added' : `error: ${end.error?.message}`);
    return end.state === 'cancelled' ? 130 : 1;
  }
  const r = end.result as {
    id: string;
    train: number;
    test: number;
    skipped: { count: number; first: string[] };
  };
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
  const rt = createRuntime({ mode: 'browser' });
  const res = await rt.api.call('datasets.delete', { id: argv[0] });
  if (res.error) {
    io.err(`error: ${res.error.message}`);
    return 1;
  }
  const r = res.result as { deleted: boolean; freedBytes: number };
  io.out(
    r.deleted ? `removed ${argv[0]} (${formatBytes(r.freedBytes)} freed)` : `${argv[0]} had nothing on disk`,
  );
  return 0;
}
