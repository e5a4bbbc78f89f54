import type { RunDetail, RunManifest } from '../../../common/contract/runs';
import { command, printResult, shared } from '../args';
import { cliRuntime } from '../client';
import { table } from '../format';

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export const runs = command({
  summary: 'List training runs (state, epochs, best test accuracy); show or delete one',
  usage: 'oodlab runs [list] [--json] | oodlab runs show RUN [--json] | oodlab runs delete RUN',
  options: shared.json,
  positionals: true,
  async run({ values, positionals }, io, usage) {
    const [verb = 'list', id] = positionals;
    const rt = cliRuntime();
    if (verb !== 'list' && !id) throw new Error(`usage: ${usage}`);
    if (verb === 'list')
      printResult(io, values.json, await rt.api.invoke('runs.list', {}), (list) =>
        list.length
          ? runsTable(list)
          : `No runs yet in ${rt.ctx.home}/runs. Start one with: oodlab train --preset smoke`,
      );
    else if (verb === 'show') printResult(io, values.json, await rt.api.invoke('runs.get', { id }), describe);
    else if (verb === 'delete') {
      const r = await rt.api.invoke('runs.delete', { id });
      io.out(values.json ? JSON.stringify(r, null, 2) : `Deleted ${id}.`);
    } else throw new Error(`unknown verb '${verb}'; usage: ${usage}`);
    return 0;
  },
});

const runsTable = (list: RunManifest[]) =>
  table(
    ['run', 'state', 'epochs', 'best test acc', 'backend', 'updated'],
    list.map((m) => [
      m.id,
      m.state,
      `${m.epochsDone}/${m.epochs}`,
      m.bestEpoch ? `${pct(m.bestTestAcc)} (ep ${m.bestEpoch})` : '-',
      m.backend?.name ?? '-',
      m.updatedAt.slice(0, 19).replace('T', ' '),
    ]),
  );

function describe(d: RunDetail): string {
  const m = d.manifest;
  const rows = (d.history?.epochs ?? []).map((e) => [
    e.epoch,
    e.trainLoss.toFixed(4),
    pct(e.trainAcc),
    e.testLoss.toFixed(4),
    pct(e.testAcc),
    e.lr.toPrecision(3),
  ]);
  return [
    `${m.id}: ${m.state}, ${m.epochsDone}/${m.epochs} epochs`,
    ...(m.error ? [`error: ${m.error.message}`] : []),
    ...(m.imported
      ? [`imported ${m.imported.format} model from ${m.imported.source} (sha256 ${m.imported.sha256})`]
      : []),
    `checkpoints: ${d.checkpoints.join(' ') || '-'}`,
    ...(rows.length
      ? [table(['epoch', 'train loss', 'train acc', 'test loss', 'test acc', 'lr'], rows)]
      : []),
  ].join('\n');
}
