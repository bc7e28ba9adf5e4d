#!/usr/bin/env bash
# Trains models/hn-ct-oar-3d (issue 14) on OpenKBP; resumable across sessions: run it again and it adds
# --resume when the output folder holds a checkpoint. Each run stops before an epoch that would end after
# MAX_HOURS (default 2.2). Prepare the data first (HU, true orientation, split by patient):
#   mvn -q -B package -DskipTests
#   java -cp "target/unetseg-0.1.0-SNAPSHOT.jar:target/lib/*" models/make/PrepareOpenKbp.java ../shared/data/openkbp /work/ct-data
# (prints models/make/openkbp-split.csv). Copy target/ elsewhere (JAR below) before a long run: rebuilding
# target/ under a running JVM breaks it. tcmalloc (Debian: libtcmalloc-minimal4) halves 3D training time here.
set -euo pipefail
data=${DATA:-/work/ct-data}
out=${OUT:-/work/runs/hn-ct-oar-3d}
jar=${JAR:-/work/train-build/unetseg-0.1.0-SNAPSHOT.jar}
# The checkpoint travels between machines in the work tree (issue 14: "checkpoints kept in the work tree"):
# a new machine starts from the committed one when OUT holds none; commit it back with STORE (below).
store=${STORE:-$(dirname "$0")/hn-ct-oar-3d-progress/checkpoint}
if [ ! -f "$out/training/checkpoint/state.json" ] && [ -f "$store/state.json" ]; then
  mkdir -p "$out/training" && cp -r "$store" "$out/training/checkpoint"
fi
resume=()
[ -f "$out/training/checkpoint/state.json" ] && resume=(--resume)
# Second stage (session 8): fine-tune the best dice_ce checkpoint with the Dice loss, which weighs small organs
# (Esophagus, Larynx: still 0 after 11 dice_ce epochs) like large ones:
#   INIT=/work/runs/hn-ct-oar-3d LOSS=dice LR=5e-4 OUT=/work/runs/hn-ct-oar-3d-dice models/make/train_hn_ct.sh
# Session 9: the checkpoints of the two stages above were lost with their machine (they lived outside the work
# tree); retrained from scratch with class balancing over the whole set (PatchSampler: each organ centres equally
# many patches, not each organ of a case) and more foreground patches:
#   FOREGROUND=0.67 INDEX=../shared/data/openkbp/index.csv OUT=/work/ct-runs/hn-ct-oar-3d MAX_HOURS=1.9 models/make/train_hn_ct.sh
# Its record is in models/make/hn-ct-oar-3d-progress/session9-depth4; its weights (22 MB) were lost with the machine.
# Session 11: depth 3 with 96^3 patches (the budget; 5.4 MB of weights), from scratch, with the same command;
# its checkpoint (16.8 MB) is committed in hn-ct-oar-3d-progress/checkpoint and continues on any machine.
# MIRROR=left-right (session 16): flip the patient's left-right axis in half of the patches, swapping the parotids.
# PATCH=64,64,64 (session 17's stage 5, not shipped): 3.3 times the patches per hour; the body fills about 60x45x50
# voxels of each 128^3 CT, so a 96^3 patch is mostly air. Same held-out score as 96^3 (model card).
mirror=(--mirror "${MIRROR:-false}")
[ "${MIRROR:-false}" = left-right ] && mirror+=(--paired-classes RightParotid:LeftParotid)
init=()
[ -n "${INIT:-}" ] && [ ${#resume[@]} -eq 0 ] && init=(--init "$INIT")
tc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$tc" ] && export LD_PRELOAD=$tc
export TF_CPP_MIN_LOG_LEVEL=1
export TF_ENABLE_ONEDNN_OPTS=${TF_ENABLE_ONEDNN_OPTS:-1}
exec java -Xmx11g -jar "$jar" train \
  --images "$data/train/images" --labels "$data/train/labels" \
  --validation-images "$data/select/images" --validation-labels "$data/select/labels" \
  --label-classes "${INDEX:-../shared/data/openkbp/index.csv}" \
  --output "$out" --name hn-ct-oar-3d --dims 3 \
  --classes background,Brainstem,SpinalCord,RightParotid,LeftParotid,Esophagus,Larynx,Mandible \
  --depth ${DEPTH:-3} --filters 16 --batch-norm --normalization ct --spacing median "${mirror[@]}" \
  --patch ${PATCH:-96,96,96} --batch 2 --epochs ${EPOCHS:-40} --steps ${STEPS:-250} --foreground ${FOREGROUND:-0.5} --patience 0 \
  --loss "${LOSS:-dice_ce}" --boundary-weight "${BOUNDARY_WEIGHT:-auto}" --lr "${LR:-1e-3}" --max-hours "${MAX_HOURS:-2.2}" "${resume[@]}" "${init[@]}"
