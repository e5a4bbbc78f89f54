// `oodlab export-model RUN`: a run's checkpoint as an ONNX file (outputs logits, features, layer1..layer4), through
// the same 'models.export' request as the Runs page's "Export ONNX" button.
import type { ExportModelResult } from '../../../common/contract/models';
import { checkpointArg, command, oneRunId, printResult, shared } from '../args';
import { cliRuntime, invokeArgs } from '../client';

export const exportModel = command({
  summary: 'Write a run’s checkpoint as an ONNX model (logits, features, layer1..layer4)',
  usage: 'oodlab export-model RUN [--checkpoint best|last|N] [--out FILE.onnx] [--json]',
  options: { ...shared.json, ...shared.checkpoint, ...shared.out },
  positionals: true,
  async run({ values, positionals }, io, usage) {
    const runId = oneRunId(positionals, usage);
    const r = await invokeArgs(cliRuntime().api, 'models.export', {
      runId,
      checkpoint: checkpointArg(values.checkpoint),
      out: values.out || undefined,
    });
    printResult(io, values.json, r, written);
    return 0;
  },
});

const written = (r: ExportModelResult) =>
  `Wrote ${r.file} (${(r.bytes / 2 ** 20).toFixed(1)} MiB, opset ${r.opset}, sha256 ${r.sha256})\n` +
  `  outputs: ${r.outputs.join(', ')}; input: N x 3 x 32 x 32, normalised with the data set's mean/std`;
