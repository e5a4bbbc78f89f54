// How many classes a run's model has and what its data is called: the training history knows (it records the
// classes of the set it trained on, built-in or added); before the first epoch, the config's set tells.
import type { RunDetail } from '../../../common/contract/runs';

const NAMES: Record<string, [string, number]> = { cifar100: ['CIFAR-100', 100], cifar10: ['CIFAR-10', 10] };

export function numClassesOf(d: Pick<RunDetail, 'config' | 'history'>): number {
  if (d.history) return d.history.config.numClasses;
  if (d.config.dataset === 'synthetic') return d.config.synthetic?.classes ?? 10;
  return NAMES[d.config.dataset]?.[1] ?? 100;
}

export function dataLabelOf(d: Pick<RunDetail, 'config' | 'history'>): string {
  const c = d.config;
  if (c.dataset === 'synthetic') return `synthetic, ${c.synthetic?.classes} classes`;
  return NAMES[c.dataset]?.[0] ?? `${c.dataset} (${numClassesOf(d)} classes)`;
}
