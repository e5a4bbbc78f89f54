// GEN: Generalized ENtropy. Liu, Lochman & Zach, "GEN: Pushing the Limits of Softmax-Based Out-of-Distribution
// Detection", CVPR 2023 (OpenOOD `gen_postprocessor.py`).
//   p = softmax(logits); p_(1) >= ... the M largest probabilities (M clamped to the number of classes)
//   score(x) = -sum_{top M} p^gamma (1 - p)^gamma
import { defineDetector, perRow, type Detector } from './detector';
import { softmaxRow } from './shaping';

export const genSpec = {
  label: 'GEN',
  paper: 'Liu et al., CVPR 2023',
  defaults: { genGamma: 0.1, genM: 100 },
  grid: { genGamma: [0.01, 0.1, 0.5, 1, 2, 5, 10], genM: [10, 50, 100, 200, 500, 1000] },
};

export function createGen(p: { genGamma?: number; genM?: number } = {}): Detector {
  const gamma = p.genGamma ?? genSpec.defaults.genGamma;
  const requested = p.genM ?? genSpec.defaults.genM;
  if (!(gamma > 0)) throw new RangeError(`GEN: gamma must be positive (got ${gamma}).`);
  const params = { genGamma: gamma, genM: requested };
  return defineDetector(
    'gen',
    params,
    (t) => {
      params.genM = Math.max(1, Math.min(Math.round(requested), t.classes));
      return {};
    },
    (b, { C }) => {
      const M = params.genM;
      const pr = new Float64Array(C);
      return perRow(b.n, (i) => {
        softmaxRow(b.logits, i, C, pr);
        if (M < C) pr.sort(); // the top M; with M = C every probability counts, in any order
        let s = 0;
        for (let c = C - M; c < C; c++) s += pr[c] ** gamma * (1 - pr[c]) ** gamma;
        return -s;
      });
    },
  );
}
