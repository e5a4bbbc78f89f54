// `oodlab aggregate GROUP`: mean ± std over the group's seeds, written to groups/<id>/summary.json and printed.
// `--if-complete` (what each task's script runs at its end) does it only once every run of the group is done.
import { parseArgs } from 'node:util';
import type { GroupSummary } from '../../../common/contract/cluster';
import { groupProgress } from '../../engine/cluster/summary';
import { createRuntime } from '../../runtime';
import { summaryTables } from '../group-table';
import type { Command } from '../io';
import { call } from '../pipeline-steps';

export const aggregate: Command = {
  summary: "Mean and std over a group's seeds (accuracy, every OOD metric, NC1-NC5) into its summary.json",
  usage: 'oodlab aggregate GROUP [--json] [--if-complete]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        'if-complete': { type: 'boolean', default: false },
      },
    });
    const [id] = positionals;
    if (!id) throw new Error(`usage: ${this.usage}`);
    const rt = createRuntime({ mode: 'browser' });
    if (values['if-complete']) {
      const { missing } = await groupProgress(rt.ctx.home, id, { pipeline: true });
      if (missing.length) {
        io.out(`Group ${id} is not complete yet: ${missing.join(', ')}.`);
        return 0;
      }
    }
    const s = await call<GroupSummary>(rt, 'cluster.aggregate', { id });
    io.out(values.json ? JSON.stringify(s, null, 2) : summaryTables(s));
    if (!values.json) io.out(`\nWritten to ${rt.ctx.home}/groups/${id}/summary.json`);
    return 0;
  },
};
