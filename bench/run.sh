#!/usr/bin/env bash
# Benchmarks of unetseg; never part of 'mvn test'. Usage: bench/run.sh [rss|throughput|metrics|all] [args]
# Builds the project if needed, compiles bench/src against it, runs the chosen benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d target/lib ] && ls target/unetseg-*.jar >/dev/null 2>&1 || mvn -q -B package -DskipTests
out=bench/out/classes
rm -rf "$out" && mkdir -p "$out"
javac -proc:none -nowarn -d "$out" -cp "target/classes:target/lib/*" $(find bench/src -name '*.java')
cp="$out:target/classes:target/lib/*"
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
what=${1:-all}; shift || true
case "$what" in
  rss) java -Xmx512m -cp "$cp" io.github.unetseg.bench.RssBench "$@" ;;
  throughput) java -Xmx8g -cp "$cp" io.github.unetseg.bench.ThroughputBench "$@" ;;
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
  all) java -Xmx512m -cp "$cp" io.github.unetseg.bench.RssBench
       java -Xmx8g -cp "$cp" io.github.unetseg.bench.ThroughputBench ;;
  *) echo "usage: bench/run.sh [rss|throughput|metrics|all]" >&2; exit 2 ;;
esac
