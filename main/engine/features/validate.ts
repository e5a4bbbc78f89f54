// Checks of a feature folder's values, done once where the folder is read so that evaluate and analyze refuse the
// same inputs the same way: a NaN or an infinity (a diverged network, a bad export) would otherwise flow into the
// metrics and come out as a plausible number (orthogonality 0, "all class means coincide"); a label outside
// 0..C-1 would be counted as a misclassification. Each message names the file and the first bad row.
import { OodlabError } from '../../../common/contract/errors';

/** Refuses the first non-finite value of a rows x cols array. */
export function requireFinite(data: ArrayLike<number>, cols: number, file: string): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) {
      const row = cols > 0 ? Math.floor(i / cols) : 0;
      throw new OodlabError(
        'invalid_request',
        `${file}: row ${row}${cols > 1 ? `, column ${i % cols}` : ''} holds ${data[i]}; features, logits and ` +
          'weights must be finite numbers (check the model or the export that wrote them).',
      );
    }
}

/** Refuses the first label outside 0..classes-1. */
export function requireLabels(labels: Int32Array, classes: number, file: string): void {
  for (let i = 0; i < labels.length; i++)
    if (!(labels[i] >= 0 && labels[i] < classes))
      throw new OodlabError(
        'invalid_request',
        `${file}: row ${i} holds label ${labels[i]}, outside 0..${classes - 1} (fc_weight.npy has ${classes} classes).`,
      );
}
