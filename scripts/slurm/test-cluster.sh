#!/usr/bin/env bash
# A one-node SLURM on this machine, for trying the scripts in this folder and for the integration test
# (SlurmClusterTest, run when UNETSEG_IT_SLURM=1). Needs root and Debian's slurm-wlm and munge:
#   apt-get install slurm-wlm munge
#   scripts/slurm/test-cluster.sh start /tmp/slurm     # writes /tmp/slurm/slurm.conf, starts the daemons
#   export SLURM_CONF=/tmp/slurm/slurm.conf            # for sbatch, squeue, scancel, scontrol
#   scripts/slurm/test-cluster.sh stop /tmp/slurm      # stops the daemons this script started
# The node is this machine as `slurmd -C` sees it (all CPUs, all memory); no cgroups (proctrack/linuxproc,
# task/none), so --mem is passed to jobs (SLURM_MEM_PER_NODE) but not enforced by the kernel.
set -euo pipefail
action=${1:?usage: test-cluster.sh start|stop DIR}
dir=${2:?usage: test-cluster.sh start|stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

stop() {
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"; do
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
  if [ -f "$dir/munge-dir" ]; then rm -rf "$(cat "$dir/munge-dir")" "$dir/munge-dir"; fi
}

case "$action" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "test-cluster.sh: unknown action $action (start or stop)" >&2; exit 2 ;;
esac

for tool in slurmctld slurmd munged sbatch; do
  command -v "$tool" >/dev/null || { echo "test-cluster.sh: $tool not found; install Debian's slurm-wlm and munge" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "test-cluster.sh: run as root (the daemons run as root here)" >&2; exit 2; }
stop
mkdir -p "$dir/state" "$dir/spool"
# munged runs as user munge, which may not enter $dir (a test's private temporary folder): its own folder in /tmp
munge=$(mktemp -d /tmp/unetseg-munge.XXXXXX)
chown munge:munge "$munge"
chmod 755 "$munge"
echo "$munge" > "$dir/munge-dir"
# munge authenticates SLURM's messages; its own socket in $dir, so a system munged is not disturbed
[ -f /etc/munge/munge.key ] || { mungekey --create 2>/dev/null || create-munge-key -f; }
runuser -u munge -- munged --socket="$munge/munge.socket" --pid-file="$munge/munged.pid" \
  --log-file="$munge/munged.log" --seed-file="$munge/munged.seed"
for _ in $(seq 50); do [ -S "$munge/munge.socket" ] && break; sleep 0.1; done
cp "$munge/munged.pid" "$dir/munged.pid"

node=$(slurmd -C | head -n 1)
name=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$node")
cat > "$dir/slurm.conf" <<EOF
ClusterName=unetseg-test
SlurmctldHost=$name
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire: how long a requeued job waits before it may start again (default 120 s; shorter for tests)
AuthInfo=socket=$munge/munge.socket,cred_expire=${SLURM_CRED_EXPIRE:-10}
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
KillWait=10
$(sed -E 's/ UpTime=.*//' <<<"$node") State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$dir/slurm.conf"
slurmd -f "$dir/slurm.conf"
export SLURM_CONF="$dir/slurm.conf"
for _ in $(seq 100); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -n 1 || true)
  [ "$state" = idle ] && { echo "SLURM is up: node $name idle; export SLURM_CONF=$dir/slurm.conf"; exit 0; }
  sleep 0.2
done
echo "test-cluster.sh: the node did not become idle (state '${state:-none}'); see $dir/slurmctld.log and $dir/slurmd.log" >&2
exit 1
