// Issue 18 item 17: the two centring conventions of Neural Collapse with imbalanced classes, against values worked
// by hand. Class 0: (0,-1), (2,-1), (1,2), mean (1,0); class 1: (1,4) alone. N = 4, C = 2.
//   Sw = [[2,0],[0,6]] / 4 = [[0.5,0],[0,1.5]].
//   sample:  global mean (1,1); M = [(0,-1), (0,3)]; Sb = diag(0, 5);  NC1 = Tr(Sw Sb^+)/C = (1.5/5)/2 = 0.15;
//            equinorm of M = std(1,3)/mean = 1/2 (population std).
//   classes: global mean (1,2); M = [(0,-2), (0,2)]; Sb = diag(0, 4);  NC1 = (1.5/4)/2 = 0.1875; equinorm 0.
//   W = [(0,-1), (0,3)]: equinorm 1/2 (population), sqrt(2)/2 (unbiased, the classes convention);
//   NC3 = ||W/|W| - M/|M| ||^2 = 0 for sample (M = W); 2 - 2 (1+3)/(sqrt(10) sqrt(2)) for classes.
import { describe, expect, it } from 'vitest';
import { computeNcMetrics, type NcInput } from '../../../../main/engine/nc/metrics';
import { NcAnalyzeRequest } from '../../../../common/contract/nc';

const features = Float32Array.from([0, -1, 2, -1, 1, 2, 1, 4]);
const labels = Int32Array.from([0, 0, 0, 1]);
const set = { features, labels, n: 4 };
const input: NcInput = {
  W: Float32Array.from([0, -1, 0, 3]),
  b: new Float32Array(2),
  C: 2,
  D: 2,
  idTrain: set,
  idTest: set,
};

describe('Neural Collapse centring conventions', () => {
  it('sample-weighted global mean (the default)', () => {
    const m = computeNcMetrics(input);
    expect(m.centring).toBe('sample');
    expect(m.nc1).toBeCloseTo(0.15, 12);
    expect(m.trSw).toBeCloseTo(2, 12);
    expect(m.nc2.equinormMeans).toBeCloseTo(0.5, 12);
    expect(m.nc2.equinormClassifier).toBeCloseTo(0.5, 12);
    expect(m.nc3).toBeCloseTo(0, 12);
  });

  it("mean of the class means, unbiased std in equinorm (Papyan et al.'s code)", () => {
    const m = computeNcMetrics({ ...input, centring: 'classes' });
    expect(m.centring).toBe('classes');
    expect(m.nc1).toBeCloseTo(0.1875, 12);
    expect(m.trSw).toBeCloseTo(2, 12); // Sw does not depend on the centring
    expect(m.nc2.equinormMeans).toBeCloseTo(0, 12);
    expect(m.nc2.equinormClassifier).toBeCloseTo(Math.SQRT2 / 2, 12);
    expect(m.nc3).toBeCloseTo(2 - (2 * 4) / (Math.sqrt(10) * Math.sqrt(2)), 12);
    // NCC does not depend on the centring: the same predictions either way
    expect(m.nccTrainAccuracy).toBe(computeNcMetrics(input).nccTrainAccuracy);
  });

  it('the request states the default and refuses anything else', () => {
    expect(NcAnalyzeRequest.parse({ runId: 'r' }).centring).toBe('sample');
    expect(NcAnalyzeRequest.safeParse({ runId: 'r', centring: 'median' }).success).toBe(false);
  });
});
