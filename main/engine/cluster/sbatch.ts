// The sbatch script of a group: one job array, one task per seed, each running `oodlab pipeline` for its seed on
// the shared data folder. SLURM is asked to requeue a pre-empted task (--requeue) and to warn the script before the
// time limit (--signal=B:USR1@N). The script runs oodlab in the background and forwards signals to it, because bash
// defers traps while a foreground child runs: on USR1 (time limit near) oodlab checkpoints and stops, then the
// script requeues its own task; on SIGTERM (pre-emption, scontrol requeue, scancel) oodlab checkpoints and stops
// and SLURM requeues or ends the task. Restarted, the same command resumes the same run from its checkpoint.
import type { Group } from '../../../common/contract/cluster';
import { groupFiles } from './group';

/** Single-quotes a word for bash. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function sbatchScript(g: Group): string {
  const f = groupFiles(g.home, g.id);
  const s = g.slurm;
  const last = g.tasks.length - 1;
  const directives = [
    `--job-name=oodlab-${g.id}`,
    `--array=0-${last}`,
    `--output=${f.logs}/%A_%a.out`,
    '--open-mode=append',
    '--requeue',
    `--signal=B:USR1@${s.signalSeconds}`,
    s.partition && `--partition=${s.partition}`,
    s.account && `--account=${s.account}`,
    s.gpus && `--gres=gpu:${s.gpus}`,
    s.cpus && `--cpus-per-task=${s.cpus}`,
    s.mem && `--mem=${s.mem}`,
    s.time && `--time=${s.time}`,
  ].filter(Boolean);
  const seeds = g.tasks.map((t) => String(t.seed)).join(' ');
  const q = shellQuote;
  return `#!/bin/bash
# OODLab group ${g.id}: preset ${g.preset} on ${g.config.dataset}, seeds ${g.tasks.map((t) => t.seed).join(',')}.
# One array task per seed; each runs the whole pipeline (train, OOD, Neural Collapse, export) for its seed.
# Written by \`oodlab cluster submit\`; submit again with: sbatch ${f.script}
${directives.map((d) => `#SBATCH ${d}`).join('\n')}
${s.extra.join('\n')}
set -u
export OODLAB_HOME=${q(g.home)}
seeds=(${seeds})
seed=\${seeds[$SLURM_ARRAY_TASK_ID]}
run=${q(g.id)}-s$seed
echo "[oodlab] $(date -Is) task $SLURM_ARRAY_TASK_ID seed $seed run $run on $(hostname), restart \${SLURM_RESTART_COUNT:-0}"

# Tasks never download (--no-download): \`oodlab download\` on the login node fills the shared cache once.
${g.command} pipeline --config ${q(f.config)} --seed "$seed" --run-id "$run" --name ${q(g.name)} --no-download &
child=$!
requeue=0
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'requeue=1; kill -USR1 "$child" 2>/dev/null' USR1
while :; do
  wait "$child"
  rc=$?
  kill -0 "$child" 2>/dev/null || break
done
if [ "$requeue" = 1 ]; then
  echo "[oodlab] $(date -Is) time limit near: checkpoint saved, requeueing"
  scontrol requeue "\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}"
  exit 0
fi
echo "[oodlab] $(date -Is) pipeline exited with $rc"
# The last task to finish writes the group's summary.json (mean and std over seeds).
if [ "$rc" = 0 ]; then ${g.command} aggregate ${q(g.id)} --if-complete || true; fi
exit "$rc"
`;
}
