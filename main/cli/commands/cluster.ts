// `oodlab cluster submit|status|cancel`: a group of seeded runs as one SLURM job array, through the same API
// channels the Runs page uses. `--dry-run` prints the script without submitting, on any machine.
import { parseFlags, printResult, shared, strings } from '../args';
import { cliRuntime, invokeArgs } from '../client';
import { table } from '../format';
import { summaryTables, tasksTable } from '../group-table';
import type { CliIO, Command } from '../io';

const usage = `oodlab cluster submit --preset smoke|quick|paper --seeds 0,1,2 [--dataset ID] [--epochs N] [--backend B]
                      [--partition P] [--account A] [--gpus N] [--cpus N] [--mem 32G] [--time 24:00:00]
                      [--signal-seconds 300] [--extra '#SBATCH …']... [--name NAME] [--oodlab CMD] [--dry-run]
       oodlab cluster status [GROUP] [--json]
       oodlab cluster cancel GROUP`;

const int = (v: string | undefined) => (v === undefined ? undefined : Number(v));

export function parseSeeds(v: string): number[] {
  const seeds = v.split(',').flatMap((p) => {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(p);
    if (!m) throw new Error(`--seeds: '${p}' is not a seed or a range like 0-4`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
  });
  if (!seeds.length) throw new Error('--seeds: give at least one seed');
  return seeds;
}

async function submit(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(argv, {
    ...shared.backend,
    preset: { type: 'string', default: 'paper' },
    seeds: { type: 'string', default: '0,1,2' },
    ...strings('dataset', 'epochs', 'partition', 'account', 'gpus', 'cpus', 'mem', 'time', 'name', 'oodlab'),
    'signal-seconds': { type: 'string', default: '300' },
    extra: { type: 'string', multiple: true, default: [] },
    'dry-run': { type: 'boolean', default: false },
  });
  const rt = cliRuntime();
  const r = await invokeArgs(rt.api, 'cluster.submit', {
    preset: values.preset,
    seeds: parseSeeds(values.seeds),
    overrides: { dataset: values.dataset, epochs: int(values.epochs), backend: values.backend },
    name: values.name,
    slurm: {
      partition: values.partition,
      account: values.account,
      gpus: int(values.gpus),
      cpus: int(values.cpus),
      mem: values.mem,
      time: values.time,
      signalSeconds: int(values['signal-seconds']),
      extra: values.extra,
    },
    command: values.oodlab,
    dryRun: values['dry-run'],
  });
  if (!r.submitted) {
    io.out(r.script);
    return 0;
  }
  const g = r.group;
  io.out(
    `Submitted group ${g.id}: SLURM array job ${g.jobId}, ${g.tasks.length} tasks (seeds ${g.tasks.map((t) => t.seed).join(',')})`,
  );
  io.out(`  folder ${rt.ctx.home}/groups/${g.id} (submit.sbatch, logs/)`);
  io.out(`  follow: oodlab cluster status ${g.id}    results: oodlab aggregate ${g.id}`);
  return 0;
}

export const cluster: Command = {
  summary: 'Seeded runs on a SLURM cluster: submit a job array, show its tasks, cancel it',
  usage,
  async run(argv, io) {
    const [verb, ...rest] = argv;
    if (verb === 'submit') return submit(rest, io);
    const { values, positionals } = parseFlags(rest, shared.json, true);
    const [id] = positionals;
    const rt = cliRuntime();
    if (verb === 'status') {
      if (id) {
        const s = await rt.api.invoke('cluster.status', { id });
        printResult(io, values.json, s, tasksTable);
        if (!values.json && s.summary) io.out(`\n${summaryTables(s.summary)}`);
        return 0;
      }
      const all = await rt.api.invoke('cluster.groups', {});
      if (values.json) io.out(JSON.stringify(all, null, 2));
      else if (!all.length)
        io.out(`No groups yet in ${rt.ctx.home}/groups. Submit one with: oodlab cluster submit`);
      else
        io.out(
          table(
            ['group', 'preset', 'seeds', 'job', 'state', 'tasks done', 'summary'],
            all.map((s) => [
              s.group.id,
              s.group.preset,
              s.group.tasks.map((t) => t.seed).join(','),
              s.group.jobId ?? '--',
              s.state,
              `${s.tasks.filter((t) => t.state === 'completed').length}/${s.tasks.length}`,
              s.summary ? 'yes' : 'no',
            ]),
          ),
        );
      return 0;
    }
    if (verb === 'cancel') {
      if (!id) throw new Error(`usage: ${usage}`);
      const r = await rt.api.invoke('cluster.cancel', { id });
      io.out(`Cancelled SLURM job ${r.cancelled} (group ${id}). Its runs keep their checkpoints.`);
      return 0;
    }
    io.err(`usage: ${usage}`);
    return 2;
  },
};
