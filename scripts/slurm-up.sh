#!/usr/bin/env bash
# A one-node SLURM cluster in a temporary folder, for the cluster integration test and for trying `oodlab cluster`
# on one machine: a munge key, munged, slurmctld and slurmd from a minimal slurm.conf (this node's real hostname,
# CPU count and memory from `slurmd -C`). Nothing is written outside the folder; the daemons are stopped by the
# process ids they wrote there. Needs root (SlurmUser=root) and Debian's slurm-wlm + munge.
#
#   scripts/slurm-up.sh up [DIR]    start; prints `export SLURM_CONF=DIR/slurm.conf` (eval it to use the cluster)
#   scripts/slurm-up.sh down DIR    stop the daemons of DIR (by pid) and remove DIR
#
# Ports: SLURM_UP_PORT (slurmctld, default 6817) and SLURM_UP_PORT+1 (slurmd).
set -euo pipefail

cmd=${1:-up}
dir=${2:-}

stop_pid() { # pidfile: TERM, then KILL after 10 s, by the process id in the file
  local f=$1 pid i
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}

if [ "$cmd" = down ]; then
  [ -n "$dir" ] && [ -f "$dir/slurm.conf" ] || { echo "usage: $0 down DIR (a folder made by '$0 up')" >&2; exit 2; }
  # Jobs first, so that no task is left running under a stopped slurmd.
  SLURM_CONF="$dir/slurm.conf" scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munge/munged.pid"
  rm -rf "$dir"
  exit 0
fi
[ "$cmd" = up ] || { echo "usage: $0 up [DIR] | down DIR" >&2; exit 2; }

for b in munged slurmctld slurmd sbatch; do
  command -v "$b" >/dev/null || { echo "slurm-up: $b not found (apt-get install slurm-wlm munge)" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "slurm-up: needs root (SlurmUser=root)" >&2; exit 3; }

dir=${dir:-$(mktemp -d /tmp/oodlab-slurm.XXXXXX)}
mkdir -p "$dir"/{munge,state,spool,log}
chmod 700 "$dir" "$dir/munge"
port=${SLURM_UP_PORT:-6817}
node=$(hostname -s)
# `slurmd -C` prints this machine as slurm sees it: NodeName=… CPUs=… Boards=… RealMemory=…
nodeline=$(slurmd -C | head -1 | sed "s/^NodeName=[^ ]*/NodeName=$node/")

# munge: a fresh random key, its own socket, log and pid file in the folder.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

cat >"$dir/slurm.conf" <<EOF
ClusterName=oodlab
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SwitchType=switch/none
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
KillWait=30
MinJobAge=3600
SchedulerParameters=defer_batch=0
$nodeline State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -i -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# Ready when the node is idle and responding ("idle*" means slurmd has not registered yet): a few seconds.
for i in $(seq 1 60); do
  state=$(sinfo --noheader --format=%T 2>/dev/null | head -1 || true)
  case "$state" in idle | mixed | allocated) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  sleep 0.5
done
echo "slurm-up: the node did not come up (state '${state:-none}'); logs in $dir/log" >&2
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
exit 1
