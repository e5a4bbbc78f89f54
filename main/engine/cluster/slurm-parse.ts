// Reading SLURM's answers: `sbatch --parsable`, `scontrol show job -o` (one line per job record, pending array
// tasks still folded into ranges such as "1-3%1") and `sacct -P` (for jobs the controller has forgotten). Pure
// functions over text, so the states a user sees are tested against SLURM's own output formats.
import type { TaskState } from '../../../common/contract/cluster';

export interface SlurmTaskRecord {
  task: number;
  slurmState: string;
  reason: string | null;
  restarts: number | null;
  exitCode: string | null;
}

/** "1234" or "1234;cluster" (sbatch --parsable) -> "1234". */
export function parseSbatchId(out: string): string {
  const m = /^(\d+)(;\S+)?\s*$/m.exec(out.trim()) ?? /Submitted batch job (\d+)/.exec(out);
  if (!m) throw new Error(`sbatch did not print a job id: ${out.trim().slice(0, 200) || '(nothing)'}`);
  return m[1];
}

/** "0-3,5,7-9:2%4" -> [0,1,2,3,5,7,9]: an array's task-id range expression, throttle dropped. */
export function expandRange(expr: string): number[] {
  const out: number[] = [];
  for (const part of expr.split('%')[0].split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}

const field = (line: string, key: string): string | null => {
  const m = new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line);
  return m ? m[1] : null;
};

/** `scontrol show job -o ARRAYID`: one record per task (ranges expanded). */
export function parseScontrol(out: string): SlurmTaskRecord[] {
  const records: SlurmTaskRecord[] = [];
  for (const line of out.split('\n')) {
    const taskExpr = field(line, 'ArrayTaskId');
    const state = field(line, 'JobState');
    if (taskExpr === null || state === null) continue;
    const reason = field(line, 'Reason');
    const restarts = field(line, 'Restarts');
    for (const task of expandRange(taskExpr))
      records.push({
        task,
        slurmState: state,
        reason: reason && reason !== 'None' ? reason : null,
        restarts: restarts === null ? null : Number(restarts),
        exitCode: field(line, 'ExitCode'),
      });
  }
  return records;
}

/** `sacct -X -n -P -o JobID,State,ExitCode -j ID`: lines like "1234_0|COMPLETED|0:0", "1234_[2-3]|PENDING|0:0". */
export function parseSacct(out: string): SlurmTaskRecord[] {
  const records: SlurmTaskRecord[] = [];
  for (const line of out.split('\n')) {
    const [id, state, exitCode] = line.trim().split('|');
    const m = /^\d+_\[?([^\]]+)\]?$/.exec(id ?? '');
    if (!m || !state) continue;
    // "CANCELLED by 0" -> CANCELLED
    const slurmState = state.split(' ')[0];
    for (const task of expandRange(m[1]))
      records.push({ task, slurmState, reason: null, restarts: null, exitCode: exitCode ?? null });
  }
  return records;
}

/** SLURM's state names folded to the few a user acts on; a pending task that ran before is 'requeued'. */
export function foldState(slurmState: string, restarts: number | null): TaskState {
  const s = slurmState.toUpperCase().replace(/\+$/, '');
  if (['PENDING', 'CONFIGURING', 'RESV_DEL_HOLD', 'SPECIAL_EXIT'].includes(s))
    return restarts ? 'requeued' : 'pending';
  if (['RUNNING', 'COMPLETING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING', 'STOPPED', 'RESIZING'].includes(s))
    return 'running';
  if (['REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'PREEMPTED'].includes(s)) return 'requeued';
  if (s === 'COMPLETED') return 'completed';
  if (s === 'CANCELLED' || s === 'REVOKED') return 'cancelled';
  if (['FAILED', 'NODE_FAIL', 'BOOT_FAIL', 'OUT_OF_MEMORY', 'TIMEOUT', 'DEADLINE'].includes(s))
    return 'failed';
  return 'unknown';
}
