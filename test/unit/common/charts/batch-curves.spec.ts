import { describe, expect, it } from 'vitest';
import { batchCurvesOption, emaLoss } from '../../../../common/charts/batch-curves';

const pts = (losses: number[]) => losses.map((loss, i) => ({ x: (i + 1) / 4, loss, lr: 0.1 }));

describe('batch-curves', () => {
  it('bias-corrects the moving average (hand-worked, beta 0.5)', () => {
    // m1 = 0.5*4 = 2 -> 2/(1-0.5) = 4; m2 = 0.5*2 + 0.5*2 = 2 -> 2/(1-0.25) = 8/3;
    // m3 = 0.5*2 + 0.5*1 = 1.5 -> 1.5/(1-0.125) = 12/7.
    const ema = emaLoss(pts([4, 2, 1]), 0.5);
    expect(ema[0]).toBeCloseTo(4, 12);
    expect(ema[1]).toBeCloseTo(8 / 3, 12);
    expect(ema[2]).toBeCloseTo(12 / 7, 12);
    // A constant loss stays exactly that constant from the first point.
    expect(emaLoss(pts([3, 3, 3]))).toEqual([3, 3, 3].map((v) => expect.closeTo(v, 12)));
  });

  it('plots raw loss, its average and the learning rate on a second axis', () => {
    const o = batchCurvesOption(pts([2, 1]));
    const series = o.series as { name: string; yAxisIndex?: number; data: [number, number][] }[];
    expect(series.map((s) => s.name)).toEqual(['batch loss', 'moving average', 'learning rate']);
    expect(series[0].data).toEqual([
      [0.25, 2],
      [0.5, 1],
    ]);
    expect(series[2].yAxisIndex).toBe(1);
    expect(batchCurvesOption([]).series).toHaveLength(3);
  });
});
