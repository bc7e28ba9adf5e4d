#!/usr/bin/env bash
# Segment a folder of images on a SLURM cluster with a job array: array task i of n takes every n-th file
# (--shard i/n). Files whose outputs exist are skipped, so resubmitting the same array after a failure,
# time-out or scancel completes only the missing files. Outputs are written atomically. Submit from the
# unetseg folder (or set UNETSEG_HOME); relative paths are taken from the folder you submit from:
#
#   sbatch --array=0-15 scripts/slurm/segment-array.sh /data/images /data/labels models/brain-mri-3d
#
# The defaults below fit a small node; give more with sbatch's own options (--mem=32G --cpus-per-task=8).
# The Java heap gets half of --mem (TensorFlow's native memory the rest), tiles are sized from --mem, and
# TensorFlow uses --cpus-per-task threads. A task's exit status is 1 if any of its files failed (the others
# are still done); the failed files are listed in OUTPUT_DIR/.unetseg-failed/ for scripts/slurm/evaluate.sh.
#SBATCH --job-name=unetseg
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=unetseg-%A_%a.log
set -euo pipefail
home=${UNETSEG_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
# shellcheck source=lib.sh
source "$home/scripts/slurm/lib.sh" 2>/dev/null && [ -x "$home/bin/unetseg" ] || { echo "unetseg: no installation at $home" \
  "(bin/unetseg). Fix: submit from the unetseg folder or export UNETSEG_HOME=/path/to/unetseg" >&2; exit 2; }
usage="usage: sbatch --array=0-N segment-array.sh INPUT_DIR OUTPUT_DIR MODEL [extra unetseg segment options]"
input=$(unetseg_path "${1:?$usage}")
output=$(unetseg_path "${2:?$usage}")
model=${3:?$usage}
shift 3
# a model folder given by path, else a name unetseg resolves itself (e.g. one in models/)
case "$model" in */*) model=$(unetseg_path "$model") ;; esac
unetseg_resources
shard=$(unetseg_shard)
mkdir -p "$output/.unetseg-failed"
failed="$output/.unetseg-failed/${SLURM_ARRAY_JOB_ID:-local}_${shard%/*}.txt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$home/bin/unetseg" segment --model "$model" --output "$output" --threads "$UNETSEG_THREADS" --shard "$shard" "$@" "$input" \
  2> >(tee "$log" >&2) || status=$?
wait
# "[i/n] name: failed: reason" lines, kept for the evaluation job's report
grep -E '^\[[0-9]+/[0-9]+\] .*: failed: ' "$log" > "$failed" || rm -f "$failed"
exit "$status"
