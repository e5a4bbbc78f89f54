import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { DatasetInfo } from '../../../common/contract/datasets';
import { createRuntime } from '../../runtime';
import type { Command } from '../io';
import { formatBytes } from '../../../common/format';
import { table } from '../format';
import { addDataset, addUsage, removeDataset } from './datasets-add';

/** `oodlab datasets`: what is on disk; `oodlab datasets sample SET --index I --out FILE.png`: look at one image. */
export const datasets: Command = {
  summary: 'List the data sets and their state, or write one image of a set to a PNG',
  usage:
    'oodlab datasets [--verify] [--json] | oodlab datasets sample SET [--index I] [--split train|test] --out FILE.png\n' +
    `       ${addUsage}`,
  async run(argv, io) {
    if (argv[0] === 'add') return addDataset(argv.slice(1), io);
    if (argv[0] === 'remove') return removeDataset(argv.slice(1), io);
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        verify: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        index: { type: 'string', default: '0' },
        split: { type: 'string' },
        out: { type: 'string' },
        scale: { type: 'string', default: '4' },
      },
    });
    const rt = createRuntime({ mode: 'browser' });
    if (positionals[0] === 'sample') {
      const id = positionals[1];
      if (!id || !values.out) {
        io.err(`usage: ${this.usage}`);
        return 2;
      }
      const res = await rt.api.call('datasets.samples', {
        id,
        indices: [Number(values.index)],
        scale: Number(values.scale),
        ...(values.split ? { split: values.split } : {}),
      });
      if (res.error) {
        io.err(`error: ${res.error.message}`);
        return 1;
      }
      const s = (res.result as { samples: { label: number; className: string; dataUrl: string }[] })
        .samples[0];
      await writeFile(values.out, Buffer.from(s.dataUrl.split(',')[1], 'base64'));
      io.out(`${values.out}: ${id} #${values.index} label ${s.label} (${s.className})`);
      return 0;
    }
    if (positionals.length) {
      io.err(`oodlab datasets: unknown argument '${positionals[0]}'\nusage: ${this.usage}`);
      return 2;
    }
    const res = await rt.api.call('datasets.list', { verify: values.verify });
    if (res.error) {
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    const list = res.result as DatasetInfo[];
    if (values.json) {
      io.out(JSON.stringify(list, null, 2));
      return 0;
    }
    const counts = (d: DatasetInfo) =>
      d.counts.train !== undefined ? `${d.counts.train}/${d.counts.test}` : `-/${d.counts.test}`;
    io.out(
      table(
        ['id', 'name', 'role', 'status', 'on disk', 'download', 'train/test', 'classes'],
        list.map((d) => [
          d.id,
          d.name,
          d.role + (d.group ? ` (${d.group})` : ''),
          d.verified === false ? `${d.status} (unverified)` : d.status,
          d.synthetic ? '-' : formatBytes(d.sizeOnDisk),
          d.downloadBytes ? formatBytes(d.downloadBytes) : '-',
          counts(d),
          d.classes,
        ]),
      ),
    );
    for (const d of list) if (d.message) io.out(`${d.id}: ${d.message}`);
    for (const d of list)
      if (d.custom)
        io.out(
          `${d.id}: from ${d.custom.path} (${d.custom.kind}, ${d.custom.split})` +
            (d.custom.skipped ? `, ${d.custom.skipped} unreadable images skipped` : ''),
        );
    return 0;
  },
};
