#!/usr/bin/env bash
# QReg canary-analysis benchmark: 1,000 active rollouts judged every 10 s, and the routing poll beside them.
#
# Starts a fresh registry (embedded PostgreSQL, temporary QREG_DATA_DIR) on 127.0.0.1, creates a
# GATEWAY account and token, a model with two FP32 checkpoints (A and B) and a deployment "bench"
# whose default tier serves A (the routing poll's target). Then, in the same run:
#   1. baseline: wrk on the 304 path of GET /api/v1/routing/bench (If-None-Match: current ETag),
#      with no rollout active;
#   2. ROLLOUTS active rollouts (bench/RolloutAnalysisLoad.java setup: 20 tiers per deployment, each
#      tier's stable A and a rollout of B at 5% with INTERVAL-second analysis intervals that never
#      pass enough to advance, so every rollout stays active and is judged all along);
#   3. for SECONDS, every rollout gets one healthy health report per interval (spread evenly) while
#      the judge runs, and after a warm-up wrk measures the same 304 path again;
#   4. every rollout's judged intervals in the steady-state window give the lateness of each
#      judgement after its interval ended (p50/p99/max) and the fraction judged within their interval.
# Prints a Markdown report; exits 1 if a target fails.
#
# Usage: bench/rollout-analysis.sh [options]
#   --no-build          use the existing registry-service/target/registry-service.jar
#   --rollouts N        active rollouts (default 1000)
#   --interval S        analysis interval in seconds (default 10)
#   --seconds N         seconds of health reports (default 90)
#   --batch N           rollouts per health-report request (default 20: one deployment's tiers, as one
#                       gateway serving them reports on them together via POST /api/v1/rollouts/health;
#                       1: one request per report, POST /api/v1/rollouts/{id}/health)
#   --wrk-seconds N     measured seconds of each wrk run (default 20)
#   --warmup N          unmeasured wrk seconds before each (default 30: the baseline runs first, right
#                       after the start, and a cold JIT would make it look slower than the later run)
#   --connections N     concurrent pollers (default 100)
#   --threads N         wrk threads (default 2)
#   --work-dir DIR      parent of the per-run temp dir (default <repo>/target/bench)
#   --keep              keep the temp dir (data dir, server log)
#   -h, --help
#
# Environment: JAVA (default: java on PATH), QREG_BENCH_SERVER_OPTS (extra JVM options for the server).
# Exit status: 0 all targets pass, 1 a target fails, 2 usage error, 3 the benchmark itself failed.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA:-java}"
BUILD=1
ROLLOUTS=1000
INTERVAL=10
LOAD_SECONDS=90
BATCH=20
WARMUP_SECONDS=30
SECONDS_PER_URL=20
CONNECTIONS=100
THREADS=2
WORK_PARENT="$REPO/target/bench"
KEEP=0
COMMAND_LINE="bench/rollout-analysis.sh${*:+ $*}"

TARGET_WITHIN=1.0     # fraction of judgements made within their interval, at least
TARGET_COVERAGE=0.95  # judged intervals / intervals that ended in the window, at least
TARGET_RPS=50000      # 304 responses per second with the rollouts active, at least

# shellcheck source=bench/lib/script.sh
source "$REPO/bench/lib/script.sh"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rollouts) need_int "$1" "${2:-}"; ROLLOUTS="$2"; shift 2 ;;
    --interval) need_int "$1" "${2:-}"; INTERVAL="$2"; shift 2 ;;
    --seconds) need_int "$1" "${2:-}"; LOAD_SECONDS="$2"; shift 2 ;;
    --batch) need_int "$1" "${2:-}"; BATCH="$2"; shift 2 ;;
    --warmup) need_int "$1" "${2:-}"; WARMUP_SECONDS="$2"; shift 2 ;;
    --wrk-seconds) need_int "$1" "${2:-}"; SECONDS_PER_URL="$2"; shift 2 ;;
    --connections) need_int "$1" "${2:-}"; CONNECTIONS="$2"; shift 2 ;;
    --threads) need_int "$1" "${2:-}"; THREADS="$2"; shift 2 ;;
    *) common_option "$@"; shift "$OPTION_WORDS" ;;
  esac
done
[[ "$ROLLOUTS" -le 5000 ]] || { echo "--rollouts is capped at 5000" >&2; exit 2; }
[[ "$LOAD_SECONDS" -ge $((3 * INTERVAL)) ]] || { echo "--seconds must cover at least 3 intervals" >&2; exit 2; }
[[ "$LOAD_SECONDS" -ge $((SECONDS_PER_URL + WARMUP_SECONDS + 20)) ]] || { echo "--seconds must exceed --wrk-seconds plus --warmup by 20" >&2; exit 2; }

# shellcheck source=bench/lib/registry-bench.sh
source "$REPO/bench/lib/registry-bench.sh"
bench_start analysis
CHECKPOINT_A="$(upload_checkpoint 1.0.0)"
CHECKPOINT_B="$(upload_checkpoint 1.0.1)"
routing_scene "$CHECKPOINT_A"

# ---------------------------------------------------------------- measure
measure routing-304-baseline "$ROUTING" -H "Authorization: Bearer $GATEWAY_TOKEN" -H "If-None-Match: $ETAG"

log "creating $ROLLOUTS active rollouts with ${INTERVAL} s analysis intervals"
SETUP_T0=$(date +%s)
"$JAVA" "$REPO/bench/RolloutAnalysisLoad.java" setup "$BASE" "$TOKEN" bench-model "$CHECKPOINT_A" "$CHECKPOINT_B" \
  "$ROLLOUTS" "$INTERVAL" "$RUN_DIR/rollouts.txt" >"$RUN_DIR/setup.txt" || die "setup failed: $(cat "$RUN_DIR/setup.txt")"
log "  $(tr '\n' ' ' <"$RUN_DIR/setup.txt")in $(( $(date +%s) - SETUP_T0 )) s"
# The bench deployment's own routing is untouched by the others: its ETag still holds.
code="$(curl -s -o /dev/null -w '%{http_code}' "${GW[@]}" -H "If-None-Match: $ETAG" "$ROUTING")"
[[ "$code" == 304 ]] || die "after the setup, GET with If-None-Match $ETAG: HTTP $code, expected 304"

log "health reports for $LOAD_SECONDS s (one per rollout per ${INTERVAL} s, $BATCH per request) while the judge runs"
J0=$(server_ticks)
"$JAVA" "$REPO/bench/RolloutAnalysisLoad.java" load "$BASE" "$GATEWAY_TOKEN" "$TOKEN" "$RUN_DIR/rollouts.txt" \
  "$LOAD_SECONDS" "$INTERVAL" "$BATCH" >"$RUN_DIR/load.txt" 2>"$RUN_DIR/load.err" &
LOAD_PID=$!
BENCH_PIDS+=("$LOAD_PID")
sleep 10
measure routing-304-with-rollouts "$ROUTING" -H "Authorization: Bearer $GATEWAY_TOKEN" -H "If-None-Match: $ETAG"
wait "$LOAD_PID" || die "the load generator failed: $(cat "$RUN_DIR/load.err")"
J1=$(server_ticks)
val() { figure "$1" "$RUN_DIR/load.txt"; }
log "  $(tr '\n' ' ' <"$RUN_DIR/load.txt")"

# ---------------------------------------------------------------- report
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
UPTIME_END="$(uptime)"
IFS='|' read -r _ BASE_RPS _ _ BASE_P99 _ _ BASE_ERRS _ <<<"${RESULTS[0]}"
IFS='|' read -r _ RPS _ _ P99 _ _ ERRS _ <<<"${RESULTS[1]}"
JUDGED="$(val intervals_judged)"; EXPECTED="$(val intervals_expected)"; WITHIN="$(val judged_within_interval)"
COVERAGE="$(awk -v j="$JUDGED" -v e="$EXPECTED" 'BEGIN { printf "%.3f", (e > 0 ? j / e : 0) }')"
WITHIN_V=FAIL; ge "$WITHIN" "$TARGET_WITHIN" && WITHIN_V=PASS
COVERAGE_V=FAIL; ge "$COVERAGE" "$TARGET_COVERAGE" && COVERAGE_V=PASS
RPS_V=FAIL; ge "$RPS" "$TARGET_RPS" && RPS_V=PASS
[[ "$ERRS" == 0 && "$BASE_ERRS" == 0 ]] || RPS_V=FAIL
[[ "$(val reports_failed)" == 0 ]] || COVERAGE_V=FAIL
FAILED=0; [[ "$WITHIN_V" == PASS && "$COVERAGE_V" == PASS && "$RPS_V" == PASS ]] || FAILED=1
describe() {
  case "$1" in
    routing-304-baseline) echo "no rollout active (baseline)" ;;
    routing-304-with-rollouts) echo "$ROLLOUTS rollouts active, reports and judge running" ;;
  esac
}
{
  echo "## Canary analysis ($STARTED_AT)"
  echo
  echo "Command: \`$COMMAND_LINE\` (repo rev \`$GIT_REV\`); $WRK_VERSION on the same machine."
  echo
  echo "Machine: ${CPU_MODEL:-unknown}, \`nproc\` $CORES; $JDK."
  echo "\`uptime\` at start: $UPTIME_START"
  echo "\`uptime\` at end: $UPTIME_END"
  echo
  echo "$ROLLOUTS active rollouts, ${INTERVAL} s intervals, $(val reports_sent) health reports in $LOAD_SECONDS s ($(val reports_per_second)/s, $BATCH per request, $(val reports_failed) failed); registry CPU during the load $(awk -v t=$((J1 - J0)) -v hz="$(getconf CLK_TCK)" -v s="$LOAD_SECONDS" 'BEGIN { printf "%.0f", t / hz / s * 100 }')% of one core (wrk's run included)."
  echo
  echo "| judgements (steady state) | figure |"
  echo "|---|---:|"
  echo "| intervals judged / ended in the window | $JUDGED / $EXPECTED |"
  echo "| passed / no data / failed | $(val intervals_passed) / $(val intervals_no_data) / $(val intervals_failed) |"
  echo "| lateness after the interval ended, p50 | $(val lateness_p50_ms) ms |"
  echo "| lateness p99 | $(val lateness_p99_ms) ms |"
  echo "| lateness max | $(val lateness_max_ms) ms |"
  echo "| judged within their interval (${INTERVAL} s) | $WITHIN |"
  echo
  results_table "routing poll, 304 path ($CONNECTIONS connections, ${SECONDS_PER_URL} s)" describe
  echo
  echo "| target | figure | threshold | verdict |"
  echo "|---|---:|---:|---|"
  echo "| judgements made within their interval | $WITHIN | >= $TARGET_WITHIN | $WITHIN_V |"
  echo "| intervals judged / ended (none skipped) | $COVERAGE | >= $TARGET_COVERAGE | $COVERAGE_V |"
  echo "| 304 responses/s with the rollouts active | $RPS | >= $TARGET_RPS | $RPS_V |"
  echo "| (304 responses/s without them, same run) | $BASE_RPS | - | - |"
} | tee "$WORK_PARENT/last-analysis-report.md"
exit "$FAILED"
