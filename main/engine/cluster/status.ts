// Where a group stands: each task's SLURM state (from the controller, else accounting) beside its training progress
// read from the run folder, the tail of the log of a failed task, and the group's summary once aggregated. When
// SLURM cannot be asked (no commands here, job forgotten), a finished run still says 'completed'.
import { readFile } from 'node:fs/promises';
import type { Group, GroupStatus, TaskState, TaskStatus } from '../../../common/contract/cluster';
import { GroupSummary } from '../../../common/contract/cluster';
import { listRuns } from '../runs/store';
import { groupFiles } from './group';
import { foldState } from './slurm-parse';
import type { Slurm } from './slurm';

const LOG_TAIL_LINES = 20;

export async function logTail(path: string, lines = LOG_TAIL_LINES): Promise<string | null> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return null;
  }
}

export async function readGroupSummary(home: string, id: string): Promise<GroupSummary | null> {
  try {
    return GroupSummary.parse(JSON.parse(await readFile(groupFiles(home, id).summary, 'utf8')));
  } catch {
    return null;
  }
}

/** The group's state: completed when every task is, failed or cancelled when any is, else the least advanced. */
export function overallState(states: TaskState[]): TaskState {
  if (!states.length) return 'unknown';
  if (states.every((s) => s === 'completed')) return 'completed';
  for (const s of ['failed', 'cancelled', 'running', 'requeued', 'pending'] as const)
    if (states.includes(s)) return s;
  return 'unknown';
}

export async function groupStatus(home: string, g: Group, slurm: Slurm): Promise<GroupStatus> {
  const runs = new Map((await listRuns(home)).map((m) => [m.id, m]));
  const { records, note } = g.jobId
    ? await slurm.taskStates(g.jobId)
    : { records: [], note: 'not submitted (dry run)' };
  const tasks: TaskStatus[] = [];
  for (const t of g.tasks) {
    const rec = records.find((r) => r.task === t.index);
    const m = runs.get(t.runId);
    const run = m
      ? { state: m.state, epochs: m.epochs, epochsDone: m.epochsDone, bestTestAcc: m.bestTestAcc }
      : null;
    let state: TaskState = rec ? foldState(rec.slurmState, rec.restarts) : 'unknown';
    // SLURM's word is final only for a finished task; forgotten jobs are judged by their run folder.
    if (!rec && g.jobId && m?.state === 'done') state = 'completed';
    if (!rec && g.jobId && m && (m.state === 'failed' || m.state === 'interrupted')) state = 'failed';
    const slurmId = g.jobId ? `${g.jobId}_${t.index}` : null;
    const failed = state === 'failed' || m?.state === 'failed';
    tasks.push({
      ...t,
      slurmId,
      state,
      slurmState: rec?.slurmState ?? null,
      reason: rec?.reason ?? (m?.state === 'failed' ? (m.error?.message ?? null) : null),
      restarts: rec?.restarts ?? null,
      run,
      logTail: failed && g.jobId ? await logTail(groupFiles(home, g.id).log(g.jobId, t.index)) : null,
    });
  }
  return {
    group: g,
    state: overallState(tasks.map((t) => t.state)),
    tasks,
    slurm: records.length ? null : note,
    summary: await readGroupSummary(home, g.id),
  };
}
