// Method name -> factory, with each method's label, paper, defaults and sweep grid (they live beside the method;
// the search itself is in sweep.ts). Params a method does not use are ignored, so one {T, D, k} fits all six.
import type { OodMethod, OodParams } from '../../../common/contract/ood';
import type { Detector } from './detector';
import { createEnergy, energySpec } from './energy';
import { createMahalanobis, mahalanobisSpec } from './mahalanobis';
import { createMaxLogit, maxlogitSpec } from './maxlogit';
import { createMsp, mspSpec } from './msp';
import { createNeco, necoSpec } from './neco';
import { createVim, vimSpec } from './vim';

export interface MethodEntry {
  label: string;
  paper: string;
  defaults: Partial<Record<keyof OodParams, number>>;
  grid: Partial<Record<keyof OodParams, number[]>>;
  create(p: OodParams): Detector;
}

export const methods: Record<OodMethod, MethodEntry> = {
  msp: { ...mspSpec, create: () => createMsp() },
  maxlogit: { ...maxlogitSpec, create: () => createMaxLogit() },
  energy: { ...energySpec, create: (p) => createEnergy({ T: p.T }) },
  mahalanobis: { ...mahalanobisSpec, create: () => createMahalanobis() },
  vim: { ...vimSpec, create: (p) => createVim({ D: p.D }) },
  neco: { ...necoSpec, create: (p) => createNeco({ k: p.k }) },
};

export const methodNames = Object.keys(methods) as OodMethod[];

export function createDetector(name: OodMethod, p: OodParams = {}): Detector {
  return methods[name].create(p);
}
