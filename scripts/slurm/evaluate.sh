#!/usr/bin/env bash
# The evaluation job of a cluster run: after the segment array (whatever its tasks' exit status) it
# scores the outputs against ground truth and writes the folder's report, listing the inputs whose
# segmentation failed (with the reason) and those with no output at all (a task that was killed,
# cancelled or timed out: resubmit the array to complete them).
#
#   jid=$(sbatch --parsable --array=0-15 scripts/slurm/segment-array.sh in out models/brain-mri-3d)
#   sbatch --dependency=afterany:$jid scripts/slurm/evaluate.sh in out truth [--model models/brain-mri-3d]
#
# Writes OUTPUT_DIR/report.csv (per file and class; a report_summary.csv beside it) when TRUTH_DIR is
# given (- for none), and OUTPUT_DIR/run-report.txt. Exits 1 when a file failed or is missing.
#SBATCH --job-name=unetseg-evaluate
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=unetseg-evaluate-%j.log
set -euo pipefail
home=${UNETSEG_HOME:-${SLURM_SUBMIT_DIR:-$PWD}}
# shellcheck source=lib.sh
source "$home/scripts/slurm/lib.sh" 2>/dev/null && [ -x "$home/bin/unetseg" ] || { echo "unetseg: no installation at $home" \
  "(bin/unetseg). Fix: submit from the unetseg folder or export UNETSEG_HOME=/path/to/unetseg" >&2; exit 2; }
usage="usage: sbatch --dependency=afterany:JOB evaluate.sh INPUT_DIR OUTPUT_DIR TRUTH_DIR|- [unetseg evaluate options]"
input=$(unetseg_path "${1:?$usage}")
output=$(unetseg_path "${2:?$usage}")
truth=${3:?$usage}
shift 3
unetseg_resources
report="$output/run-report.txt"
tmp="$report.tmp.$$"
# the outputs segment writes for input a.tif or a.nii.gz: a_labels.<ext>
declare -A done_names=()
for f in "$output"/*_labels.*; do
  [ -e "$f" ] || continue
  b=$(basename "$f"); done_names["${b%%_labels.*}"]=1
done
inputs=0 ok=0 failed=0 missing=0
{
  echo "unetseg run report: $input -> $output ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
  for f in "$input"/*; do
    [ -f "$f" ] || continue
    name=$(basename "$f"); base=${name%.gz}; base=${base%.*}
    inputs=$((inputs + 1))
    if [ -n "${done_names[$base]:-}" ]; then ok=$((ok + 1)); continue; fi
    reason=$(cat "$output"/.unetseg-failed/*.txt 2>/dev/null | grep -F "] $name: failed: " | tail -n 1 | sed -E 's/^\[[0-9]+\/[0-9]+\] [^:]*: failed: //' || true)
    if [ -n "$reason" ]; then failed=$((failed + 1)); echo "failed: $name: $reason"
    else missing=$((missing + 1)); echo "missing: $name (no output and no failure recorded: its task did not finish; resubmit the array)"; fi
  done
  echo "files: $inputs, segmented: $ok, failed: $failed, missing: $missing"
} > "$tmp"
mv "$tmp" "$report"
cat "$report"
if [ "$truth" != - ] && [ "$ok" -gt 0 ]; then
  "$home/bin/unetseg" evaluate --prediction "$output" --truth "$(unetseg_path "$truth")" --output "$output/report.csv" "$@"
fi
[ "$failed" -eq 0 ] && [ "$missing" -eq 0 ]
