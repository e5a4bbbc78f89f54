// `oodlab export`: a run's figures (SVG/PNG), summary.json, training_history.json and README.txt into a folder,
// through the same 'report.export' job the renderer's export button starts.
import { resolve } from 'node:path';
import { ExportResult, FigureFormat } from '../../../common/contract/report';
import { groupFiles, isGroup } from '../../engine/cluster/group';
import { runDir } from '../../engine/runs/store';
import { cliRuntime, resultOf, type CliRuntime } from '../client';
import { followJob } from '../follow-job';
import { command, oneRunId, shared } from '../args';
import type { CliIO } from '../io';

const usage =
  'oodlab export RUN|GROUP [--out DIR] [--format svg,png] [--scale 2]\n' +
  '  (default --out: the run or group folder itself; a group exports its mean ± std figures and summary.json)';

/** Starts the export job and waits for it; the exit code and what was written are printed. */
export async function runExport(
  rt: CliRuntime,
  io: CliIO,
  req: { runId: string; dir: string; formats: FigureFormat[]; scale?: number },
): Promise<ExportResult | null> {
  const end = await followJob(rt, io, await rt.api.invoke('report.export', req), { label: 'export ' });
  if (end.state !== 'done') {
    io.err(`export ${end.state}: ${end.error?.message ?? ''}`);
    return null;
  }
  return resultOf(end, ExportResult);
}

export const exportCommand = command({
  summary: 'Write a run’s figures (SVG/PNG), summary.json, training_history.json and a README into a folder',
  usage,
  options: { ...shared.out, format: { type: 'string', default: 'svg,png' }, scale: { type: 'string' } },
  positionals: true,
  async run({ values, positionals }, io) {
    const runId = oneRunId(positionals, usage);
    const formats = values.format.split(',').map((f) => FigureFormat.parse(f.trim()));
    const scale = values.scale ? Number(values.scale) : undefined;
    const rt = cliRuntime();
    if (await isGroup(rt.ctx.home, runId)) {
      const dir = resolve(values.out ?? groupFiles(rt.ctx.home, runId).dir);
      const g = await rt.api.invoke('cluster.export', { id: runId, dir, formats, scale });
      io.out(`Exported group ${runId}: ${g.figures.length} figures to ${g.dir}:`);
      listFiles(io, g);
      return 0;
    }
    const dir = resolve(values.out ?? runDir(rt.ctx.home, runId));
    const r = await runExport(rt, io, { runId, dir, formats, scale });
    if (!r) return 1;
    io.out(`Exported ${r.figures.length} figures to ${r.dir} in ${r.seconds.toFixed(1)} s:`);
    listFiles(io, r);
    return 0;
  },
});

function listFiles(io: CliIO, r: ExportResult): void {
  for (const f of r.files) io.out(`  ${f}`);
  for (const s of r.skipped) io.out(`  (skipped) ${s}`);
}
