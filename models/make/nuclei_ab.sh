#!/usr/bin/env bash
# Issue 13's A/B of the two instance formulations on the nuclei split, at one equal budget: the three-class target
# (background, interior, boundary, with the U-Net paper's weight map) against the distance target (8 levels of the
# per-object normalised distance to the border; Bai and Urtasun 2017), everything else the same (U-Net depth 3,
# FILTERS filters, EPOCHS x 50 steps of 8 patches of 128^2, seed SEED (42), thresholds tuned on the validation images at the end).
# Prints each model's validation AP and the held-out scores of models/make/nuclei_eval.sh. Usage, after
# `mvn -q -B package -DskipTests` and `python3 models/make/nuclei_split.py ../shared/data/dsb2018 DATA`:
#   models/make/nuclei_ab.sh DATA OUT     (FILTERS=16 EPOCHS=40 by default; about 6 min per model on 2 idle cores)
set -euo pipefail
data=$1 out=$2
for target in boundary distance; do
  m=$out/$target
  rm -rf "$m"
  start=$(date +%s)
  bin/unetseg train --task instances --instance-target $target \
    --images "$data/train/images" --labels "$data/train/labels" \
    --validation-images "$data/validation/images" --validation-labels "$data/validation/labels" \
    --output "$m" --name nuclei-$target --depth 3 --filters "${FILTERS:-16}" --batch 8 --patch 128 \
    --epochs "${EPOCHS:-40}" --steps 50 --patience 0 --seed "${SEED:-42}" > "$out/$target-train.log" 2>&1
  echo "== $target: trained in $(( $(date +%s) - start )) s; $(grep -o 'best epoch [0-9]*: validation AP@0.5 [0-9.]*' "$m/model.json" | head -1)"
  grep -o '"probabilityThreshold": [0-9.]*\|"seedThreshold": [0-9.]*' "$m/model.json" | tr '\n' ' '; echo
  mkdir -p "$out/$target-eval"
  "$(dirname "$0")/nuclei_eval.sh" "$m" "$data" "$out/$target-eval" | grep -E '^==|^ +0\.50|^group|mean AP'
done
