// What the UI, the CLI and the engine share about the OOD methods without importing main/: the group each method
// belongs to (the OOD page lists them so) and which method owns each hyper-parameter (a slider or a re-score refits
// only the owner). The formulas, labels and grids live beside each method in main/engine/ood/.
import type { OodMethod, OodParams } from './ood';

export const OOD_GROUPS = ['logit', 'feature', 'distance', 'collapse'] as const;
export type OodGroup = (typeof OOD_GROUPS)[number];

export const OOD_GROUP_LABELS: Record<OodGroup, string> = {
  logit: 'Logit-based',
  feature: 'Feature-based',
  distance: 'Distance-based',
  collapse: 'Neural-Collapse based',
};

export const OOD_METHOD_GROUP: Record<OodMethod, OodGroup> = {
  msp: 'logit',
  maxlogit: 'logit',
  energy: 'logit',
  gen: 'logit',
  klm: 'logit',
  react: 'feature',
  dice: 'feature',
  scale: 'feature',
  ash: 'feature',
  gradnorm: 'feature',
  vim: 'feature',
  residual: 'feature',
  mahalanobis: 'distance',
  rmds: 'distance',
  knn: 'distance',
  nnguide: 'distance',
  she: 'distance',
  fdbd: 'distance',
  neco: 'collapse',
  nci: 'collapse',
  odin: 'logit',
};

/** Display names for pickers (the same as each method's label in main/engine/ood; a test keeps them equal). */
export const OOD_METHOD_LABELS: Record<OodMethod, string> = {
  msp: 'MSP',
  maxlogit: 'Max Logit',
  energy: 'Energy',
  gen: 'GEN',
  klm: 'KL-Matching',
  react: 'ReAct',
  dice: 'DICE',
  scale: 'SCALE',
  ash: 'ASH-B',
  gradnorm: 'GradNorm',
  vim: 'ViM',
  residual: 'Residual',
  mahalanobis: 'Mahalanobis',
  rmds: 'RMDS',
  knn: 'KNN',
  nnguide: 'NNGuide',
  she: 'SHE',
  fdbd: 'fDBD',
  neco: 'NECO',
  nci: 'NCI',
  odin: 'ODIN',
};

/** Methods that need the network itself (not just features): run only when asked for, on OODLab's own runs. */
export const OOD_NETWORK_METHODS: readonly OodMethod[] = ['odin'];

/**
 * The method each hyper-parameter belongs to: the one home of this fact. The registry (main/engine/ood/registry.ts)
 * lets a method's defaults and grid name only its own parameters (checked at compile time), a re-score refits the
 * owners of the parameters it is given (methodsFor), and the OOD page's sliders group by owner.
 */
export const OOD_PARAM_OWNER = {
  T: 'energy',
  D: 'vim',
  k: 'neco',
  knnK: 'knn',
  reactP: 'react',
  diceP: 'dice',
  scaleP: 'scale',
  ashP: 'ash',
  genGamma: 'gen',
  genM: 'gen',
  residualD: 'residual',
  fdbdCentred: 'fdbd',
  nnguideK: 'nnguide',
  nnguideAlpha: 'nnguide',
  nciAlpha: 'nci',
  odinT: 'odin',
  odinEps: 'odin',
} as const satisfies Record<keyof OodParams, OodMethod>;

/** The parameters method M owns (never for a method without any). */
export type OodParamOf<M extends OodMethod> = {
  [K in keyof OodParams]: (typeof OOD_PARAM_OWNER)[K] extends M ? K : never;
}[keyof OodParams];

/** The parameters `method` owns, in the order of the table (none for a name that is not a method). */
export function paramsOf(method: string): (keyof OodParams)[] {
  return (Object.keys(OOD_PARAM_OWNER) as (keyof OodParams)[]).filter((k) => OOD_PARAM_OWNER[k] === method);
}

/** Which methods a re-score with these parameters recomputes: the owner of each parameter given, only. */
export function methodsFor(params: OodParams): OodMethod[] {
  const out: OodMethod[] = [];
  for (const [key, v] of Object.entries(params))
    if (v !== undefined) {
      const m: OodMethod | undefined = OOD_PARAM_OWNER[key as keyof OodParams];
      if (m && !out.includes(m)) out.push(m);
    }
  return out;
}
