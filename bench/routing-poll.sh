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

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit "${1:-2}"; }
die() { echo "routing-poll: $*" >&2; exit 3; }
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
need_int() { [[ "$2" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "$1 needs a positive integer, got '$2'" >&2; exit 2; }; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --seconds) need_int "$1" "${2:-}"; SECONDS_PER_URL="$2"; shift 2 ;;
    --connections) need_int "$1" "${2:-}"; CONNECTIONS="$2"; shift 2 ;;
    --threads) need_int "$1" "${2:-}"; THREADS="$2"; shift 2 ;;
    --work-dir) [[ -n "${2:-}" ]] || usage 2; WORK_PARENT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done
[[ "$SECONDS_PER_URL" -le 300 ]] || { echo "--seconds is capped at 300" >&2; exit 2; }
[[ "$CONNECTIONS" -le 1000 ]] || { echo "--connections is capped at 1000" >&2; exit 2; }

for tool in curl jq awk wrk "$JAVA"; do
  command -v "$tool" >/dev/null || die "missing tool: $tool (wrk: apt-get install -y wrk)"
done

mkdir -p "$WORK_PARENT"
WORK_PARENT="$(cd "$WORK_PARENT" && pwd)"
RUN_DIR="$(mktemp -d "$WORK_PARENT/routing-XXXXXX")"
DATA_DIR="$RUN_DIR/qreg-data"
SERVER_LOG="$RUN_DIR/server.log"
SERVER_PID=""

cleanup() {
  local rc=$?
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && $rc -ne 1 && -f "$SERVER_LOG" ]]; then
    echo "---- last lines of the server log ----" >&2
    tail -n 40 "$SERVER_LOG" >&2 || true
  fi
  [[ -f "$SERVER_LOG" ]] && cp -f -- "$SERVER_LOG" "$WORK_PARENT/last-routing-server.log" 2>/dev/null || true
  if [[ "$KEEP" -eq 1 ]]; then log "kept $RUN_DIR"; else rm -rf -- "$RUN_DIR"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

server_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
CORES="$(nproc)"
JDK="$("$JAVA" -version 2>&1 | head -n 1)"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
GIT_REV="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
WRK_VERSION="$( (wrk -v 2>&1 || true) | head -n 1 | awk '{ print $1, $2 }')"

JAR="$REPO/registry-service/target/registry-service.jar"
if [[ "$BUILD" -eq 1 ]]; then
  log "building ($REPO/mvnw -B -q -DskipTests package)"
  (cd "$REPO" && ./mvnw -B -q -DskipTests package) || die "build failed"
fi
[[ -f "$JAR" ]] || die "no $JAR (build it, or drop --no-build)"

# ---------------------------------------------------------------- start the registry
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
log "starting the registry (data dir $DATA_DIR)"
mkdir -p "$DATA_DIR"
# shellcheck disable=SC2086
QREG_DATA_DIR="$DATA_DIR" QREG_PORT=0 QREG_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" QREG_EMBEDDED_WORKER=false \
  "$JAVA" ${QREG_BENCH_SERVER_OPTS:-} -Dserver.address=127.0.0.1 -jar "$JAR" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 360); do
  kill -0 "$SERVER_PID" 2>/dev/null || die "the registry exited during start-up"
  PORT="$(grep -oE 'Tomcat started on port[s]?[^0-9]*[0-9]+' "$SERVER_LOG" 2>/dev/null | grep -oE '[0-9]+$' | head -n 1 || true)"
  [[ -n "$PORT" ]] && break
  sleep 0.5
done
[[ -n "$PORT" ]] || die "the registry did not report its port within 180 s"
BASE="http://127.0.0.1:$PORT"
AUTH=(-H "Authorization: Bearer $TOKEN")
code=""
for _ in $(seq 1 120); do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${AUTH[@]}" "$BASE/api/v1/models" || true)"
  [[ "$code" == 200 ]] && break
  sleep 0.5
done
[[ "$code" == 200 ]] || die "GET /api/v1/models with the bootstrap token: HTTP $code"
log "registry UP at $BASE (pid $SERVER_PID)"

api() {  # api METHOD PATH [JSON] -> body on stdout; dies unless 2xx
  local out="$RUN_DIR/api.out" code
  code="$(curl -s -o "$out" -w '%{http_code}' --max-time 60 "${AUTH[@]}" -X "$1" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "$BASE$2")"
  [[ "$code" == 2* ]] || die "$1 $2: HTTP $code $(head -c 1000 "$out")"
  cat "$out"
}

# ---------------------------------------------------------------- scene
api POST /api/v1/users '{"username":"bench-gateway","roles":["GATEWAY"]}' >/dev/null
GATEWAY_TOKEN="$(api POST /api/v1/tokens '{"name":"bench","username":"bench-gateway"}' | jq -r .token)"
api POST /api/v1/models '{"name":"bench-model","task":"classification","owner":"bench"}' >/dev/null
code="$(curl -s -o "$RUN_DIR/ckpt.json" -w '%{http_code}' --max-time 60 "${AUTH[@]}" \
  -F 'metadata={"version":"1.0.0","license":"Apache-2.0","redistribution":"allowed"};type=application/json' \
  -F "file=@$REPO/registry-service/src/test/resources/fixtures/digits_mlp.onnx;type=application/octet-stream" \
  "$BASE/api/v1/models/bench-model/checkpoints")"
[[ "$code" == 201 ]] || die "checkpoint upload: HTTP $code $(cat "$RUN_DIR/ckpt.json")"
CHECKPOINT="$(jq -r .id "$RUN_DIR/ckpt.json")"
# A sandbox environment: the FP32 checkpoint serves without an approval there; what gateways poll is the same.
api POST /api/v1/deployments '{"name":"bench","modelName":"bench-model","environments":[{"name":"production","approvalRequired":false}],"tiers":[{"name":"standard","default":true},{"name":"premium"}]}' >/dev/null
api POST /api/v1/deployments/bench/rollouts "{\"checkpointId\":\"$CHECKPOINT\",\"environment\":\"production\",\"tier\":\"standard\",\"steps\":[100]}" >/dev/null

ROUTING="$BASE/api/v1/routing/bench?environment=production"
GW=(-H "Authorization: Bearer $GATEWAY_TOKEN")
ETAG="$(curl -s -D - -o "$RUN_DIR/routing.json" "${GW[@]}" "$ROUTING" | awk -F': ' 'tolower($1) == "etag" { print $2 }' | tr -d '\r')"
[[ -n "$ETAG" ]] || die "no ETag on GET $ROUTING"
BODY_BYTES="$(stat -c %s "$RUN_DIR/routing.json")"
code="$(curl -s -o /dev/null -w '%{http_code}' "${GW[@]}" -H "If-None-Match: $ETAG" "$ROUTING")"
[[ "$code" == 304 ]] || die "GET with If-None-Match $ETAG: HTTP $code, expected 304"
log "routing config: revision $(jq -r .revision "$RUN_DIR/routing.json"), $BODY_BYTES bytes, ETag $ETAG"

# ---------------------------------------------------------------- measure
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else printf "%.2f", v * 1000 }'; }
RESULTS=()
measure() {  # measure LABEL URL [curl-style headers...]
  local label="$1" url="$2"; shift 2
  local out="$RUN_DIR/wrk-$label.txt" c0 c1
  log "$label: wrk -t$THREADS -c$CONNECTIONS, 5 s warm-up, ${SECONDS_PER_URL} s measured"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$@" "$url" >/dev/null
  c0=$(server_ticks)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_URL}s" --latency "$@" "$url" >"$out" || die "wrk failed: $(cat "$out")"
  c1=$(server_ticks)
  local rps p50 p90 p99 max errors reqs cpu
  rps="$(awk '$1 == "Requests/sec:" { print $2 }' "$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
  p90="$(to_ms "$(awk '$1 == "90%" { print $2 }' "$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
  max="$(to_ms "$(awk '$1 == "Latency" { print $4 }' "$out")")"
  reqs="$(awk '/requests in/ { print $1 }' "$out")"
  errors="$(awk '/Non-2xx/ { print $NF }' "$out")"; errors="${errors:-0}"
  local socket; socket="$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")"
  errors=$((errors + ${socket:-0}))
  cpu="$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v r="$reqs" 'BEGIN { printf "%.0f", (r > 0 ? t / hz * 1e6 / r : 0) }')"
  log "  $rps req/s, p50 $p50 ms, p90 $p90 ms, p99 $p99 ms, max $max ms, $errors errors, $cpu us registry CPU/request"
  RESULTS+=("$label|$rps|$p50|$p90|$p99|$max|$reqs|$errors|$cpu")
}
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
{
  echo "## Routing poll ($STARTED_AT)"
  echo
  echo "Command: \`$COMMAND_LINE\` (repo rev \`$GIT_REV\`); $WRK_VERSION on the same machine."
  echo
  echo "Machine: ${CPU_MODEL:-unknown}, $CORES cores; $JDK; load average at start / end $LOAD_START / $LOAD_END."
  echo "Routing config: 1 environment, 1 rule, $BODY_BYTES bytes."
  echo
  echo "| URL ($CONNECTIONS connections, ${SECONDS_PER_URL} s) | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | errors | registry CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r label rps p50 p90 p99 max reqs errs cpu <<<"$r"
    case "$label" in
      baseline) what="baseline \`GET /actuator/health/liveness\` (no token, no database)" ;;
      routing-200) what="\`GET /api/v1/routing/{d}?environment=\` → 200" ;;
      routing-304) what="\`GET /api/v1/routing/{d}?environment=\` + \`If-None-Match\` → 304" ;;
      routing-304-paced) what="the same 304, each poller once per $PACE_MS ms ($TARGET_RPS req/s offered)" ;;
    esac
    echo "| $what | $rps | $p50 | $p90 | $p99 | $max | $reqs | $errs | $cpu |"
  done
  echo
  echo "| target | figure | threshold | verdict |"
  echo "|---|---:|---:|---|"
  echo "| 304 responses/s at $CONNECTIONS pollers | $RPS | >= $TARGET_RPS | $RPS_V |"
  echo "| 304 p99 at $PACED_RPS req/s ($CONNECTIONS pollers paced to $TARGET_RPS/s) | $P99 ms | < $TARGET_P99_MS ms | $P99_V |"
  echo "| (304 p99 when saturated, for reference) | $SAT_P99 ms | - | - |"
} | tee "$WORK_PARENT/last-routing-report.md"
exit "$FAILED"
