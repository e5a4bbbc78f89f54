// Method name -> factory, with each method's label, paper, group, defaults and sweep grid (they live beside the
// method; the search itself is in sweep.ts). Each hyper-parameter has its own name, and common/contract/ood-methods.ts
// alone says which method owns it: a method's defaults and grid may name only its own parameters (entry() fails to
// compile otherwise); params a method does not use are ignored, so one OodParams fits all twenty.
// ODIN is not here: it needs the network, not features (odin.ts, odin-run.ts).
import type { OodMethod, OodParams } from '../../../common/contract/ood';
import { OOD_METHOD_GROUP, type OodGroup, type OodParamOf } from '../../../common/contract/ood-methods';
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

/** Keys of T that method M does not own: mapped to never, so naming one is a type error. */
type Foreign<M extends FeatureMethod, T> = { [K in Exclude<keyof T, OodParamOf<M>>]: never };

interface Spec<D, G> {
  label: string;
  paper: string;
  defaults: D;
  grid: G;
}

function entry<M extends FeatureMethod, D extends object, G extends object>(
  _method: M,
  spec: Spec<D & Foreign<M, D>, G & Foreign<M, G>>,
  create: (p: OodParams) => Detector,
): Omit<MethodEntry, 'group'> {
  return { ...spec, create };
}

const entries: Record<FeatureMethod, Omit<MethodEntry, 'group'>> = {
  msp: entry('msp', mspSpec, () => createMsp()),
  maxlogit: entry('maxlogit', maxlogitSpec, () => createMaxLogit()),
  energy: entry('energy', energySpec, (p) => createEnergy({ T: p.T })),
  mahalanobis: entry('mahalanobis', mahalanobisSpec, () => createMahalanobis()),
  vim: entry('vim', vimSpec, (p) => createVim({ D: p.D })),
  neco: entry('neco', necoSpec, (p) => createNeco({ k: p.k })),
  knn: entry('knn', knnSpec, (p) => createKnn(p)),
  react: entry('react', reactSpec, (p) => createReact(p)),
  dice: entry('dice', diceSpec, (p) => createDice(p)),
  scale: entry('scale', scaleSpec, (p) => createScale(p)),
  ash: entry('ash', ashSpec, (p) => createAsh(p)),
  gen: entry('gen', genSpec, (p) => createGen(p)),
  klm: entry('klm', klmSpec, () => createKlm()),
  rmds: entry('rmds', rmdsSpec, () => createRmds()),
  she: entry('she', sheSpec, () => createShe()),
  residual: entry('residual', residualSpec, (p) => createResidual(p)),
  fdbd: entry('fdbd', fdbdSpec, (p) => createFdbd(p)),
  nnguide: entry('nnguide', nnguideSpec, (p) => createNnguide(p)),
  gradnorm: entry('gradnorm', gradnormSpec, () => createGradNorm()),
  nci: entry('nci', nciSpec, (p) => createNci(p)),
};

export const methods = Object.fromEntries(
  Object.entries(entries).map(([m, e]) => [m, { ...e, group: OOD_METHOD_GROUP[m as OodMethod] }]),
) as Record<FeatureMethod, MethodEntry>;

export const methodNames = Object.keys(methods) as FeatureMethod[];

export const isFeatureMethod = (m: OodMethod): m is FeatureMethod => m in methods;

export function createDetector(name: FeatureMethod, p: OodParams = {}): Detector {
  return methods[name].create(p);
}
