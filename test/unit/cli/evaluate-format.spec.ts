// The evaluate table of the CLI: each set, then OpenOOD's group means (hand-checked against the sets' values);
// the --epochs table: one row per kept checkpoint, the mean AUROC over the sets per detector.
import { describe, expect, it } from 'vitest';
import type { OodEpochs } from '../../../common/contract/ood';
import { benchmarkGroups } from '../../../common/ood/groups';
import { formatOodEpochs, formatOodResults } from '../../../main/cli/commands/evaluate';
import { ood } from '../common/charts/fixtures';

describe('evaluate tables', () => {
  it('lists the far-OOD mean after the sets', () => {
    const text = formatOodResults({ ...ood, groups: benchmarkGroups('cifar100') });
    const m = ood.methods[0];
    const mean = ((m.datasets.svhn.metrics.auroc + m.datasets.dtd.metrics.auroc) / 2) * 100;
    const row = text.split('\n').find((l) => l.includes(m.label) && l.includes('far mean (svhn, dtd)'));
    expect(row).toContain(mean.toFixed(2));
    expect(text).not.toMatch(/near mean/);
    expect(formatOodResults(ood)).not.toMatch(/mean \(/);
  });

  it('prints one row per checkpoint', () => {
    const e: OodEpochs = {
      version: 1,
      runId: 'r',
      createdAt: '',
      methods: [{ method: 'msp', label: 'MSP' }],
      oodSets: ['svhn', 'dtd'],
      points: [1, 2].map((epoch) => ({
        epoch,
        checkpoint: `epoch-00${epoch}`,
        methods: {
          msp: { params: {}, auroc: { svhn: 0.5 + epoch / 10, dtd: 0.5 }, fpr95: { svhn: 0, dtd: 0 } },
        },
      })),
    };
    const lines = formatOodEpochs(e).split('\n');
    expect(lines.find((l) => l.includes('epoch-001'))).toContain('55.00');
    expect(lines.find((l) => l.includes('epoch-002'))).toContain('60.00');
  });
});
