#!/usr/bin/env bash
# Issue 14, item 7: the boundary-aware losses compared with dice_ce on the CT model. Each loss fine-tunes the
# same dice_ce weights (INIT, a model folder) for the same steps with the same learning rate, seed and patches
# (train_hn_ct.sh with a fresh Adam and no checkpoint carried over), and each result is scored on the 33
# validation patients with the largest-component clean-up the shipped model declares. dice_ce itself is one of
# the rows, so every loss gets the same extra training. Writes OUT/<loss>/ (model), OUT/<loss>.log (training),
# OUT/<loss>-eval/ (CSVs) and prints the per-organ summaries.
#   INIT=models/hn-ct-oar-3d models/make/compare_losses_ct.sh OUT
# STEPS (default 125), LR (default 2e-4) and LOSSES (default "dice_ce dice_ce_boundary lovasz dice_ce_hd") change
# the plan; prepare the CTs first as train_hn_ct.sh says.
set -euo pipefail
init=${INIT:?set INIT to the dice_ce model folder to fine-tune}
out=${1:?usage: INIT=MODEL compare_losses_ct.sh OUT}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
for loss in ${LOSSES:-dice_ce dice_ce_boundary lovasz dice_ce_hd}; do
  start=$(date +%s)
  STORE=/nonexistent INIT="$init" LOSS="$loss" LR="${LR:-2e-4}" EPOCHS=1 STEPS="${STEPS:-125}" MAX_HOURS=2 \
    FOREGROUND=0.67 OUT="$out/$loss" "$here/train_hn_ct.sh" > "$out/$loss.log" 2>&1
  echo "== $loss: ${STEPS:-125} steps in $(( $(date +%s) - start )) s; $(grep -h 'best epoch' "$out/$loss.log" | tail -n 1)"
  "$here/eval_hn_ct.sh" "$out/$loss" "$out/$loss-eval" --postprocess largest
done
rows=()
for loss in ${LOSSES:-dice_ce dice_ce_boundary lovasz dice_ce_hd}; do rows+=("$loss=$out/$loss-eval"); done
python3 "$here/ct_summary_table.py" "${rows[@]}"
