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

/** The method each hyper-parameter belongs to. */
export const OOD_PARAM_OWNER: Record<keyof OodParams, OodMethod> = {
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
};
