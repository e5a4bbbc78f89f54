import { describe, expect, it } from 'vitest';
import { buildFigure, buildFigures, describeFigure, figureDefs } from '../../../../common/charts';
import { history, nc, ood } from './fixtures';

describe('figure registry', () => {
  it('lists the nine figures of the seed study, per-set figures once per OOD set', () => {
    const ids = buildFigures({ history, ood, nc }, { animation: false }).map((f) => f.id);
    expect(ids).toEqual([
      'training-curves',
      'loss-accuracy',
      'ood-histograms-svhn',
      'ood-histograms-dtd',
      'roc-svhn',
      'roc-dtd',
      'auroc-heatmap',
      'nc-epochs',
      'cosine-heatmap',
      'pca-geometry',
      'layer-nc1',
    ]);
    expect(figureDefs).toHaveLength(10); // and ood-epochs, once `evaluate --epochs` has run
    for (const id of ids) expect(describeFigure(id)).toBeTruthy();
  });

  it('lists only what the data allow', () => {
    expect(buildFigures({ history }).map((f) => f.id)).toEqual(['training-curves', 'loss-accuracy']);
    expect(buildFigures({ nc: { ...nc, perEpoch: [], layers: [] } }).map((f) => f.id)).toEqual([
      'cosine-heatmap',
      'pca-geometry',
    ]);
    expect(buildFigures({})).toEqual([]);
  });

  it('finds one figure by id, or null', () => {
    expect(buildFigure({ ood }, 'roc-dtd')?.title).toBe('ROC curves (dtd)');
    expect(buildFigure({ ood }, 'roc-cifar10')).toBeNull();
  });

  it('every option is plain data (no functions): it survives structured cloning across IPC', () => {
    for (const f of buildFigures({ history, ood, nc }, { theme: 'dark' }))
      expect(structuredClone(f.option)).toEqual(f.option);
  });
});
