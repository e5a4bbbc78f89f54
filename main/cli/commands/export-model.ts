// `oodlab export-model RUN`: a run's checkpoint as an ONNX file (outputs logits, features, layer1..layer4), through
// the same 'models.export' request as the Runs page's "Export ONNX" button.
import { parseArgs } from 'node:util';
import type { ExportModelResult } from '../../../common/contract/models';
import { createRuntime } from '../../runtime';
import type { Command } from '../io';

const usage = 'oodlab export-model RUN [--checkpoint best|last|N] [--out FILE.onnx] [--json]';

export const exportModel: Command = {
  summary: 'Write a run’s checkpoint as an ONNX model (logits, features, layer1..layer4)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        checkpoint: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 1) throw new Error(`give one run id\nusage: ${usage}`);
    const cp = values.checkpoint;
    const rt = createRuntime({ mode: 'browser' });
    const res = await rt.api.call('models.export', {
      runId: positionals[0],
      ...(cp ? { checkpoint: /^\d+$/.test(cp) ? Number(cp) : cp } : {}),
      ...(values.out ? { out: values.out } : {}),
    });
    if (res.error) {
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    const r = res.result as ExportModelResult;
    if (values.json) io.out(JSON.stringify(r, null, 2));
    else {
      io.out(`Wrote ${r.file} (${(r.bytes / 2 ** 20).toFixed(1)} MiB, opset ${r.opset}, sha256 ${r.sha256})`);
      io.out(
        `  outputs: ${r.outputs.join(', ')}; input: N x 3 x 32 x 32, normalised with the data set's mean/std`,
      );
    }
    return 0;
  },
};
