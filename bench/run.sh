#!/usr/bin/env bash
# Benchmarks of unetseg; never part of 'mvn test'. Usage: bench/run.sh [rss|throughput|tileread|objects|metrics|twin|ct-roundtrip|bioimageio|large|large2d|huge|huge3d|profile|all] [args]
# Builds the project if needed, compiles bench/src against it, runs the chosen benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d target/lib ] && ls target/unetseg-*.jar >/dev/null 2>&1 || mvn -q -B package -DskipTests
out=bench/out/classes
rm -rf "$out" && mkdir -p "$out"
[ -d target/test-classes/io/github/unetseg/testutil ] || mvn -q -B test-compile
javac -proc:none -nowarn -d "$out" -cp "target/classes:target/test-classes:target/lib/*" $(find bench/src -name '*.java')
twin() {
  # the same network, same weights, same batch and threads in TensorFlow Java (ours), PyTorch and ONNX Runtime
  /usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "twin needs Debian's python3-torch: apt-get install -y python3-torch" >&2; exit 2; }
  mkdir -p bench/out/lib
  [ -f bench/out/lib/onnxruntime-1.20.0.jar ] || mvn -q -B dependency:copy -Dartifact=com.microsoft.onnxruntime:onnxruntime:1.20.0 -DoutputDirectory=bench/out/lib
  javac -proc:none -nowarn -d "$out" -cp "target/classes:target/lib/*:bench/out/lib/*" bench/src-onnx/io/github/unetseg/bench/OnnxBench.java
  [ -d bench/out/large2d ] || java -cp "$cp" io.github.unetseg.bench.RandomModel bench/out/large2d 2 4 32
  [ -d bench/out/large3d ] || java -cp "$cp" io.github.unetseg.bench.RandomModel bench/out/large3d 3 3 16 batchnorm
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/matmul_peak.py
  for spec in "models/brain-mri-2d 8 256" "models/brain-mri-3d 2 96" "bench/out/large2d 4 256" "bench/out/large3d 1 96"; do
    set -- $spec
    name=$(basename "$1")
    echo "== $name, batch $2 of $3^d, 2 threads"
    java -cp "$cp" io.github.unetseg.bench.TwinExport "$1" "bench/out/twin-$name" "$2" "$3" 10
    /usr/bin/python3 bench/pytorch_twin.py "bench/out/twin-$name" 2 5 | grep -v exported
    java -cp "$cp:bench/out/lib/*" io.github.unetseg.bench.OnnxBench "bench/out/twin-$name" 2 10
  done
  java -cp "$cp" io.github.unetseg.bench.TrainBench 2 3 16 8 256 5
  java -cp "$cp" io.github.unetseg.bench.TrainBench 3 2 8 2 96 3 batchnorm
  java -Dprecision=mixed -cp "$cp" io.github.unetseg.bench.TrainBench 2 3 16 8 256 5
  java -Dprecision=mixed -cp "$cp" io.github.unetseg.bench.TrainBench 3 2 8 2 96 3 batchnorm
}
cp="$out:target/classes:target/test-classes:target/lib/*"
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
what=${1:-all}; shift || true
case "$what" in
  rss) java -Xmx512m -cp "$cp" io.github.unetseg.bench.RssBench "$@" ;;
  tileread) java -Xmx2g -cp "$cp" io.github.unetseg.bench.TileReadBench bench/out ;;
  # objects next to the network on a 2048² nuclei mosaic, and touching discs: bench/run.sh objects [MODEL_DIR]
  objects) java -Xmx6g -cp "$cp" io.github.unetseg.bench.ObjectsBench "${1:-models/nuclei-fluo-2d}" ../shared/data/dsb2018 ;;
  throughput) java -Xmx8g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.github.unetseg.bench.ThroughputBench "$@" ;;
  metrics)
    command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import scipy' 2>/dev/null || {
      echo "metrics needs Debian's python3-scipy: apt-get install -y python3-scipy" >&2; exit 2; }
    java -Xmx6g -cp "$cp" io.github.unetseg.bench.MetricsBench bench/out | tee bench/out/java.txt
    /usr/bin/python3 bench/metrics_reference.py bench/out | tee bench/out/scipy.txt
    python3 - <<'PY'
import re
j = float(re.search(r"time ([0-9.]+)", open("bench/out/java.txt").read()).group(1))
s = float(re.search(r"time ([0-9.]+)", open("bench/out/scipy.txt").read()).group(1))
print("speed-up of unetseg over scipy: %.1fx" % (s / j))
PY
    ;;
  twin) twin ;;
  ct-roundtrip)
    # issue 14: the head-and-neck model on the held-out CTs with 2.5 mm slices (after models/make/PrepareOpenKbp.java into
    # CT_DATA): each resampled to 3.0 mm slices and back, Dice per organ to the direct result; each direct run's warm time
    data=${CT_DATA:-/work/ct-data}
    files=$(awk -F, -v d="$data" '$3=="test" && $4 ~ / 2.5000$/ {print d "/test/images/" $1 ".nii.gz"}' models/make/openkbp-split.csv)
    LD_PRELOAD=$(ls /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 2>/dev/null || true) \
      java -Xmx6g -cp "$cp" io.github.unetseg.bench.SpacingRoundTrip "${1:-models/hn-ct-oar-3d}" 2.5 3.0 $files ;;
  large2d)
    # a SIZE^2 BigTIFF (default 8192) with the 2D model and the same tile grid: streamed with -Xmx2g (band of rows,
    # BigTIFF rows out) versus in memory; each line reports time, voxels/s and peak RSS
    size=${1:-8192}
    mkdir -p bench/out/large2d
    [ -f "bench/out/large2d/mosaic-$size.btf" ] || java -cp "$cp" io.github.unetseg.bench.MosaicBigTiff "$size" "bench/out/large2d/mosaic-$size.btf"
    for i in 1 2 3; do
      rm -rf bench/out/large2d/streamed bench/out/large2d/memory
      UNETSEG_JAVA_OPTS="-Xmx2g -Dunetseg.streamingBytes=0" bin/unetseg segment --model models/brain-mri-2d --tile 512 --threads 2 \
        --output bench/out/large2d/streamed "bench/out/large2d/mosaic-$size.btf" 2>/dev/null | grep 'tiles of' | sed 's/^/streamed: /'
      UNETSEG_JAVA_OPTS="-Xmx6g" bin/unetseg segment --model models/brain-mri-2d --tile 512 --threads 2 --postprocess none \
        --output bench/out/large2d/memory "bench/out/large2d/mosaic-$size.btf" 2>/dev/null | grep 'tiles of' | sed 's/^/in memory: /'
    done ;;
  huge)
    # issue 16's targets: a SIZE^2 (default 50,000^2) uint8 tiled BigTIFF with the 2D model, -Xmx2g, labels only, timed with its peak RSS;
    # then 8 random 1024^2 regions of the result against segmenting each (with 128 pixels of context) alone
    size=${1:-50000}
    mkdir -p bench/out/huge
    [ -f "bench/out/huge/mosaic-$size.btf" ] || java -cp "$cp" io.github.unetseg.bench.HugeImages write2d "bench/out/huge/mosaic-$size.btf" "$size"
    # the model with its percentile normalisation fixed to the whole image's values, so that a region alone is normalised alike
    java -Xmx2g -cp "$cp" io.github.unetseg.bench.HugeImages fixmodel "bench/out/huge/mosaic-$size.btf" models/brain-mri-2d bench/out/huge/model
    rm -rf bench/out/huge/out
    /usr/bin/time -v env UNETSEG_JAVA_OPTS="-Xmx2g" bin/unetseg segment --model bench/out/huge/model --tile 512 --threads 2 --stream always \
      --output bench/out/huge/out "bench/out/huge/mosaic-$size.btf" 2>&1 | grep -E 'tiles of|Maximum resident|Elapsed \(wall'
    java -Xmx4g -cp "$cp" io.github.unetseg.bench.HugeImages check "bench/out/huge/mosaic-$size.btf" \
      "bench/out/huge/out/mosaic-${size}_labels.btf" bench/out/huge/model 512 8 1024 128 2>/dev/null ;;
  huge3d)
    # a X x Y x Z uint16 OME-TIFF z-stack (default 2048 x 2048 x 512, 4 GiB) with the 3D model, -Xmx2g, labels only; 8 regions of 128^3
    x=${1:-2048}; y=${2:-2048}; z=${3:-512}
    mkdir -p bench/out/huge3d
    f="bench/out/huge3d/stack-$x-$y-$z.ome.btf"
    [ -f "$f" ] || java -cp "$cp" io.github.unetseg.bench.HugeImages write3d "$f" "$x" "$y" "$z"
    java -Xmx2g -cp "$cp" io.github.unetseg.bench.HugeImages fixmodel "$f" models/brain-mri-3d bench/out/huge3d/model
    rm -rf bench/out/huge3d/out
    /usr/bin/time -v env UNETSEG_JAVA_OPTS="-Xmx2g" bin/unetseg segment --model bench/out/huge3d/model --tile ${TILE:-160} --threads 2 --stream always \
      --orientation none --output bench/out/huge3d/out "$f" 2>&1 | grep -E 'tiles of|Maximum resident|Elapsed \(wall'
    java -Xmx6g -cp "$cp" io.github.unetseg.bench.HugeImages check "$f" "bench/out/huge3d/out/stack-$x-$y-${z}_labels.nii" \
      bench/out/huge3d/model 96 8 128 48 2>/dev/null ;;
  bioimageio)
    # a zoo package (default: the specification's example) tiled by unetseg vs its TorchScript weights on the whole image in
    # PyTorch, and ms per 512^2 tile: ONNX Runtime in unetseg vs PyTorch, 2 threads. Needs Debian's python3-torch.
    pkg=${1:-../shared/bioimageio/unet2d_nuclei_broad}
    img=${2:-../shared/data/dsb2018/images/08275a5b1c2dfcd739e8c4888a5ee2d29f83eccfa75185404ced1dc0866ea992.png}
    /usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bioimageio needs Debian's python3-torch: apt-get install -y python3-torch" >&2; exit 2; }
    mkdir -p bench/out/bioimageio
    /usr/bin/python3 bench/bioimageio_torch.py whole "$pkg" "$img" bench/out/bioimageio/whole.npy
    for halo in 32 64; do
      rm -rf "bench/out/bioimageio/halo$halo"
      bin/unetseg segment --model "$pkg" --tile 512 --halo $halo --border same --probabilities --threads 2 \
        --output "bench/out/bioimageio/halo$halo" "$img" 2>/dev/null | grep 'tiles of'
      /usr/bin/python3 bench/bioimageio_torch.py compare bench/out/bioimageio/halo$halo/*_probabilities.tif bench/out/bioimageio/whole.npy
    done
    for i in 1 2 3; do
      java -cp "$cp" io.github.unetseg.bench.PackageTileBench "$pkg" 2 20 2>/dev/null
      /usr/bin/python3 bench/bioimageio_torch.py time "$pkg" 2 20
    done ;;
  large)
    # a 4 GiB volume segmented with the Java heap capped at 1 GiB; writes ~6 GiB under bench/out/large
    java -Xmx1g -cp "$cp" io.github.unetseg.bench.LargeVolumeBench bench/out/large "$@"
    rm -f bench/out/large/large.nii bench/out/large/out/large_labels.nii ;;
  profile)
    # per-op kernel times of one batch: bench/run.sh profile MODEL_DIR BATCH TILE_X TILE_Y [TILE_Z]; BENCH_JAVA_OPTS=-Dprecision=mixed for mixed precision
    java ${BENCH_JAVA_OPTS:-} -cp "$cp" io.github.unetseg.bench.OpProfile "$@" | grep -v '^20' ;;
  all) java -Xmx512m -cp "$cp" io.github.unetseg.bench.RssBench
       java -Xmx8g -cp "$cp" io.github.unetseg.bench.ThroughputBench ;;
  *) echo "usage: bench/run.sh [rss|throughput|tileread|metrics|twin|large|profile|all]" >&2; exit 2 ;;
esac
