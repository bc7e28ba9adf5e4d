#!/usr/bin/env bash
# Chooses the post-hoc logit shift of one class of the CT model (issue 14; models/make/ShiftClassLogit.java) on the 20
# selection patients: writes MODEL shifted by each DELTA into OUT/shift-DELTA, scores it with SPLIT=select
# eval_hn_ct.sh (the model's own post-processing) and prints the per-organ table (ct_summary_table.py). The validation
# patients are not touched; score the chosen one on them with eval_hn_ct.sh afterwards. Run after
# `mvn -q -B package -DskipTests`, with the data prepared as eval_hn_ct.sh says:
#   models/make/shift_sweep_ct.sh MODEL_DIR CLASS OUT DELTA [DELTA ...]
set -euo pipefail
model=${1:?usage: shift_sweep_ct.sh MODEL_DIR CLASS OUT DELTA [DELTA ...]} class=$2 out=$3
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cp="$here/target/unetseg-0.1.0-SNAPSHOT.jar:$here/target/lib/*"
columns=("0=$out/shift-0")
mkdir -p "$out"
SPLIT=select "$here/models/make/eval_hn_ct.sh" "$model" "$out/shift-0" > "$out/shift-0.log"
for delta in "$@"; do
  rm -rf "$out/model-$delta"
  java -cp "$cp" "$here/models/make/ShiftClassLogit.java" "$model" "$class" "$delta" "$out/model-$delta" 2>&1 | grep "^wrote"
  SPLIT=select "$here/models/make/eval_hn_ct.sh" "$out/model-$delta" "$out/shift-$delta" > "$out/shift-$delta.log"
  columns+=("$delta=$out/shift-$delta")
done
/usr/bin/python3 "$here/models/make/ct_summary_table.py" "${columns[@]}"
