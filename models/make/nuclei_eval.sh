#!/usr/bin/env bash
# Held-out scores of models/nuclei-fluo-2d (issue 13): segments the test-group, test-random and validation
# images linked by nuclei_split.py, scores the objects with `unetseg evaluate --instances` and prints AP per
# held-out group (models/make/nuclei_groups.py). Usage, from the repository root after
# `mvn -q -B package -DskipTests` and `python3 models/make/nuclei_split.py ../shared/data/dsb2018 /tmp/nuclei-data`:
#   models/make/nuclei_eval.sh MODEL_DIR /tmp/nuclei-data OUT_DIR [extra segment options]
set -euo pipefail
model=$1 data=$2 out=$3
shift 3
for split in test-group test-random; do
  bin/unetseg segment --model "$model" --output "$out/$split" --threads 2 "$@" "$data/$split/images" > "$out/$split.log" 2>&1 || true
  bin/unetseg evaluate --instances --prediction "$out/$split" --truth "$data/$split/labels" --output "$out/$split.csv" \
    | tail -n 12 > "$out/$split-summary.txt"
  echo "== $split"; cat "$out/$split-summary.txt"
done
python3 "$(dirname "$0")/nuclei_groups.py" "$(dirname "$0")/../nuclei-fluo-2d/split.csv" "$out/test-group.csv"
