#!/bin/sh
# Makes sure a one-node Slurm cluster answers on this machine (munge, slurmctld, slurmd from
# Debian's slurm-wlm), for the fleet tests. Writes its own configuration under
# ${RIGCHECK_SLURM_DIR:-/tmp/rigcheck-slurm} and leaves an existing working Slurm alone.
set -eu
if sinfo -h -o '%t' 2>/dev/null | grep -q -E 'idle|mix|alloc'; then exit 0; fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
dir=${RIGCHECK_SLURM_DIR:-/tmp/rigcheck-slurm}
node=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
as_root mkdir -p "$dir/state" "$dir/spool" /etc/slurm /run/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  as_root mkdir -p /etc/munge
  as_root sh -c 'dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null'
fi
as_root chown -R munge:munge /etc/munge /run/munge /var/log/munge 2>/dev/null || true
as_root chmod 0400 /etc/munge/munge.key
pgrep -x munged >/dev/null || as_root runuser -u munge -- /usr/sbin/munged --force
as_root tee /etc/slurm/slurm.conf >/dev/null <<CONF
# Written by rigcheck's scripts/start-slurm.sh: one node, for the fleet tests.
ClusterName=rigcheck
SlurmctldHost=$node
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmdSpoolDir=$dir/spool
StateSaveLocation=$dir/state
SlurmUser=root
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$node CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=rigcheck Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
pgrep -x slurmctld >/dev/null || as_root slurmctld
pgrep -x slurmd >/dev/null || as_root slurmd
i=0
until sinfo -h -o '%t' 2>/dev/null | grep -q -E 'idle|mix|alloc'; do
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then
    echo "rigcheck: Slurm did not come up within 60 s; see $dir/slurmctld.log and $dir/slurmd.log" >&2
    exit 1
  fi
  [ "$i" -eq 10 ] && as_root scontrol update nodename="$node" state=resume 2>/dev/null || true
  sleep 1
done
