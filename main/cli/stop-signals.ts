// SIGTERM and SIGUSR1 as "stop at a checkpoint": SLURM sends SIGTERM to pre-empt or requeue a task (then SIGKILL after
// KillWait, 30 s by default) and, with `--signal=B:USR1@N`, SIGUSR1 N seconds before the time limit. Installing a
// listener replaces Node's default (exit at once), so the command can let its job reach a resumable state and exit
// cleanly. The callback runs once, whichever signal comes first and however often.
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  let fired = false;
  const handler = (signal: NodeJS.Signals) => {
    if (fired) return;
    fired = true;
    stop(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGUSR1'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
