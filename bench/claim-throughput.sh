#!/usr/bin/env bash
# The job queue under a simulated fleet: claim throughput and latency with N workers long-polling
# one registry, and the time from submitting a job to an idle worker holding it.
# usage: bench/claim-throughput.sh [--no-build] [WORKERS=50] [JOBS=1000] [DISPATCH=100]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--no-build" ]]; then shift; else ./mvnw -B -q -DskipTests package; fi
WORKERS="${1:-50}" JOBS="${2:-1000}" DISPATCH="${3:-100}"
RUN_DIR="$(mktemp -d target/claim-bench.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18091)"
TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
QREG_DATA_DIR="$RUN_DIR/data" QREG_PORT="$PORT" QREG_BOOTSTRAP_ADMIN_TOKEN="$TOKEN" QREG_EMBEDDED_WORKER=false \
  java ${REGISTRY_JAVA_OPTS:-} -Dserver.address=127.0.0.1 -jar "${REGISTRY_JAR:-registry-service/target/registry-service.jar}" >"$RUN_DIR/registry.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$RUN_DIR"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break; sleep 1; done
# CPU time (user+system) of a process, and of every postgres process, from /proc (clock ticks).
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat"; }
pg_cpu_seconds() { for p in $(pgrep -x postgres); do cpu_seconds "$p"; done 2>/dev/null | awk '{s+=$1} END {print s+0}'; }
cpu_before="$(cpu_seconds "$PID")"; pg_before="$(pg_cpu_seconds)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
java bench/ClaimThroughput.java "http://127.0.0.1:$PORT" "$TOKEN" registry-service/src/test/resources/fixtures/digits_mlp.onnx \
  "$WORKERS" "$JOBS" "$DISPATCH" "$PID" | tee "$RUN_DIR/out.txt"
cpu_after="$(cpu_seconds "$PID")"; pg_after="$(pg_cpu_seconds)"
echo "cpu seconds during the run: registry $(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN{print b-a}'), postgres $(awk -v a="$pg_before" -v b="$pg_after" 'BEGIN{print b-a}')"
rate="$(awk -F= '$1=="claims_per_s"{print $2}' "$RUN_DIR/out.txt")"
p99="$(awk -F= '$1=="paced_claim_p99_ms"{print $2}' "$RUN_DIR/out.txt")"
sat99="$(awk -F= '$1=="claim_p99_ms"{print $2}' "$RUN_DIR/out.txt")"
d50="$(awk -F= '$1=="dispatch_p50_ms"{print $2}' "$RUN_DIR/out.txt")"
verdict() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { ok = (op == ">=" ? a >= b : a < b); print (ok ? "PASS" : "FAIL") }'; }
echo "| target | figure | verdict |"
echo "|---|---:|---|"
echo "| claims/s with $WORKERS workers >= 200 | $rate | $(verdict "$rate" ">=" 200) |"
echo "| claim p99 < 100 ms at 200 claims/s across $WORKERS workers | $p99 ms | $(verdict "$p99" "<" 100) |"
echo "| (claim p99 while saturated, for reference) | $sat99 ms | - |"
echo "| submit-to-start p50 < 200 ms (idle workers) | $d50 ms | $(verdict "$d50" "<" 200) |"
