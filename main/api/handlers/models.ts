import type { modelsRequests } from '../../../common/contract/models';
import { importModel, inspectModel } from '../../engine/model/import';
import { exportRunOnnx } from '../../engine/model/onnx/export-run';
import type { Handlers } from '../table';

export const modelsHandlers: Handlers<keyof typeof modelsRequests> = {
  'models.inspect': async (req) => inspectModel(req.path, req.inputSize),

  'models.import': async (req, ctx) => {
    const r = await importModel(ctx.home, req);
    ctx.bus.emit('run.update', r.run);
    return r;
  },

  'models.export': async (req, ctx) =>
    exportRunOnnx(ctx.home, req.runId, req.checkpoint, req.out, ctx.appVersion),
};
