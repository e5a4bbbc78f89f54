import { describe, expect, it } from 'vitest';
import {
  expandRange,
  foldState,
  parseSacct,
  parseSbatchId,
  parseScontrol,
} from '../../../../main/engine/cluster/slurm-parse';

// Real output of slurm-wlm 22.05 (Debian 12) on the one-node test cluster, shortened only after the fields read.
const SCONTROL = [
  'JobId=4 ArrayJobId=4 ArrayTaskId=1-3%1 ArrayTaskThrottle=1 JobName=wrap UserId=root(0) GroupId=root(0) ' +
    'MCS_label=N/A Priority=4294901757 Nice=0 Account=(null) QOS=(null) JobState=PENDING Reason=JobArrayTaskLimit ' +
    'Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 WorkDir=/tmp',
  'JobId=5 ArrayJobId=4 ArrayTaskId=0 ArrayTaskThrottle=1 JobName=wrap UserId=root(0) GroupId=root(0) ' +
    'MCS_label=N/A Priority=4294901757 Nice=0 Account=(null) QOS=(null) JobState=RUNNING Reason=None ' +
    'Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:01 WorkDir=/tmp',
  'JobId=3 ArrayJobId=2 ArrayTaskId=7 JobName=t.sh JobState=PENDING Reason=BeginTime Dependency=(null) ' +
    'Requeue=1 Restarts=1 BatchFlag=1 Reboot=0 ExitCode=0:0',
  '',
].join('\n');

describe('SLURM output', () => {
  it('reads the job id sbatch prints', () => {
    expect(parseSbatchId('1234\n')).toBe('1234');
    expect(parseSbatchId('1234;cluster-a\n')).toBe('1234');
    expect(parseSbatchId('Submitted batch job 77\n')).toBe('77');
    expect(() => parseSbatchId('sbatch: error: invalid partition')).toThrow(/did not print a job id/);
  });

  it('expands array task ranges, steps and throttles', () => {
    expect(expandRange('1-3%1')).toEqual([1, 2, 3]);
    expect(expandRange('0-3,5,7-11:2%4')).toEqual([0, 1, 2, 3, 5, 7, 9, 11]);
    expect(expandRange('4')).toEqual([4]);
  });

  it('parses scontrol show job -o, one record per task', () => {
    const r = parseScontrol(SCONTROL);
    expect(r.map((x) => [x.task, x.slurmState, x.reason, x.restarts])).toEqual([
      [1, 'PENDING', 'JobArrayTaskLimit', 0],
      [2, 'PENDING', 'JobArrayTaskLimit', 0],
      [3, 'PENDING', 'JobArrayTaskLimit', 0],
      [0, 'RUNNING', null, 0],
      [7, 'PENDING', 'BeginTime', 1],
    ]);
  });

  it('parses sacct -P lines, bracketed ranges and "CANCELLED by uid"', () => {
    const r = parseSacct(
      '12_0|COMPLETED|0:0\n12_1|CANCELLED by 0|0:15\n12_[2-3]|PENDING|0:0\n12.batch|COMPLETED|0:0\n',
    );
    expect(r.map((x) => [x.task, x.slurmState, x.exitCode])).toEqual([
      [0, 'COMPLETED', '0:0'],
      [1, 'CANCELLED', '0:15'],
      [2, 'PENDING', '0:0'],
      [3, 'PENDING', '0:0'],
    ]);
  });

  it('folds SLURM states to what a user acts on; a pending task that ran before is requeued', () => {
    expect(foldState('PENDING', 0)).toBe('pending');
    expect(foldState('PENDING', 2)).toBe('requeued');
    expect(foldState('REQUEUED', null)).toBe('requeued');
    expect(foldState('PREEMPTED', null)).toBe('requeued');
    expect(foldState('COMPLETING', 0)).toBe('running');
    expect(foldState('COMPLETED', 0)).toBe('completed');
    expect(foldState('TIMEOUT', 0)).toBe('failed');
    expect(foldState('OUT_OF_MEMORY', 0)).toBe('failed');
    expect(foldState('NODE_FAIL', 0)).toBe('failed');
    expect(foldState('CANCELLED', 0)).toBe('cancelled');
    expect(foldState('WHATEVER', 0)).toBe('unknown');
  });
});
