#!/usr/bin/env bash
# QReg routing-config poll benchmark: the 304 path gateways hit all day.
#
# Starts a fresh registry (embedded PostgreSQL, temporary QREG_DATA_DIR) on 127.0.0.1, creates a
# GATEWAY account and token, a deployment whose default tier serves the model's FP32 checkpoint,
# and then runs wrk with N concurrent keep-alive pollers against three URLs, one after the other,
# in the same run: a baseline (GET /actuator/health/liveness: no token, no database), the unconditional
# 200 path of GET /api/v1/routing/{deployment}, and the 304 path (the same GET with If-None-Match
# naming the current ETag), each as fast as wrk can go; then the 304 path once more, paced at the
# target rate (every poller waits CONNECTIONS/5000 s between polls, wrk's delay() hook), because a
# closed loop at saturation measures queueing for the two cores, not the service: the throughput
# target is judged on the saturated run, the p99 target at the target rate. Prints a Markdown
# report; exits 1 if a target fails.
#
# Usage: bench/routing-poll.sh [options]
#   --no-build          use the existing registry-service/target/registry-service.jar
#   --seconds N         measured seconds per URL (default 20; each also gets a 5 s warm-up)
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
SECONDS_PER_URL=20
CONNECTIONS=100
THREADS=2
WORK_PARENT="$REPO/target/bench"
KEEP=0
COMMAND_LINE="bench/routing-poll.sh${*:+ $*}"

TARGET_RPS=5000   # 304 responses per second at CONNECTIONS pollers, at least
TARGET_P99_MS=10  # 304 p99 latency, below

# shellcheck source=bench/lib/script.sh
source "$REPO/bench/lib/script.sh"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) need_int "$1" "${2:-}"; SECONDS_PER_URL="$2"; shift 2 ;;
    --connections) need_int "$1" "${2:-}"; CONNECTIONS="$2"; shift 2 ;;
    --threads) need_int "$1" "${2:-}"; THREADS="$2"; shift 2 ;;
    *) common_option "$@"; shift "$OPTION_WORDS" ;;
  esac
done
[[ "$SECONDS_PER_URL" -le 300 ]] || { echo "--seconds is capped at 300" >&2; exit 2; }
[[ "$CONNECTIONS" -le 1000 ]] || { echo "--connections is capped at 1000" >&2; exit 2; }

# shellcheck source=bench/lib/registry-bench.sh
source "$REPO/bench/lib/registry-bench.sh"
bench_start routing
routing_scene "$(upload_checkpoint 1.0.0)"

# ---------------------------------------------------------------- measure
measure baseline "$BASE/actuator/health/liveness"
measure routing-200 "$ROUTING" -H "Authorization: Bearer $GATEWAY_TOKEN"
measure routing-304 "$ROUTING" -H "Authorization: Bearer $GATEWAY_TOKEN" -H "If-None-Match: $ETAG"
PACE_MS=$(( CONNECTIONS * 1000 / TARGET_RPS ))
printf 'function delay()\n  return %d\nend\n' "$PACE_MS" >"$RUN_DIR/paced.lua"
measure routing-304-paced "$ROUTING" -s "$RUN_DIR/paced.lua" -H "Authorization: Bearer $GATEWAY_TOKEN" \
  -H "If-None-Match: $ETAG"

# ---------------------------------------------------------------- report
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
IFS='|' read -r _ RPS _ _ SAT_P99 _ _ ERRS _ <<<"${RESULTS[2]}"
IFS='|' read -r _ PACED_RPS _ _ P99 _ _ PACED_ERRS _ <<<"${RESULTS[3]}"
ERRS=$((ERRS + PACED_ERRS))
RPS_V=FAIL; ge "$RPS" "$TARGET_RPS" && RPS_V=PASS
P99_V=FAIL; lt "$P99" "$TARGET_P99_MS" && P99_V=PASS
[[ "$ERRS" == 0 ]] || { RPS_V=FAIL; P99_V=FAIL; }
FAILED=0; [[ "$RPS_V" == PASS && "$P99_V" == PASS ]] || FAILED=1
describe() {
  case "$1" in
    baseline) echo "baseline \`GET /actuator/health/liveness\` (no token, no database)" ;;
    routing-200) echo "\`GET /api/v1/routing/{d}?environment=\` → 200" ;;
    routing-304) echo "\`GET /api/v1/routing/{d}?environment=\` + \`If-None-Match\` → 304" ;;
    routing-304-paced) echo "the same 304, each poller once per $PACE_MS ms ($TARGET_RPS req/s offered)" ;;
  esac
}
{
  echo "## Routing poll ($STARTED_AT)"
  echo
  echo "Command: \`$COMMAND_LINE\` (repo rev \`$GIT_REV\`); $WRK_VERSION on the same machine."
  echo
  echo "Machine: ${CPU_MODEL:-unknown}, $CORES cores; $JDK; load average at start / end $LOAD_START / $LOAD_END."
  echo "Routing config: 1 environment, 1 rule, $BODY_BYTES bytes."
  echo
  results_table "URL ($CONNECTIONS connections, ${SECONDS_PER_URL} s)" describe
  echo
  echo "| target | figure | threshold | verdict |"
  echo "|---|---:|---:|---|"
  echo "| 304 responses/s at $CONNECTIONS pollers | $RPS | >= $TARGET_RPS | $RPS_V |"
  echo "| 304 p99 at $PACED_RPS req/s ($CONNECTIONS pollers paced to $TARGET_RPS/s) | $P99 ms | < $TARGET_P99_MS ms | $P99_V |"
  echo "| (304 p99 when saturated, for reference) | $SAT_P99 ms | - | - |"
} | tee "$WORK_PARENT/last-routing-report.md"
exit "$FAILED"
