#!/usr/bin/env bash
# Segment a folder of images on a SLURM cluster with a job array: each array task takes every n-th
# file (--shard i/n). Files whose outputs already exist are skipped, so resubmitting the same array
# after a node failure or time-out completes only the missing files. Outputs are written atomically.
#
#   sbatch --array=0-15 scripts/slurm/segment-array.sh /data/images /data/labels models/brain-mri-3d
#
# Exit status of a task is non-zero if any of its files failed (the others are still done).
#SBATCH --job-name=unetseg
#SBATCH --cpus-per-task=8
#SBATCH --mem=32G
#SBATCH --time=04:00:00
#SBATCH --output=unetseg-%A_%a.log
set -euo pipefail
input=${1:?usage: segment-array.sh INPUT_DIR OUTPUT_DIR MODEL_DIR [extra unetseg segment options]}
output=${2:?output folder}
model=${3:?model folder}
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
task=${SLURM_ARRAY_TASK_ID:-0}
count=${SLURM_ARRAY_TASK_COUNT:-1}
export UNETSEG_JAVA_OPTS="${UNETSEG_JAVA_OPTS:--Xmx$(( ${SLURM_MEM_PER_NODE:-16384} * 3 / 4 ))m}"
exec "$here/bin/unetseg" segment --model "$model" --output "$output" \
  --threads "${SLURM_CPUS_PER_TASK:-0}" --shard "$task/$count" "$@" "$input"
