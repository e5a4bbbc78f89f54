import type { JobKind } from '../../common/contract';
import { OodlabError } from '../../common/contract';
import type { TaskFn } from '../engine/task';

/**
 * Job kind -> task, loaded lazily so a worker imports only the engine parts its job needs.
 * Each engine area registers its task here with one line; a job kind without a task does not compile.
 */
export const tasks: Record<JobKind, () => Promise<TaskFn>> = {
  selftest: async () => (await import('./selftest')).selftest,
  'datasets.download': async () => (await import('../engine/data/download-task')).downloadTask,
  'datasets.add': async () => (await import('../engine/data/custom/add-task')).addTask,
  train: async () => (await import('../engine/train/task')).trainTask,
  nc: async () => (await import('../engine/nc/task')).ncTask,
  ood: async () => (await import('../engine/ood/task')).oodTask,
  features: async () => (await import('../engine/features/task')).featuresTask,
  export: async () => (await import('../engine/report/task')).exportTask,
};

export async function loadTask(kind: JobKind): Promise<TaskFn> {
  // The kind arrives in a message from the job manager: checked at run time too.
  const load = tasks[kind] as (() => Promise<TaskFn>) | undefined;
  if (!load) throw new OodlabError('invalid_request', `No task is registered for job kind '${kind}'.`);
  return load();
}
