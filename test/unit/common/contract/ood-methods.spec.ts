// The owner table of the OOD hyper-parameters: a re-score refits the owner of each parameter given and nothing else,
// and each method's own parameters are read from the same table.
import { describe, expect, it } from 'vitest';
import { OodParams } from '../../../../common/contract/ood';
import { methodsFor, OOD_PARAM_OWNER, paramsOf } from '../../../../common/contract/ood-methods';

describe('OOD parameter owners', () => {
  it('name every parameter of the contract once', () => {
    expect(Object.keys(OOD_PARAM_OWNER).sort()).toEqual(Object.keys(OodParams.shape).sort());
  });

  it('give each method its own parameters only', () => {
    expect(paramsOf('gen')).toEqual(['genGamma', 'genM']);
    expect(paramsOf('nnguide')).toEqual(['nnguideK', 'nnguideAlpha']);
    expect(paramsOf('energy')).toEqual(['T']);
    expect(paramsOf('msp')).toEqual([]);
    expect(paramsOf('not-a-method')).toEqual([]);
  });

  it('refit only the owner of each parameter given', () => {
    expect(methodsFor({ knnK: 100 })).toEqual(['knn']);
    expect(methodsFor({ genGamma: 1, genM: 10 })).toEqual(['gen']);
    expect(methodsFor({ T: 2, odinEps: 0.001 })).toEqual(['energy', 'odin']);
    expect(methodsFor({ T: undefined })).toEqual([]);
    expect(methodsFor({})).toEqual([]);
  });
});
