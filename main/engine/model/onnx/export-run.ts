// A run's checkpoint written as an ONNX file (the Runs page's "Export ONNX" button and `oodlab export-model`). An
// imported ONNX run exports the file it was imported from. The write is atomic; the file's sha256 is returned.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OodlabError } from '../../../../common/contract/errors';
import { ImportedModel, type ExportModelResult } from '../../../../common/contract/models';
import type { CheckpointRef } from '../../../../common/contract/ood';
import { checkpointName } from '../../../../common/contract/checkpoint-name';
import { writeFileAtomic } from '../../runs/atomic';
import { readManifest, runDir, runFiles } from '../../runs/store';
import { readCheckpointTensors } from '../checkpoint-plain';
import { importFile } from '../import/stage';
import { EXPORT_OPSET, exportResNetOnnx } from './export';
import { decodeModel, num } from './proto';

export async function exportRunOnnx(
  home: string,
  runId: string,
  checkpoint: CheckpointRef,
  out?: string,
  appVersion = '',
): Promise<ExportModelResult> {
  await readManifest(home, runId); // not_found for anything that is not a run
  const name = checkpointName(checkpoint);
  const file = resolve(out ?? join(runDir(home, runId), 'export', `model-${name}.onnx`));
  let bytes: Uint8Array;
  const rec = existsSync(importFile(home, runId))
    ? ImportedModel.parse(JSON.parse(await readFile(importFile(home, runId), 'utf8')))
    : null;
  if (rec?.format === 'onnx') {
    bytes = new Uint8Array(await readFile(join(runDir(home, runId), rec.file)));
  } else {
    const dir = runFiles(home, runId).checkpoint(checkpoint);
    if (!existsSync(join(dir, 'model.json')))
      throw new OodlabError('not_found', `Run ${runId} has no checkpoint ${name}.`);
    const ck = await readCheckpointTensors(dir);
    bytes = exportResNetOnnx(ck.weights, ck, {
      description: `OODLab run ${runId}, checkpoint ${name} (epoch ${ck.epoch})`,
      metadata: {
        'oodlab.run': runId,
        'oodlab.checkpoint': name,
        'oodlab.epoch': String(ck.epoch),
        ...(appVersion ? { 'oodlab.version': `OODLab ${appVersion}` } : {}),
      },
    });
  }
  await writeFileAtomic(file, bytes);
  const m = decodeModel(bytes);
  return {
    file,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    opset: num(m.opsetImport.find((o) => !o.domain)?.version ?? EXPORT_OPSET),
    outputs: (m.graph?.output ?? []).map((o) => o.name ?? ''),
  };
}
