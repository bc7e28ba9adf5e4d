#!/usr/bin/env bash
# Diagnosis of small CT organs collapsing early in training (issue 14, session 7): a small 3D U-Net (depth 3, 8
# filters, 48^3 patches) on a subset of prepared OpenKBP cases (SMALL: folder with train/ and select/, each images/ and
# labels/; session 7 used the first 24 training and 4 selection cases as links), one run per loss, printing the
# validation Dice per class and epoch. Session 7: Brainstem after 8 x 60 steps 0.41 (dice_ce) vs 0.71 (dice).
set -u
small=${SMALL:-/work/ct-small}
jar=${JAR:-/work/train-build/unetseg-0.1.0-SNAPSHOT.jar}
tc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$tc" ] && export LD_PRELOAD=$tc
export TF_ENABLE_ONEDNN_OPTS=${TF_ENABLE_ONEDNN_OPTS:-1} TF_CPP_MIN_LOG_LEVEL=2
for loss in ${LOSSES:-dice_ce dice}; do
  out=${OUT:-/work/runs}/diag-$loss
  rm -rf "$out"
  java -Xmx8g -jar "$jar" train \
    --images "$small/train/images" --labels "$small/train/labels" \
    --validation-images "$small/select/images" --validation-labels "$small/select/labels" \
    --label-classes "${INDEX:-../shared/data/openkbp/index.csv}" --output "$out" --name diag --dims 3 \
    --classes background,Brainstem,SpinalCord,RightParotid,LeftParotid,Esophagus,Larynx,Mandible \
    --depth 3 --filters 8 --normalization ct --spacing median --mirror false --patch 48,48,48 --batch 2 \
    --epochs "${EPOCHS:-8}" --steps "${STEPS:-60}" --foreground 0.5 --patience 0 --loss "$loss" > "$out.log" 2>&1
  echo "== $loss"
  grep '^epoch' "$out.log"
done
