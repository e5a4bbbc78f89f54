// Method name -> factory, with each method's label, paper, group, defaults and sweep grid (they live beside the
// method; the search itself is in sweep.ts). Each hyper-parameter has its own name (common/contract/ood-methods.ts
// says which method owns it); params a method does not use are ignored, so one OodParams fits all twenty.
// ODIN is not here: it needs the network, not features (odin.ts, odin-run.ts).
import type { OodMethod, OodParams } from '../../../common/contract/ood';
import { OOD_METHOD_GROUP, type OodGroup } from '../../../common/contract/ood-methods';
import { ashSpec, createAsh } from './ash';
import type { Detector } from './detector';
import { createDice, diceSpec } from './dice';
import { createEnergy, energySpec } from './energy';
import { createFdbd, fdbdSpec } from './fdbd';
import { createGen, genSpec } from './gen';
import { createGradNorm, gradnormSpec } from './gradnorm';
import { createKlm, klmSpec } from './klm';
import { createKnn, knnSpec } from './knn';
import { createMahalanobis, mahalanobisSpec } from './mahalanobis';
import { createMaxLogit, maxlogitSpec } from './maxlogit';
import { createMsp, mspSpec } from './msp';
import { createNci, nciSpec } from './nci';
import { createNeco, necoSpec } from './neco';
import { createNnguide, nnguideSpec } from './nnguide';
import { createReact, reactSpec } from './react';
import { createResidual, residualSpec } from './residual';
import { createRmds, rmdsSpec } from './rmds';
import { createScale, scaleSpec } from './scale';
import { createShe, sheSpec } from './she';
import { createVim, vimSpec } from './vim';

export interface MethodEntry {
  label: string;
  paper: string;
  group: OodGroup;
  defaults: Partial<Record<keyof OodParams, number>>;
  grid: Partial<Record<keyof OodParams, number[]>>;
  create(p: OodParams): Detector;
}

/** The methods computed from features (every OodMethod but the network-based ODIN). */
export type FeatureMethod = Exclude<OodMethod, 'odin'>;

const entries: Record<FeatureMethod, Omit<MethodEntry, 'group'>> = {
  msp: { ...mspSpec, create: () => createMsp() },
  maxlogit: { ...maxlogitSpec, create: () => createMaxLogit() },
  energy: { ...energySpec, create: (p) => createEnergy({ T: p.T }) },
  mahalanobis: { ...mahalanobisSpec, create: () => createMahalanobis() },
  vim: { ...vimSpec, create: (p) => createVim({ D: p.D }) },
  neco: { ...necoSpec, create: (p) => createNeco({ k: p.k }) },
  knn: { ...knnSpec, create: (p) => createKnn(p) },
  react: { ...reactSpec, create: (p) => createReact(p) },
  dice: { ...diceSpec, create: (p) => createDice(p) },
  scale: { ...scaleSpec, create: (p) => createScale(p) },
  ash: { ...ashSpec, create: (p) => createAsh(p) },
  gen: { ...genSpec, create: (p) => createGen(p) },
  klm: { ...klmSpec, create: () => createKlm() },
  rmds: { ...rmdsSpec, create: () => createRmds() },
  she: { ...sheSpec, create: () => createShe() },
  residual: { ...residualSpec, create: (p) => createResidual(p) },
  fdbd: { ...fdbdSpec, create: (p) => createFdbd(p) },
  nnguide: { ...nnguideSpec, create: (p) => createNnguide(p) },
  gradnorm: { ...gradnormSpec, create: () => createGradNorm() },
  nci: { ...nciSpec, create: (p) => createNci(p) },
};

export const methods = Object.fromEntries(
  Object.entries(entries).map(([m, e]) => [m, { ...e, group: OOD_METHOD_GROUP[m as OodMethod] }]),
) as Record<FeatureMethod, MethodEntry>;

export const methodNames = Object.keys(methods) as FeatureMethod[];

export const isFeatureMethod = (m: OodMethod): m is FeatureMethod => m in methods;

export function createDetector(name: FeatureMethod, p: OodParams = {}): Detector {
  return methods[name].create(p);
}
