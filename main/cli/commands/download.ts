import { resolve } from 'node:path';
import { DownloadResult } from '../../../common/contract/datasets';
import { command, strings } from '../args';
import { cliRuntime, invokeArgs, resultOf } from '../client';
import { followJob } from '../follow-job';

/** `oodlab download`: the same job the Datasets page starts, with a progress line in the terminal. */
export const download = command({
  summary:
    'Download (or import) CIFAR-100, CIFAR-10, Tiny ImageNet, MNIST, SVHN, DTD, Places365; verify them and build the cache',
  usage:
    'oodlab download [cifar100|cifar10|tinyimagenet|mnist|svhn|dtd|places365|all] [--from FILE|DIR] [--no-verify]\n' +
    '                [--mirror URL] [--proxy URL] [--prune-archive]',
  options: {
    ...strings('from', 'mirror', 'proxy'),
    'no-verify': { type: 'boolean', default: false },
    'prune-archive': { type: 'boolean', default: false },
  },
  positionals: true,
  async run({ values, positionals }, io) {
    const rt = cliRuntime();
    const job = await invokeArgs(rt.api, 'datasets.download', {
      id: positionals[0] ?? 'all',
      verify: !values['no-verify'],
      from: values.from ? resolve(values.from) : undefined,
      mirror: values.mirror || undefined,
      proxy: values.proxy || undefined,
      prune: values['prune-archive'] || undefined,
    });
    // A log, not a terminal: a progress line every few seconds.
    const end = await followJob(rt, io, job, {
      log: (l) => l.message,
      plainEveryMs: 2000,
      cancelOnCtrlC: true,
    });
    if (end.state === 'done') {
      io.out(`ready: ${resultOf(end, DownloadResult).ready.join(', ')}`);
      return 0;
    }
    io.err(
      end.state === 'cancelled'
        ? 'cancelled (a partial download is kept and resumes next time)'
        : `error: ${end.error?.message}`,
    );
    return end.state === 'cancelled' ? 130 : 1;
  },
});
