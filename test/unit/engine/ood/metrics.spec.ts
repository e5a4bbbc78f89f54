// Metrics against hand-worked examples (ties included) and the two FPR@95 conventions.
import { describe, expect, it } from 'vitest';
import { computeMetrics, histograms, rocPoints } from '../../../../main/engine/ood/metrics';

describe('OOD metrics', () => {
  // ID = [4, 3, 3, 1], OOD = [3, 2, 0]; the ID 3s tie with the OOD 3. Worked by hand:
  // ROC points (0,0) (0,1/4) (1/3,3/4) (2/3,3/4) (2/3,1) (1,1); Mann-Whitney: (3 + 2.5 + 2.5 + 1) / 12 = 0.75.
  const m = computeMetrics([4, 3, 3, 1], [3, 2, 0]);
  it('AUROC counts a tie as one half', () => expect(m.auroc).toBeCloseTo(0.75, 12));
  it('classic FPR@95: OOD accepted at the first threshold accepting 95% of ID', () =>
    expect(m.fpr95).toBeCloseTo(2 / 3, 12));
  it("OpenOOD's FPR@95: ID rejected at the first threshold rejecting 95% of OOD", () =>
    expect(m.fpr95OpenOOD).toBeCloseTo(3 / 4, 12));
  it('AUPR-In and AUPR-Out are average precision', () => {
    expect(m.auprIn).toBeCloseTo(0.25 * 1 + 0.5 * (3 / 4) + 0.25 * (4 / 6), 12);
    expect(m.auprOut).toBeCloseTo((1 / 3) * 1 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 6), 12);
  });
  it('detection error is the best balanced error', () =>
    expect(m.detectionError).toBeCloseTo((0.25 + 1 / 3) / 2, 12));

  it('perfectly separated scores give AUROC 1 and FPR@95 0; swapped give AUROC 0', () => {
    const good = computeMetrics([2, 3, 4], [0, 1]);
    expect([good.auroc, good.fpr95, good.fpr95OpenOOD, good.auprIn, good.auprOut]).toEqual([1, 0, 0, 1, 1]);
    const bad = computeMetrics([0, 1], [2, 3, 4]);
    expect(bad.auroc).toBe(0);
    expect(bad.fpr95).toBe(1);
  });

  it('all scores tied: AUROC 1/2, everything accepted together', () => {
    const t = computeMetrics([1, 1, 1], [1, 1]);
    expect(t.auroc).toBe(0.5);
    expect(t.fpr95).toBe(1);
  });

  it('agrees with the O(n^2) pair count on random scores with many ties', () => {
    const id = Array.from({ length: 300 }, (_, i) => (i * 7919) % 41);
    const ood = Array.from({ length: 200 }, (_, i) => ((i * 104729) % 37) - 5);
    let u = 0;
    for (const a of id) for (const o of ood) u += a > o ? 1 : a === o ? 0.5 : 0;
    expect(computeMetrics(id, ood).auroc).toBeCloseTo(u / (id.length * ood.length), 12);
  });

  it('ROC points are thinned but keep both ends', () => {
    const id = Array.from({ length: 5000 }, (_, i) => i);
    const ood = Array.from({ length: 5000 }, (_, i) => i - 1000.5);
    const r = rocPoints(id, ood, 100);
    expect(r.fpr.length).toBeLessThanOrEqual(100);
    expect([r.fpr[0], r.tpr[0]]).toEqual([0, 0]);
    expect([r.fpr.at(-1), r.tpr.at(-1)]).toEqual([1, 1]);
  });

  it('histograms share bins across ID and OOD sets', () => {
    const h = histograms([0, 1, 2, 3], { a: [3, 3], b: [-1] }, 4);
    expect(h.edges).toEqual([-1, 0, 1, 2, 3]);
    expect(h.id).toEqual([0, 1, 1, 2]);
    expect(h.ood).toEqual({ a: [0, 0, 0, 2], b: [1, 0, 0, 0] });
  });

  it('keeps one extreme score from squashing the bins: it lands in an end bin', () => {
    const id = Array.from({ length: 1000 }, (_, i) => i / 1000); // 0 .. 0.999
    const h = histograms(id, { far: [-2.5e10] }, 10);
    // 0.5% quantile of the 1001 pooled scores is 0.004, 99.5% is 0.994: bins stay ~0.1 wide.
    expect(h.edges[0]).toBeCloseTo(0.004, 12);
    expect(h.edges[10]).toBeCloseTo(0.994, 12);
    expect(h.ood.far).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(h.id.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  // OpenOOD's AUPR: sklearn.metrics.auc(recall, precision) over precision_recall_curve. Values printed by
  // scikit-learn 1.2.1 (python3-sklearn) for these exact inputs; the first is also worked by hand:
  // points (0,1) (1/4,1) (3/4,3/4) (3/4,3/5) (1,4/6): 1/4 + 1/2 * 7/8 + 0 + 1/4 * (3/5 + 2/3)/2 = 0.8458333...
  it("OpenOOD's trapezoid AUPR-In/Out equal scikit-learn's auc(recall, precision)", () => {
    const cases: [number[], number[], number, number][] = [
      [[4, 3, 3, 1], [3, 2, 0], 0.8458333333333333, 0.7222222222222221],
      [
        [0.3, 0.9, 0.1, 0.5, 0.5, 0.7, 0.2],
        [0.5, 0.05, 0.4, 0.9, 0.15],
        0.6469851576994433,
        0.5827777777777778,
      ],
      [[1, 1, 1], [1, 1], 0.8, 0.7],
    ];
    for (const [id, ood, inTrapz, outTrapz] of cases) {
      const r = computeMetrics(id, ood);
      expect(r.auprInTrapz).toBeCloseTo(inTrapz, 12);
      expect(r.auprOutTrapz).toBeCloseTo(outTrapz, 12);
    }
    expect(m.auprInTrapz).toBeCloseTo(0.25 + 0.5 * 0.875 + (0.25 * (3 / 5 + 4 / 6)) / 2, 12);
  });
});
