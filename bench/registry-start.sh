#!/usr/bin/env bash
# QReg start-up cost: how much CPU a fresh registry spends before it answers, with the JVM's default
# JIT against a JVM option set (by default the one the ITs give the registry processes they start:
# C1 only and the serial collector, support/RegistryProcess.java).
#
# Starts the registry jar REPS times with each option set, alternating the two so that both see the
# same machine, each time on a new data directory (initdb, migrations, bootstrap: what a test's child
# registry does), and records the wall time until the bootstrap token is accepted and the JVM's own
# CPU time (user + system, from /proc; the embedded PostgreSQL's is not counted) at that moment. CPU
# time is the figure to compare on a shared machine: wall time there depends on who else runs.
# Prints a Markdown report with the medians.
#
# Usage: bench/registry-start.sh [options]
#   --no-build          use the existing registry-service/target/registry-service.jar
#   --reps N            starts per option set (default 3)
#   --options "OPTS"    the JVM options measured against the default (default
#                       "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
#   --work-dir DIR      parent of the per-run temp dir (default <repo>/target/bench)
#   --keep              keep the temp dir (data dirs, server logs)
#   -h, --help
#
# Environment: JAVA (default: java on PATH).
# Exit status: 0 measured, 2 usage error, 3 the benchmark itself failed.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA:-java}"
BUILD=1
REPS=3
OPTIONS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
WORK_PARENT="$REPO/target/bench"
KEEP=0
COMMAND_LINE="bench/registry-start.sh${*:+ $*}"

# shellcheck source=lib/script.sh
source "$REPO/bench/lib/script.sh"
# shellcheck source=lib/registry-bench.sh
source "$REPO/bench/lib/registry-bench.sh"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) need_int "$1" "${2:-}"; REPS="$2"; shift 2 ;;
    --options) [[ -n "${2:-}" ]] || usage 2; OPTIONS="$2"; shift 2 ;;
    *) common_option "$@"; shift "$OPTION_WORDS" ;;
  esac
done

need_tools curl awk
bench_run_dir registry-start "$WORK_PARENT/last-registry-start-server.log"
bench_facts
bench_build
TICKS_PER_SECOND="$(getconf CLK_TCK)"
RUNS_DIR="$RUN_DIR/runs"
mkdir -p "$RUNS_DIR"

# start_once LABEL OPTS: one start on a new data directory; appends "wall cpu" to $RUNS_DIR/LABEL.
start_once() {
  DATA_DIR="$RUN_DIR/qreg-data-$1-$2"
  local began ready
  began="$(date +%s.%N)"
  QREG_BENCH_SERVER_OPTS="$3" bench_registry
  ready="$(date +%s.%N)"
  awk -v b="$began" -v r="$ready" -v t="$(server_ticks)" -v hz="$TICKS_PER_SECOND" \
    'BEGIN { printf "%.1f %.1f\n", r - b, t / hz }' >>"$RUNS_DIR/$1"
  log "$1 start $2: $(tail -n 1 "$RUNS_DIR/$1") (wall s, CPU s)"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  [[ "$KEEP" -eq 1 ]] || rm -rf -- "$DATA_DIR"
}

for rep in $(seq 1 "$REPS"); do
  start_once default "$rep" ""
  start_once options "$rep" "$OPTIONS"
done

median() {  # median FILE COLUMN
  sort -n -k "$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cat <<EOF
# Registry start-up: default JVM against \`$OPTIONS\`

- Command: \`$COMMAND_LINE\`, revision $GIT_REV, $STARTED_AT
- Machine: $CORES × $CPU_MODEL; $JDK; load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)
- Each start: a new data directory, until the bootstrap token is accepted; $REPS starts each, alternating.

| JVM options | median wall s | median JVM CPU s | every start (wall / CPU s) |
|---|---:|---:|---|
| default (the baseline) | $(median "$RUNS_DIR/default" 1) | $(median "$RUNS_DIR/default" 2) | $(awk '{ printf "%s%s / %s", (NR > 1 ? ", " : ""), $1, $2 }' "$RUNS_DIR/default") |
| \`$OPTIONS\` | $(median "$RUNS_DIR/options" 1) | $(median "$RUNS_DIR/options" 2) | $(awk '{ printf "%s%s / %s", (NR > 1 ? ", " : ""), $1, $2 }' "$RUNS_DIR/options") |
EOF
