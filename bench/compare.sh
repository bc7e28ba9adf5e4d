#!/usr/bin/env bash
# Issue 16's throughput check: the same file segmented streamed (-Xmx2g) and in memory (-Xmx8g) with the same tile grid
# and batch, alternating, ROUNDS rounds (default 2): a 12,000^2 uint8 BigTIFF with the 2D model (tile 512, batch 10) and
# a 1024^2 x 160 uint16 OME-TIFF with the 3D model (tile 128, batch 2). Run on an idle machine; prints each file's line.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d target/lib ] && ls target/unetseg-*.jar >/dev/null 2>&1 || mvn -q -B package -DskipTests
[ -d target/test-classes/io/github/unetseg/testutil ] || mvn -q -B test-compile
out=bench/out/compare-classes
rm -rf "$out" && mkdir -p "$out"
javac -proc:none -nowarn -d "$out" -cp "target/classes:target/test-classes:target/lib/*" $(find bench/src -name '*.java')
cp="$out:target/classes:target/test-classes:target/lib/*"
mkdir -p bench/out/huge bench/out/huge3d
img2=bench/out/huge/mosaic-12000.btf img3=bench/out/huge3d/stack-1024-1024-160.ome.btf
[ -f "$img2" ] || java -cp "$cp" io.github.unetseg.bench.HugeImages write2d "$img2" 12000
[ -f "$img3" ] || java -cp "$cp" io.github.unetseg.bench.HugeImages write3d "$img3" 1024 1024 160
# models with the percentile normalisation fixed to the whole image's values (as bench/run.sh huge)
java -Xmx2g -cp "$cp" io.github.unetseg.bench.HugeImages fixmodel "$img2" models/brain-mri-2d bench/out/huge/model12
java -Xmx2g -cp "$cp" io.github.unetseg.bench.HugeImages fixmodel "$img3" models/brain-mri-3d bench/out/huge3d/model1024
run() { # mode model tile batch image [options]
  local mode=$1 model=$2 tile=$3 batch=$4 img=$5; shift 5
  rm -rf bench/out/compare
  /usr/bin/time -v env UNETSEG_JAVA_OPTS="$([ "$mode" = always ] && echo -Xmx2g || echo -Xmx8g)" bin/unetseg segment --model "$model" \
    --tile "$tile" --batch "$batch" --threads 2 --stream "$mode" "$@" --output bench/out/compare "$img" 2>&1 |
    grep -E 'tiles of|Maximum resident' | sed "s/^/$mode: /"
}
for round in $(seq "${ROUNDS:-2}"); do
  for mode in always never; do run $mode bench/out/huge/model12 512 10 "$img2"; done
  for mode in always never; do run $mode bench/out/huge3d/model1024 128 2 "$img3" --orientation none; done
done
rm -rf bench/out/compare
