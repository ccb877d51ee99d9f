#!/usr/bin/env bash
# End to end on a real SLURM cluster (e.g. the one-node cluster of slurm-local.sh):
# `optlab emit slurm` writes the scripts of a sweep, its submit.sh submits the
# job array and the merge job, and the merged result is compared with the
# single-machine `optlab run` of the same scenario: every file the same, the
# CSVs but for wall_ms, the report but for its wall-time column.
#
# Usage: tools/slurm_e2e.sh [OPTLAB] [WORK_DIR]
#   OPTLAB    the optlab binary (default: target/release/optlab)
#   WORK_DIR  a folder every node sees (default: a new folder under /tmp)
set -euo pipefail

optlab=$(realpath "${1:-target/release/optlab}")
work=${2:-$(mktemp -d /tmp/optlab-slurm-e2e.XXXXXX)}
mkdir -p "$work"
work=$(realpath "$work")
command -v sbatch >/dev/null || { echo "sbatch not found: no SLURM here" >&2; exit 2; }
sinfo -h >/dev/null || { echo "sinfo failed: is slurmctld running?" >&2; exit 2; }

fail() { echo "FAIL: $*" >&2; exit 1; }

# The CSV without its wall_ms column (optlab's labels here hold no commas).
without_wall_ms() {
  local col
  col=$(head -1 "$1" | tr , '\n' | grep -nx wall_ms | cut -d: -f1)
  cut -d, -f"1-$((col - 1)),$((col + 1))-" "$1"
}

# Every file of two result folders the same.
same_results() {
  local a=$1 b=$2 f
  [ "$(cd "$a" && ls)" = "$(cd "$b" && ls)" ] || fail "$a and $b hold different files"
  for f in steps.csv summary.csv; do
    cmp -s <(without_wall_ms "$a/$f") <(without_wall_ms "$b/$f") || fail "$f differs beyond wall_ms"
  done
  cmp -s <(sed -E 's/\| [0-9.]+ (µs|ms|s) \|$/| |/' "$a/report.md") \
         <(sed -E 's/\| [0-9.]+ (µs|ms|s) \|$/| |/' "$b/report.md") || fail "report.md differs beyond wall time"
  for f in "$a"/*.svg "$a"/scenario.toml; do
    cmp -s "$f" "$b/$(basename "$f")" || fail "$(basename "$f") differs"
  done
}

# Wait until a job has left the queue (at most 10 minutes).
wait_for() {
  local job=$1 i
  for i in $(seq 600); do
    squeue -h -j "$job" 2>/dev/null | grep -q . || return 0
    sleep 1
  done
  fail "job $job still queued after 10 minutes"
}

cat > "$work/sweep.toml" <<'TOML'
name = "SLURM sweep"
steps = 200
seeds = 3
[objective]
kind = "softmax"
batch_size = 16
[objective.dataset]
builtin = "blobs"
samples = 300
[[optimizer]]
kind = "sgd"
label = "SGD"
momentum = 0.9
sweep = { lr = [0.01, 0.03, 0.1, 0.3] }
[[optimizer]]
kind = "adam"
label = "Adam"
sweep = { lr = [0.001, 0.003, 0.01, 0.03] }
TOML

shards=4
echo "== optlab emit slurm $work/sweep.toml --shards $shards --out $work/sweep --optlab $optlab"
"$optlab" emit slurm "$work/sweep.toml" --shards "$shards" --out "$work/sweep" --optlab "$optlab"
start=$(date +%s.%N)
echo "== bash $work/sweep/submit.sh"
out=$(bash "$work/sweep/submit.sh")
echo "$out"
merge=$(echo "$out" | sed -n 's/.*then merge job \([0-9][0-9]*\).*/\1/p')
[ -n "$merge" ] || fail "no merge job id in the output of submit.sh"
wait_for "$merge"
end=$(date +%s.%N)
[ -f "$work/sweep/result/summary.csv" ] || { cat "$work/sweep/logs/"* >&2; fail "the merge job wrote no result"; }
echo "== the merge job's log"
cat "$work/sweep/logs/merge.out"
runs=$(($(wc -l < "$work/sweep/result/summary.csv") - 1))
awk -v s="$start" -v e="$end" -v r="$runs" -v n="$shards" \
  'BEGIN { printf "submitted to merged: %.1f s for %d runs in %d shards\n", e - s, r, n }'

echo "== optlab run $work/sweep/scenario.toml (one machine)"
"$optlab" run "$work/sweep/scenario.toml" --quiet --out "$work/sweep-single"
same_results "$work/sweep-single" "$work/sweep/result"
echo "OK: $runs runs in $shards SLURM shards merged equal the single-machine run (every column but wall_ms)"
