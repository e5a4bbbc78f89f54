// SGD against PyTorch's update rule worked out by hand in float64 (momentum, Nesterov, weight decay).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../../main/engine/backend';
import { Sgd } from '../../../../main/engine/train/sgd';

beforeAll(async () => {
  await initBackend('cpu');
});

function reference(
  p0: number[],
  grads: number[][],
  lr: number[],
  mom: number,
  wd: number,
  nesterov: boolean,
): number[] {
  const p = p0.slice();
  const buf = p.map(() => 0);
  grads.forEach((g, t) => {
    for (let i = 0; i < p.length; i++) {
      const d = g[i] + wd * p[i];
      buf[i] = t === 0 ? d : mom * buf[i] + d; // torch: buf = d on the first step
      const step = nesterov ? d + mom * buf[i] : buf[i];
      p[i] -= lr[t] * step;
    }
  });
  return p;
}

describe('Sgd', () => {
  for (const nesterov of [false, true]) {
    it(`follows torch.optim.SGD (nesterov ${nesterov}, weight decay, changing lr)`, async () => {
      const p0 = [0.5, -1.25, 2];
      const grads = [
        [0.1, 0.2, -0.3],
        [-0.4, 0.05, 0.6],
        [0.3, -0.2, 0.1],
      ];
      const lrs = [0.1, 0.05, 0.2];
      const v = tf.variable(tf.tensor1d(p0));
      const opt = new Sgd({ lr: 0, momentum: 0.9, nesterov, weightDecay: 5e-4 });
      for (let t = 0; t < grads.length; t++) {
        opt.lr = lrs[t];
        const g = tf.tensor1d(grads[t]);
        opt.apply([{ name: 'w', variable: v }], new Map([['w', g]]));
        g.dispose();
      }
      const got = await v.data();
      const want = reference(p0, grads, lrs, 0.9, 5e-4, nesterov);
      want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 6));
      expect(opt.steps).toBe(3);
      opt.dispose();
      v.dispose();
    });
  }

  it('rejects Nesterov without momentum', () => {
    expect(() => new Sgd({ lr: 0.1, momentum: 0, nesterov: true, weightDecay: 0 })).toThrow(/Nesterov/);
  });
});
