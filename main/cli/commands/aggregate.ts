// `oodlab aggregate GROUP`: mean ± std over the group's seeds, written to groups/<id>/summary.json and printed.
// `--if-complete` (what each task's script runs at its end) does it only once every run of the group is done.
import { groupProgress } from '../../engine/cluster/summary';
import { command, printResult, shared } from '../args';
import { cliRuntime } from '../client';
import { summaryTables } from '../group-table';

export const aggregate = command({
  summary: "Mean and std over a group's seeds (accuracy, every OOD metric, NC1-NC5) into its summary.json",
  usage: 'oodlab aggregate GROUP [--json] [--if-complete]',
  options: { ...shared.json, 'if-complete': { type: 'boolean', default: false } },
  positionals: true,
  async run({ values, positionals }, io, usage) {
    const [id] = positionals;
    if (!id) throw new Error(`usage: ${usage}`);
    const rt = cliRuntime();
    if (values['if-complete']) {
      const { missing } = await groupProgress(rt.ctx.home, id, { pipeline: true });
      if (missing.length) {
        io.out(`Group ${id} is not complete yet: ${missing.join(', ')}.`);
        return 0;
      }
    }
    printResult(io, values.json, await rt.api.invoke('cluster.aggregate', { id }), summaryTables);
    if (!values.json) io.out(`\nWritten to ${rt.ctx.home}/groups/${id}/summary.json`);
    return 0;
  },
});
