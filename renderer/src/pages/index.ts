import type { Component } from 'svelte';
import Datasets from './Datasets.svelte';
import Train from './Train.svelte';
import Ood from './Ood.svelte';
import Collapse from './Collapse.svelte';
import Runs from './Runs.svelte';
import System from './System.svelte';

export type PageId = 'datasets' | 'train' | 'ood' | 'collapse' | 'runs' | 'system';

export const pages: { id: PageId; title: string; component: Component }[] = [
  { id: 'datasets', title: 'Datasets', component: Datasets },
  { id: 'train', title: 'Train', component: Train },
  { id: 'ood', title: 'OOD', component: Ood },
  { id: 'collapse', title: 'Collapse', component: Collapse },
  { id: 'runs', title: 'Runs', component: Runs },
  { id: 'system', title: 'System', component: System },
];
