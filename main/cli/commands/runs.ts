import { parseArgs } from 'node:util';
import type { RunDetail, RunManifest } from '../../../common/contract/runs';
import { createRuntime } from '../../runtime';
import { table } from '../format';
import type { Command } from '../io';

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export const runs: Command = {
  summary: 'List training runs (state, epochs, best test accuracy); show or delete one',
  usage: 'oodlab runs [list] [--json] | oodlab runs show RUN [--json] | oodlab runs delete RUN',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    const [verb = 'list', id] = positionals;
    const rt = createRuntime({ mode: 'browser' });
    if (verb !== 'list' && !id) throw new Error(`usage: ${this.usage}`);
    const res =
      verb === 'list'
        ? await rt.api.call('runs.list', {})
        : verb === 'show'
          ? await rt.api.call('runs.get', { id })
          : verb === 'delete'
            ? await rt.api.call('runs.delete', { id })
            : null;
    if (!res) throw new Error(`unknown verb '${verb}'; usage: ${this.usage}`);
    if (res.error) {
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    if (values.json) io.out(JSON.stringify(res.result, null, 2));
    else if (verb === 'list') {
      const list = res.result as RunManifest[];
      if (!list.length)
        io.out(`No runs yet in ${rt.ctx.home}/runs. Start one with: oodlab train --preset smoke`);
      else
        io.out(
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
          ),
        );
    } else if (verb === 'show') {
      const d = res.result as RunDetail;
      io.out(`${d.manifest.id}: ${d.manifest.state}, ${d.manifest.epochsDone}/${d.manifest.epochs} epochs`);
      if (d.manifest.error) io.out(`error: ${d.manifest.error.message}`);
      const imp = d.manifest.imported;
      if (imp) io.out(`imported ${imp.format} model from ${imp.source} (sha256 ${imp.sha256})`);
      io.out(`checkpoints: ${d.checkpoints.join(' ') || '-'}`);
      const rows = (d.history?.epochs ?? []).map((e) => [
        e.epoch,
        e.trainLoss.toFixed(4),
        pct(e.trainAcc),
        e.testLoss.toFixed(4),
        pct(e.testAcc),
        e.lr.toPrecision(3),
      ]);
      if (rows.length)
        io.out(table(['epoch', 'train loss', 'train acc', 'test loss', 'test acc', 'lr'], rows));
    } else io.out(`Deleted ${id}.`);
    return 0;
  },
};
