import { describe, expect, it } from 'vitest';
import type { LineSeriesOption } from 'echarts';
import { bestEpoch, lossAccuracyOption } from '../../../../common/charts/loss-accuracy';
import { trainingCurvesOption } from '../../../../common/charts/training-curves';
import { history } from './fixtures';

const series = (o: { series?: unknown }) => o.series as LineSeriesOption[];

describe('training curves', () => {
  it('plots every epoch of each quantity, accuracy in percent', () => {
    const s = series(trainingCurvesOption(history, { animation: false }));
    expect(s.map((x) => x.name)).toEqual(['train loss', 'test loss', 'train acc', 'test acc', 'lr']);
    expect(s[0].data).toEqual([
      [1, 1.05],
      [2, 0.7],
      [3, 0.4],
      [4, 0.25],
    ]);
    expect(s[3].data).toEqual([
      [1, 50],
      [2, 70],
      [3, 75],
      [4, 75],
    ]);
    expect((s[4].data as number[][]).map((p) => p[1])).toEqual([0.1, 0.0854, 0.05, 0.0146]);
    // each quantity in its own panel
    expect(s.map((x) => x.xAxisIndex)).toEqual([0, 0, 1, 1, 2]);
  });

  it('matches its snapshot', async () => {
    await expect(
      JSON.stringify(trainingCurvesOption(history, { animation: false }), null, 2),
    ).toMatchFileSnapshot('./__snapshots__/training-curves.json');
  });
});

describe('loss/accuracy', () => {
  it('marks the first epoch with the best test accuracy', () => {
    expect(bestEpoch(history)).toEqual({ epoch: 3, testAcc: 0.75 });
    const s = series(lossAccuracyOption(history));
    expect(s[1].markLine?.data).toEqual([{ xAxis: 3 }]);
    expect(s[0].data).toEqual([
      [1, 1.01],
      [2, 0.8],
      [3, 0.75],
      [4, 0.9],
    ]);
  });

  it('follows the theme and the animation switch', () => {
    const light = lossAccuracyOption(history, { theme: 'light', animation: false });
    const dark = lossAccuracyOption(history, { theme: 'dark' });
    expect(light.backgroundColor).toBe('#ffffff');
    expect(dark.backgroundColor).not.toBe(light.backgroundColor);
    expect(light.animation).toBe(false);
    expect(dark.animation).toBe(true);
  });

  it('matches its snapshot', async () => {
    await expect(
      JSON.stringify(lossAccuracyOption(history, { animation: false }), null, 2),
    ).toMatchFileSnapshot('./__snapshots__/loss-accuracy.json');
  });
});
