import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobInfo } from '../../../common/contract/jobs';
import { createRuntime } from '../../runtime';
import type { Command } from '../io';
import { formatBytes } from '../../../common/format';
import { formatDuration, progressBar } from '../format';

/** `oodlab download`: the same job the Datasets page starts, with a progress line in the terminal. */
export const download: Command = {
  summary:
    'Download (or import) CIFAR-100, CIFAR-10, Tiny ImageNet, MNIST, SVHN, DTD, Places365; verify them and build the cache',
  usage:
    'oodlab download [cifar100|cifar10|tinyimagenet|mnist|svhn|dtd|places365|all] [--from FILE|DIR] [--no-verify]\n' +
    '                [--mirror URL] [--proxy URL] [--prune-archive]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        'no-verify': { type: 'boolean', default: false },
        mirror: { type: 'string' },
        proxy: { type: 'string' },
        'prune-archive': { type: 'boolean', default: false },
      },
    });
    const id = positionals[0] ?? 'all';
    const rt = createRuntime({ mode: 'browser' });
    let last = '';
    let lastPrint = 0;
    let lastMessage = '';
    const unsubscribe = rt.bus.subscribe((channel, payload) => {
      if (channel === 'job.log') io.out((payload as { message: string }).message);
      if (channel !== 'job.update') return;
      const p = (payload as JobInfo).progress;
      if (!p) return;
      const d = p.detail ?? {};
      const bytes =
        d.bytes !== undefined
          ? ` ${formatBytes(d.bytes)}/${formatBytes(d.total ?? 0)} ${formatBytes(d.rate ?? 0)}/s`
          : '';
      const eta = p.etaSeconds ? ` ETA ${formatDuration(p.etaSeconds)}` : '';
      const line = `${progressBar(p.fraction ?? 0)} ${p.message}${bytes}${eta}`;
      if (io.tty) process.stdout.write(`\r${line.padEnd(last.length)}`);
      else if (Date.now() - lastPrint > 2000 || p.message !== lastMessage) {
        io.out(line); // a log, not a terminal: one line every few seconds
        lastPrint = Date.now();
      }
      last = line;
      lastMessage = p.message;
    });
    const res = await rt.api.call('datasets.download', {
      id,
      verify: !values['no-verify'],
      ...(values.from ? { from: resolve(values.from) } : {}),
      ...(values.mirror ? { mirror: values.mirror } : {}),
      ...(values.proxy ? { proxy: values.proxy } : {}),
      ...(values['prune-archive'] ? { prune: true } : {}),
    });
    if (res.error) {
      unsubscribe();
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    const job = res.result as JobInfo;
    const onSignal = () => void rt.api.call('jobs.cancel', { id: job.id });
    process.once('SIGINT', onSignal);
    const end = await rt.jobs.wait(job.id);
    process.off('SIGINT', onSignal);
    unsubscribe();
    if (io.tty) process.stdout.write('\n');
    if (end.state === 'done') {
      io.out(`ready: ${(end.result as { ready: string[] }).ready.join(', ')}`);
      return 0;
    }
    io.err(
      end.state === 'cancelled'
        ? 'cancelled (a partial download is kept and resumes next time)'
        : `error: ${end.error?.message}`,
    );
    return end.state === 'cancelled' ? 130 : 1;
  },
};
