#!/usr/bin/env bash
# Held-out evaluation of models/hn-ct-oar-3d (issue 14): segments the 33 OpenKBP validation patients
# (never used for checkpoint selection) and scores every contoured organ (Dice, HD95, volumes; organs not
# contoured for a patient are not scored). Prints the per-organ summary; writes the CSVs into OUT.
#   models/make/eval_hn_ct.sh MODEL_DIR [OUT]
set -euo pipefail
model=${1:?usage: eval_hn_ct.sh MODEL_DIR [OUT]}
out=${2:-/work/runs/hn-ct-eval}
data=${DATA:-/work/ct-data}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$out"
start=$(date +%s)
"$here/bin/unetseg" segment --model "$model" --output "$out/pred" --overwrite "$data/test/images" 2>&1 | grep -v "^I0000\|^WARNING: All" | tail -n 3
echo "segmented $(ls "$data/test/images" | wc -l) CTs in $(( $(date +%s) - start )) s"
"$here/bin/unetseg" evaluate --prediction "$out/pred" --truth "$data/test/labels" --model "$model" \
  --label-classes "${INDEX:-../shared/data/openkbp/index.csv}" --output "$out/test-report.csv" 2>&1 | grep -v "^I0000\|^WARNING: All" | tail -n 12
