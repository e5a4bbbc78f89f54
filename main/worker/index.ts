import { parentPort, workerData } from 'node:worker_threads';
import { toErrorBody, OodlabError } from '../../common/contract';
import type { FromWorker, ToWorker, WorkerInput } from './protocol';
import { loadTask } from './tasks';
import type { TaskContext } from '../engine/task';

// Worker entry point: runs one job's task and reports through postMessage. Nothing else.
const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('main/worker/index must run inside a worker thread.');

const post = (m: FromWorker) => port.postMessage(m);
const abort = new AbortController();
port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') abort.abort();
});

const ctx: TaskContext = {
  jobId: input.jobId,
  home: input.home,
  signal: abort.signal,
  progress: (progress) => post({ type: 'progress', progress }),
  log: (level, message) => post({ type: 'log', level, message }),
  emit: (channel, payload) => post({ type: 'event', channel, payload }),
};

try {
  const task = await loadTask(input.kind);
  const result = await task(input.params, ctx);
  post({ type: 'done', result });
} catch (err) {
  if (err instanceof OodlabError && err.code === 'cancelled')
    post({ type: 'cancelled', result: err.message });
  else post({ type: 'error', error: toErrorBody(err) });
}
port.close();
