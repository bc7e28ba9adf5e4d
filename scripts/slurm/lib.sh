# Shared by the SLURM scripts in this folder; sourced after they have found the installation.
# SLURM runs a copy of a batch script from its spool folder, so a script cannot find its siblings from its
# own path: each looks in $UNETSEG_HOME, else in the folder it was submitted from ($SLURM_SUBMIT_DIR).

# An absolute path: relative ones are taken from the submit folder, as the user typed them there.
unetseg_path() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "${SLURM_SUBMIT_DIR:-$PWD}/$1" ;;
  esac
}

# Sets UNETSEG_JAVA_OPTS (heap, the job's memory limit for tile sizes, node-local native-library cache)
# and UNETSEG_THREADS from the job's allocation. The heap gets half of the job's memory: TensorFlow's
# native memory lives outside it, and a job that outgrows its --mem is killed whole by the cgroup limit.
unetseg_resources() {
  local mem=${SLURM_MEM_PER_NODE:-}
  if [ -z "$mem" ] && [ -n "${SLURM_MEM_PER_CPU:-}" ]; then
    mem=$(( SLURM_MEM_PER_CPU * ${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-1}} ))
  fi
  local opts=""
  if [ -n "$mem" ]; then
    if [ "$mem" -lt "${UNETSEG_MIN_MEM_MB:-2048}" ]; then
      echo "unetseg: this task has ${mem} MB (--mem); it needs at least ${UNETSEG_MIN_MEM_MB:-2048} MB (a 1 GB Java heap plus" \
        "TensorFlow's native memory; a 3D model with 16 filters takes about 24 bytes per voxel and filter of each tile)." \
        "Fix: submit with --mem=8G" >&2
      return 2
    fi
    opts="-Xmx$(( mem / 2 ))m -Dunetseg.memoryLimit=${mem}m"
  fi
  # JavaCPP unpacks TensorFlow's native libraries (about 650 MB) once per cache folder: a node-local one,
  # not the shared home that concurrent tasks on many nodes would write at once
  local cache="${UNETSEG_NATIVE_CACHE:-${TMPDIR:-/tmp}/unetseg-javacpp-$(id -u)}"
  mkdir -p "$cache"
  export UNETSEG_JAVA_OPTS="${UNETSEG_JAVA_OPTS:-$opts} -Dorg.bytedeco.javacpp.cachedir=$cache"
  export UNETSEG_THREADS=${SLURM_CPUS_PER_TASK:-0}
  echo "unetseg: ${mem:-unlimited} MB for this task (${UNETSEG_JAVA_OPTS# }), ${UNETSEG_THREADS} TensorFlow threads (0 = all cores)" >&2
}

# Shard "i/n" of an array task: --array=1-16 and --array=0-30:2 number their tasks 0..n-1 too.
# Lists of task ids (--array=1,4,9) are refused: their ids do not map to consecutive shards.
unetseg_shard() {
  local id=${SLURM_ARRAY_TASK_ID:-0} min=${SLURM_ARRAY_TASK_MIN:-0} step=${SLURM_ARRAY_TASK_STEP:-1} n=${SLURM_ARRAY_TASK_COUNT:-1}
  local i=$(( (id - min) / step ))
  if [ $(( (id - min) % step )) -ne 0 ] || [ "$i" -ge "$n" ]; then
    echo "unetseg: array task $id does not fit --array=$min-${SLURM_ARRAY_TASK_MAX:-?}:$step ($n tasks). Fix: submit a range" \
      "such as --array=0-15 or --array=0-30:2, not a list" >&2
    return 2
  fi
  printf '%s/%s\n' "$i" "$n"
}
