// A separate process that resumes one run through the API, as `oodlab train --resume` does; started several at once
// by test/unit/engine/runs/lock.spec.ts. Waits at a barrier (the file `go`) so that the processes really overlap.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobInfo } from '../../common/contract/jobs';
import { createRuntime } from '../../main/runtime';

const [home, runId, barrier, tag] = process.argv.slice(2);
const rt = createRuntime({ mode: 'browser', home });
writeFileSync(join(barrier, `ready-${tag}`), '');
while (!existsSync(join(barrier, 'go'))) await new Promise((r) => setTimeout(r, 5));
const res = await rt.api.call('train.resume', { runId });
process.stdout.write(JSON.stringify(res.error ? { error: res.error } : { ok: true }) + '\n');
if (!res.error) {
  const { job } = res.result as { job: JobInfo };
  await new Promise((r) => setTimeout(r, 2500)); // hold the run while the others try
  await rt.api.call('jobs.cancel', { id: job.id });
  await rt.jobs.wait(job.id);
}
await rt.jobs.shutdown();
