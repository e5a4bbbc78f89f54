// Energy score (EBO): the negative free energy of the logits at temperature T. Liu, Wang, Owens & Li,
// "Energy-based Out-of-distribution Detection", NeurIPS 2020 (OpenOOD `ebo_postprocessor.py`).
//   score(x) = T * logsumexp(logits / T)          (= -E(x; T); higher = more ID)
import { defineDetector, logSumExp, nothingToLearn, type Detector } from './detector';

export const energySpec = {
  label: 'Energy',
  paper: 'Liu et al., NeurIPS 2020',
  defaults: { T: 1 },
  grid: { T: [0.5, 1, 2, 5, 10, 100] },
};

export function createEnergy(p: { T?: number } = {}): Detector {
  const T = p.T ?? energySpec.defaults.T;
  if (!(T > 0)) throw new RangeError(`Energy: the temperature T must be positive (got ${T}).`);
  return defineDetector('energy', { T }, nothingToLearn, (b, { C }) => logSumExp(b.logits, b.n, C, T));
}
