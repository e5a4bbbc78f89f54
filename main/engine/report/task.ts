// The 'export' job: renders a run's figures and writes its export folder inside a worker thread, so the UI stays
// responsive while sharp rasterises.
import { z } from 'zod';
import { ExportRequest } from '../../../common/contract/report';
import type { TaskFn } from '../task';
import { exportRun } from './export';

export const ExportTaskParams = ExportRequest.extend({ appVersion: z.string().optional() });
export type ExportTaskParams = z.input<typeof ExportTaskParams>;

export const exportTask: TaskFn = async (params, ctx) => {
  const p = ExportTaskParams.parse(params);
  const r = await exportRun(ctx.home, p.runId, p.dir, {
    formats: p.formats,
    scale: p.scale,
    appVersion: p.appVersion,
    signal: ctx.signal,
    progress: (fraction, message) => ctx.progress({ fraction, message }),
  });
  ctx.log('info', `Exported ${r.figures.length} figures and ${r.files.length} files to ${r.dir}.`);
  return r;
};
