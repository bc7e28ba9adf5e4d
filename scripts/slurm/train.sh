#!/usr/bin/env bash
# Long training runs on a SLURM cluster that survive time limits and preemption. SLURM sends USR1 two
# minutes before the limit (--signal=B:USR1@120) and TERM at the limit or on preemption; this script
# passes either to unetseg, which finishes its step, writes a checkpoint within the epoch and exits with
# status 3; the script then requeues the job (--requeue), and the requeued job continues from the same
# OUTPUT_DIR with --resume, ending with the same weights as an uninterrupted run. Submit from the unetseg
# folder (or set UNETSEG_HOME); relative paths are taken from the folder you submit from:
#
#   sbatch scripts/slurm/train.sh runs/ct --images data/images --labels data/labels --dims 3 --epochs 100
#
# Give more resources with sbatch's options (--time=24:00:00 --cpus-per-task=16 --mem=64G, or a GPU
# partition with a build from `mvn -Pgpu package`). The heap gets half of --mem.
#SBATCH --job-name=unetseg-train
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --signal=B:USR1@120
#SBATCH --output=unetseg-train-%j.log
set -uo pipefail
home=${UNETSEG_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
# shellcheck source=lib.sh
source "$home/scripts/slurm/lib.sh" 2>/dev/null && [ -x "$home/bin/unetseg" ] || { echo "unetseg: no installation at $home" \
  "(bin/unetseg). Fix: submit from the unetseg folder or export UNETSEG_HOME=/path/to/unetseg" >&2; exit 2; }
out=$(unetseg_path "${1:?usage: sbatch train.sh OUTPUT_DIR [unetseg train options]}")
shift
# relative folders among the options, as typed in the submit folder
args=()
for a in "$@"; do
  case "$a" in
    --images=*|--labels=*|--validation-images=*|--validation-labels=*|--init=*|--label-classes=*)
      args+=("${a%%=*}=$(unetseg_path "${a#*=}")") ;;
    *) args+=("$a") ;;
  esac
done
set -- "${args[@]}"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --images|--labels|--validation-images|--validation-labels|--init|--label-classes)
      args+=("$1" "$(unetseg_path "${2:?$1 needs a value}")"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
unetseg_resources || exit 2
resume=()
if [ -f "$out/training/checkpoint/state.json" ] || [ -f "$out/training/checkpoint.old/state.json" ]; then
  resume=(--resume)
  echo "unetseg: continuing the run in $out (restart ${SLURM_RESTART_COUNT:-0})" >&2
fi
"$home/bin/unetseg" train --output "$out" --threads "$UNETSEG_THREADS" "${args[@]}" "${resume[@]}" &
pid=$!
stop() { echo "unetseg: $1 received: asking training to checkpoint and stop" >&2; kill -USR1 "$pid" 2>/dev/null; }
trap 'stop USR1' USR1
trap 'stop TERM' TERM
# wait returns early when a trap runs; wait again until unetseg has exited
status=0
while true; do
  wait "$pid"
  status=$?
  kill -0 "$pid" 2>/dev/null || break
done
if [ "$status" -eq 3 ]; then
  if [ -n "${SLURM_JOB_ID:-}" ]; then
    echo "unetseg: checkpoint written; requeueing job $SLURM_JOB_ID to continue" >&2
    scontrol requeue "$SLURM_JOB_ID"
  fi
  exit 0
fi
exit "$status"
