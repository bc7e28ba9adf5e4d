#!/usr/bin/env bash
# Held-out evaluation of models/hn-ct-oar-3d (issue 14): segments the 33 OpenKBP validation patients
# (never used for checkpoint selection) and scores every contoured organ (Dice, HD95, volumes; organs not
# contoured for a patient are not scored). Prints the per-organ summary; writes the CSVs into OUT.
# SPLIT=select scores the 20 selection patients instead (for choices such as the post-processing); options
# after OUT go to `unetseg segment` (e.g. --postprocess none, --tta).
#   models/make/eval_hn_ct.sh MODEL_DIR [OUT [segment options]]
set -euo pipefail
model=${1:?usage: eval_hn_ct.sh MODEL_DIR [OUT [segment options]]}
out=${2:-/work/runs/hn-ct-eval}
shift $(( $# < 2 ? $# : 2 ))
data=${DATA:-/work/ct-data}
split=${SPLIT:-test}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$out"
start=$(date +%s)
"$here/bin/unetseg" segment --model "$model" --output "$out/pred" --overwrite "$@" "$data/$split/images" 2>&1 | grep -v "^I0000\|^WARNING: All" | tail -n 3
echo "segmented $(ls "$data/$split/images" | wc -l) CTs in $(( $(date +%s) - start )) s"
"$here/bin/unetseg" evaluate --prediction "$out/pred" --truth "$data/$split/labels" --model "$model" \
  --label-classes "${INDEX:-../shared/data/openkbp/index.csv}" --output "$out/test-report.csv" 2>&1 | grep -v "^I0000\|^WARNING: All" | tail -n 12
