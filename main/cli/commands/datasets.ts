import { writeFile } from 'node:fs/promises';
import type { DatasetInfo } from '../../../common/contract/datasets';
import { formatBytes } from '../../../common/format';
import { command, printResult, shared } from '../args';
import { cliRuntime, invokeArgs } from '../client';
import { table } from '../format';
import type { Command } from '../io';
import { addDataset, addUsage, removeDataset } from './datasets-add';

/** `oodlab datasets`: what is on disk; `oodlab datasets sample SET --index I --out FILE.png`: look at one image. */
const listOrSample = command({
  summary: 'List the data sets and their state, or write one image of a set to a PNG',
  usage:
    'oodlab datasets [--verify] [--json] | oodlab datasets sample SET [--index I] [--split train|test] --out FILE.png\n' +
    `       ${addUsage}`,
  options: {
    ...shared.json,
    ...shared.out,
    verify: { type: 'boolean', default: false },
    index: { type: 'string', default: '0' },
    split: { type: 'string' },
    scale: { type: 'string', default: '4' },
  },
  positionals: true,
  async run({ values, positionals }, io, usage) {
    const rt = cliRuntime();
    if (positionals[0] === 'sample') {
      const id = positionals[1];
      if (!id || !values.out) {
        io.err(`usage: ${usage}`);
        return 2;
      }
      const { samples } = await invokeArgs(rt.api, 'datasets.samples', {
        id,
        indices: [Number(values.index)],
        scale: Number(values.scale),
        split: values.split || undefined,
      });
      const s = samples[0];
      await writeFile(values.out, Buffer.from(s.dataUrl.split(',')[1], 'base64'));
      io.out(`${values.out}: ${id} #${values.index} label ${s.label} (${s.className})`);
      return 0;
    }
    if (positionals.length) {
      io.err(`oodlab datasets: unknown argument '${positionals[0]}'\nusage: ${usage}`);
      return 2;
    }
    printResult(io, values.json, await rt.api.invoke('datasets.list', { verify: values.verify }), (sets) =>
      [setsTable(sets), ...notes(sets)].join('\n'),
    );
    return 0;
  },
});

function setsTable(sets: DatasetInfo[]): string {
  const counts = (d: DatasetInfo) =>
    d.counts.train !== undefined ? `${d.counts.train}/${d.counts.test}` : `-/${d.counts.test}`;
  return table(
    ['id', 'name', 'role', 'status', 'on disk', 'download', 'train/test', 'classes'],
    sets.map((d) => [
      d.id,
      d.name,
      d.role + (d.group ? ` (${d.group})` : ''),
      d.verified === false ? `${d.status} (unverified)` : d.status,
      d.synthetic ? '-' : formatBytes(d.sizeOnDisk),
      d.downloadBytes ? formatBytes(d.downloadBytes) : '-',
      counts(d),
      d.classes,
    ]),
  );
}

/** A line for each set with a message, then one for each set the user added. */
function notes(sets: DatasetInfo[]): string[] {
  return [
    ...sets.filter((d) => d.message).map((d) => `${d.id}: ${d.message}`),
    ...sets.flatMap((d) =>
      d.custom
        ? [
            `${d.id}: from ${d.custom.path} (${d.custom.kind}, ${d.custom.split})` +
              (d.custom.skipped ? `, ${d.custom.skipped} unreadable images skipped` : ''),
          ]
        : [],
    ),
  ];
}

/** `oodlab datasets`, or its verbs `add` and `remove` (datasets-add.ts). */
export const datasets: Command = {
  ...listOrSample,
  run: (argv, io) =>
    argv[0] === 'add'
      ? addDataset(argv.slice(1), io)
      : argv[0] === 'remove'
        ? removeDataset(argv.slice(1), io)
        : listOrSample.run(argv, io),
};
