// `oodlab export`: a run's figures (SVG/PNG), summary.json, training_history.json and README.txt into a folder,
// through the same 'report.export' job the renderer's export button starts.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobInfo } from '../../../common/contract/jobs';
import { FigureFormat, type ExportResult } from '../../../common/contract/report';
import { groupFiles, isGroup } from '../../engine/cluster/group';
import { runDir } from '../../engine/runs/store';
import { createRuntime, type Runtime } from '../../runtime';
import { followJob } from '../follow-job';
import type { CliIO, Command } from '../io';
import { call } from '../pipeline-steps';

const usage =
  'oodlab export RUN|GROUP [--out DIR] [--format svg,png] [--scale 2]\n' +
  '  (default --out: the run or group folder itself; a group exports its mean ± std figures and summary.json)';

/** Starts the export job and waits for it; the exit code and what was written are printed. */
export async function runExport(
  rt: Runtime,
  io: CliIO,
  req: { runId: string; dir: string; formats: FigureFormat[]; scale?: number },
): Promise<ExportResult | null> {
  const res = await rt.api.call('report.export', req);
  if (res.error) {
    io.err(`error: ${res.error.message}`);
    return null;
  }
  const end = await followJob(rt, io, res.result as JobInfo, 'export ');
  if (end.state !== 'done') {
    io.err(`export ${end.state}: ${end.error?.message ?? ''}`);
    return null;
  }
  return end.result as ExportResult;
}

export const exportCommand: Command = {
  summary: 'Write a run’s figures (SVG/PNG), summary.json, training_history.json and a README into a folder',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        format: { type: 'string', default: 'svg,png' },
        scale: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new Error(`give one run id\nusage: ${usage}`);
    const formats = values.format.split(',').map((f) => FigureFormat.parse(f.trim()));
    const rt = createRuntime({ mode: 'browser' });
    const runId = positionals[0];
    if (await isGroup(rt.ctx.home, runId)) {
      const g = await call<ExportResult>(rt, 'cluster.export', {
        id: runId,
        dir: resolve(values.out ?? groupFiles(rt.ctx.home, runId).dir),
        formats,
        scale: values.scale ? Number(values.scale) : undefined,
      });
      io.out(`Exported group ${runId}: ${g.figures.length} figures to ${g.dir}:`);
      for (const f of g.files) io.out(`  ${f}`);
      for (const s of g.skipped) io.out(`  (skipped) ${s}`);
      return 0;
    }
    const dir = resolve(values.out ?? runDir(rt.ctx.home, runId));
    const r = await runExport(rt, io, {
      runId,
      dir,
      formats,
      scale: values.scale ? Number(values.scale) : undefined,
    });
    if (!r) return 1;
    io.out(`Exported ${r.figures.length} figures to ${r.dir} in ${r.seconds.toFixed(1)} s:`);
    for (const f of r.files) io.out(`  ${f}`);
    for (const s of r.skipped) io.out(`  (skipped) ${s}`);
    return 0;
  },
};
