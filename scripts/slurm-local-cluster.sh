#!/usr/bin/env bash
# A one-node Slurm cluster on localhost in a temporary folder, for the engine's Slurm tests and
# for trying `--executor slurm` without a cluster (Debian's slurm-wlm and munge; no systemd).
#
#   scripts/slurm-local-cluster.sh start [DIR]   start munged, slurmctld, slurmd; print the env
#   scripts/slurm-local-cluster.sh stop  [DIR]   stop them and delete DIR
#   scripts/slurm-local-cluster.sh env   [DIR]   print `export SLURM_CONF=…`
#
# DIR defaults to ${IBL_SLURM_DIR:-/tmp/ibl-slurm}. Everything (munge key and socket, Slurm state,
# spool, pid and log files) lives there and is created fresh at start: left-over state would bring
# old jobs back. Settings measured with Slurm 22.05 on a 2-core machine:
#   AuthInfo cred_expire=10        the default 120 s makes a requeued job wait 2 minutes
#   select/cons_tres + CR_Core, CPUs=2 on the node line   otherwise array tasks run one at a time
#   proctrack/linuxproc, task/none  no cgroups needed
#   jobcomp/filetxt, no slurmdbd    (use `squeue -t all -r`, not sacct)
#   batch_sched_delay=0,sched_interval=2,bf_interval=2   no 2 s gap between waves of tasks
#   slurmd -N localhost             node name independent of the host name
set -euo pipefail
action=${1:-}
dir=${2:-${IBL_SLURM_DIR:-/tmp/ibl-slurm}}
ctld_port=${IBL_SLURM_CTLD_PORT:-16817}
slurmd_port=${IBL_SLURM_SLURMD_PORT:-16818}
cpus=${IBL_SLURM_CPUS:-$(nproc)}

stop() {
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  # Wait (up to ~10 s) for them to exit before the folder goes.
  for _ in $(seq 1 50); do
    alive=0
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
      [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null && alive=1
    done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  rm -rf "$dir"
}

start() {
  command -v slurmctld >/dev/null || { echo "slurm-local-cluster: slurmctld not found (apt-get install -y slurm-wlm munge)" >&2; exit 1; }
  stop
  mkdir -p "$dir/munge/run" "$dir/state" "$dir/spool"
  chmod 0700 "$dir/munge"
  chmod 0755 "$dir/munge/run"
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/run/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  cat > "$dir/slurm.conf" <<CONF
ClusterName=ibl-local
SlurmctldHost=localhost
SlurmUser=$(id -un)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/run/munge.socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=2
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName=localhost CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -i
  slurmd -N localhost
  for _ in $(seq 1 50); do
    state=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  if [ "${state:-}" != idle ]; then
    echo "slurm-local-cluster: node not idle after 10 s (state '${state:-?}'); logs in $dir" >&2
    exit 1
  fi
  echo "export SLURM_CONF=$dir/slurm.conf"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$dir/slurm.conf" ;;
  *) echo "usage: $0 start|stop|env [DIR]" >&2; exit 2 ;;
esac
