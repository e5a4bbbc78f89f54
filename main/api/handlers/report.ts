import { resolve } from 'node:path';
import { buildFigure } from '../../../common/charts';
import { OodlabError } from '../../../common/contract/errors';
import type { reportRequests } from '../../../common/contract/report';
import { loadRunData } from '../../engine/report/inputs';
import { backgroundOf, renderSvg, svgToPng } from '../../engine/report/render';
import { buildSummary, summaryPath, writeSummary } from '../../engine/report/summary';
import type { ExportTaskParams } from '../../engine/report/task';
import { readManifest } from '../../engine/runs/store';
import type { Handlers } from '../table';

export const reportHandlers: Handlers<keyof typeof reportRequests> = {
  'report.summary': async (req, ctx) => {
    const summary = await buildSummary(ctx.home, req.runId, { appVersion: ctx.appVersion });
    await writeSummary(summaryPath(ctx.home, req.runId), summary);
    return summary;
  },

  'report.export': async (req, ctx) => {
    await readManifest(ctx.home, req.runId); // not_found before a job is started for nothing
    const params: ExportTaskParams = { ...req, dir: resolve(req.dir), appVersion: ctx.appVersion };
    return ctx.jobs.start({ kind: 'export', title: `Export ${req.runId}`, params, runId: req.runId });
  },

  'report.figure': async (req, ctx) => {
    const d = await loadRunData(ctx.home, req.runId);
    const f = buildFigure(d, req.figure, { theme: req.theme, animation: false });
    if (!f) throw new OodlabError('not_found', `Run ${req.runId} has no figure '${req.figure}' (yet).`);
    const svg = renderSvg(f.option, f);
    if (req.format === 'svg') return { figure: f.id, format: 'svg', mime: 'image/svg+xml', data: svg };
    const png = await svgToPng(svg, { scale: req.scale, background: backgroundOf(f.option) });
    return {
      figure: f.id,
      format: 'png',
      mime: 'image/png',
      data: `data:image/png;base64,${png.toString('base64')}`,
    };
  },
};
