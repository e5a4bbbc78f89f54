// Talking to SLURM through its own commands (sbatch, scontrol, sacct, scancel), which every cluster has and which
// honour the user's SLURM_CONF; there is no SLURM library for Node, and the REST daemon is rarely enabled.
// The controller keeps finished jobs for MinJobAge (300 s by default), sacct only where accounting is enabled:
// taskStates asks the first, then the second, and says why when neither knows.
import { execFile } from 'node:child_process';
import { OodlabError } from '../../../common/contract/errors';
import { parseSacct, parseSbatchId, parseScontrol, type SlurmTaskRecord } from './slurm-parse';

const TIMEOUT_MS = 30_000;

export interface Slurm {
  submit(script: string, cwd: string): Promise<string>;
  /** Records of the array job's tasks, or null with the reason when SLURM cannot say. */
  taskStates(jobId: string): Promise<{ records: SlurmTaskRecord[]; note: string | null }>;
  cancel(jobId: string): Promise<void>;
}

function run(cmd: string, args: string[], cwd?: string): Promise<{ out: string; err: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: TIMEOUT_MS, maxBuffer: 16 << 20 }, (error, out, err) => {
      const e = error as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && e.code === 'ENOENT')
        return reject(
          new OodlabError(
            'unavailable',
            `${cmd} not found: SLURM's commands are not installed on this machine.`,
          ),
        );
      resolve({ out, err, code: e ? (typeof e.code === 'number' ? e.code : 1) : 0 });
    });
  });
}

export const slurmCommands: Slurm = {
  async submit(script, cwd) {
    const r = await run('sbatch', ['--parsable', script], cwd);
    if (r.code !== 0)
      throw new OodlabError('failed', `sbatch refused the script: ${r.err.trim() || r.out.trim()}`);
    return parseSbatchId(r.out);
  },

  async taskStates(jobId) {
    let note: string | null = null;
    try {
      const sc = await run('scontrol', ['show', 'job', '-o', jobId]);
      if (sc.code === 0) {
        const records = parseScontrol(sc.out);
        if (records.length) return { records, note: null };
      }
      const sa = await run('sacct', ['-X', '-n', '-P', '-o', 'JobID,State,ExitCode', '-j', jobId]);
      if (sa.code === 0) {
        const records = parseSacct(sa.out);
        if (records.length) return { records, note: null };
      }
      note = `SLURM no longer knows job ${jobId} (${(sa.err || sc.err).trim().split('\n')[0] || 'no record'})`;
    } catch (err) {
      note = (err as Error).message;
    }
    return { records: [], note };
  },

  async cancel(jobId) {
    const r = await run('scancel', [jobId]);
    if (r.code !== 0) throw new OodlabError('failed', `scancel ${jobId}: ${r.err.trim() || r.out.trim()}`);
  },
};
