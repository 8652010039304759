#!/usr/bin/env bash
# Shared by the benchmarks that start a registry (bench/registry-throughput.sh, bench/routing-poll.sh,
# bench/rollout-analysis.sh): the run directory and its cleanup, the machine's facts, building and
# starting the registry jar, an API helper, the routing scene gateways poll, and wrk measurements.
# Sourced, not run. The caller defines REPO, JAVA, BUILD, KEEP, WORK_PARENT (and, to measure,
# THREADS, CONNECTIONS, SECONDS_PER_URL) and the functions die and log (bench/lib/script.sh).

# bench_start NAME: checks the tools, makes the run directory, builds and starts the registry with a
# bootstrap token, and creates the GATEWAY account (GATEWAY_TOKEN) and the model 'bench-model'.
# Processes listed in BENCH_PIDS are stopped first at exit.
bench_start() {
  need_tools curl jq awk wrk
  bench_run_dir "$1" "$WORK_PARENT/last-$1-server.log"
  bench_facts
  bench_build
  bench_registry
  api POST /api/v1/users '{"username":"bench-gateway","roles":["GATEWAY"]}' >/dev/null
  GATEWAY_TOKEN="$(api POST /api/v1/tokens '{"name":"bench","username":"bench-gateway"}' | jq -r .token)"
  api POST /api/v1/models '{"name":"bench-model","task":"classification","owner":"bench"}' >/dev/null
}

need_tools() {  # need_tools TOOL...: dies naming the first tool not on PATH (JAVA is always needed)
  for tool in "$@" "$JAVA"; do
    if ! command -v "$tool" >/dev/null; then
      if [[ "$tool" == wrk ]]; then die "missing tool: wrk (apt-get install -y wrk)"; fi
      die "missing tool: $tool"
    fi
  done
}

# bench_run_dir PREFIX KEPT_LOG: makes the run directory RUN_DIR below WORK_PARENT (made absolute),
# with DATA_DIR and SERVER_LOG in it, and sets the cleanup that stops the registry and the
# processes in BENCH_PIDS at exit and keeps the server log as KEPT_LOG.
bench_run_dir() {
  mkdir -p "$WORK_PARENT"
  WORK_PARENT="$(cd "$WORK_PARENT" && pwd)"
  RUN_DIR="$(mktemp -d "$WORK_PARENT/$1-XXXXXX")"
  KEPT_SERVER_LOG="$2"
  DATA_DIR="$RUN_DIR/qreg-data"
  SERVER_LOG="$RUN_DIR/server.log"
  SERVER_PID=""
  BENCH_PIDS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bench_cleanup() {
  local rc=$?
  for pid in "${BENCH_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
  done
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping registry (pid $SERVER_PID)"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      log "registry did not stop in 30 s; killing it"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && $rc -ne 1 && -f "$SERVER_LOG" ]]; then
    echo "---- last lines of the server log ----" >&2
    tail -n 40 "$SERVER_LOG" >&2 || true
  fi
  [[ -f "$SERVER_LOG" ]] && cp -f -- "$SERVER_LOG" "$KEPT_SERVER_LOG" 2>/dev/null || true
  if [[ "$KEEP" -eq 1 ]]; then log "kept $RUN_DIR"; else rm -rf -- "$RUN_DIR"; fi
  exit "$rc"
}

server_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# The machine, the JDK, the load and the revision, for the report.
bench_facts() {
  CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
  CPU_MODEL="${CPU_MODEL:-unknown}"
  CORES="$(nproc)"
  JDK="$("$JAVA" -version 2>&1 | head -n 1)"
  LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
  UPTIME_START="$(uptime)"
  STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  GIT_REV="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  WRK_VERSION="$( (wrk -v 2>&1 || true) | head -n 1 | awk '{ print $1, $2 }')"
}

# Builds the jar (unless BUILD=0) and checks it is there; sets JAR.
bench_build() {
  JAR="$REPO/registry-service/target/registry-service.jar"
  if [[ "$BUILD" -eq 1 ]]; then
    log "building ($REPO/mvnw -B -q -DskipTests package)"
    (cd "$REPO" && ./mvnw -B -q -DskipTests package) || die "build failed"
  fi
  [[ -f "$JAR" ]] || die "no $JAR (build it, or drop --no-build)"
}

# Starts JAR on a free loopback port and waits until the bootstrap token is accepted; sets BASE, AUTH,
# TOKEN, SERVER_PID.
bench_registry() {
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
}

api() {  # api METHOD PATH [JSON] -> body on stdout; dies unless 2xx
  local out="$RUN_DIR/api.out" code
  code="$(curl -s -o "$out" -w '%{http_code}' --max-time 60 "${AUTH[@]}" -X "$1" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "$BASE$2")"
  [[ "$code" == 2* ]] || die "$1 $2: HTTP $code $(head -c 1000 "$out")"
  cat "$out"
}

# upload_checkpoint VERSION -> the id of a new checkpoint of bench-model (the digits fixture).
upload_checkpoint() {
  local code
  code="$(curl -s -o "$RUN_DIR/ckpt.json" -w '%{http_code}' --max-time 60 "${AUTH[@]}" \
    -F "metadata={\"version\":\"$1\",\"license\":\"Apache-2.0\",\"redistribution\":\"allowed\"};type=application/json" \
    -F "file=@$REPO/registry-service/src/test/resources/fixtures/digits_mlp.onnx;type=application/octet-stream" \
    "$BASE/api/v1/models/bench-model/checkpoints")"
  [[ "$code" == 201 ]] || die "checkpoint upload: HTTP $code $(cat "$RUN_DIR/ckpt.json")"
  jq -r .id "$RUN_DIR/ckpt.json"
}

# routing_scene CHECKPOINT: the deployment 'bench' whose default tier serves the checkpoint, the URL
# gateways poll (ROUTING), its current ETag (checked to answer 304) and its size (BODY_BYTES).
routing_scene() {
  # A sandbox environment: the FP32 checkpoint serves without an approval there; what gateways poll is the same.
  api POST /api/v1/deployments '{"name":"bench","modelName":"bench-model","environments":[{"name":"production","approvalRequired":false}],"tiers":[{"name":"standard","default":true},{"name":"premium"}]}' >/dev/null
  api POST /api/v1/deployments/bench/rollouts "{\"checkpointId\":\"$1\",\"environment\":\"production\",\"tier\":\"standard\",\"steps\":[100]}" >/dev/null
  ROUTING="$BASE/api/v1/routing/bench?environment=production"
  GW=(-H "Authorization: Bearer $GATEWAY_TOKEN")
  ETAG="$(curl -s -D - -o "$RUN_DIR/routing.json" "${GW[@]}" "$ROUTING" | awk -F': ' 'tolower($1) == "etag" { print $2 }' | tr -d '\r')"
  [[ -n "$ETAG" ]] || die "no ETag on GET $ROUTING"
  BODY_BYTES="$(stat -c %s "$RUN_DIR/routing.json")"
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' "${GW[@]}" -H "If-None-Match: $ETAG" "$ROUTING")"
  [[ "$code" == 304 ]] || die "GET with If-None-Match $ETAG: HTTP $code, expected 304"
  log "routing config: revision $(jq -r .revision "$RUN_DIR/routing.json"), $BODY_BYTES bytes, ETag $ETAG"
}

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else printf "%.2f", v * 1000 }'; }

# wrk_figures FILE: the figures of a `wrk --latency` report, one KEY=VALUE a line: rps, p50_ms, p90_ms,
# p99_ms, max_ms, requests, errors (non-2xx answers) and socket_errors.
wrk_figures() {
  local out="$1" non2xx socket
  echo "rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$out")"
  for p in 50 90 99; do echo "p${p}_ms=$(to_ms "$(awk -v p="$p%" '$1 == p { print $2 }' "$out")")"; done
  echo "max_ms=$(to_ms "$(awk '$1 == "Latency" { print $4 }' "$out")")"
  echo "requests=$(awk '/requests in/ { print $1 }' "$out")"
  non2xx="$(awk '/Non-2xx/ { print $NF }' "$out")"; echo "errors=${non2xx:-0}"
  socket="$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")"; echo "socket_errors=${socket:-0}"
}

# figure KEY FILE: the value of KEY in a file of KEY=VALUE lines (wrk_figures, the Java load tools).
figure() { awk -F= -v k="$1" '$1 == k { print $2 }' "$2"; }

RESULTS=()
measure() {  # measure LABEL URL [curl-style headers...]
  local label="$1" url="$2"; shift 2
  local out="$RUN_DIR/wrk-$label.txt" figures="$RUN_DIR/wrk-$label.figures" c0 c1
  log "$label: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP_SECONDS:-5} s warm-up, ${SECONDS_PER_URL} s measured"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP_SECONDS:-5}s" "$@" "$url" >/dev/null
  c0=$(server_ticks)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_URL}s" --latency "$@" "$url" >"$out" || die "wrk failed: $(cat "$out")"
  c1=$(server_ticks)
  wrk_figures "$out" >"$figures"
  local rps p50 p90 p99 max errors reqs cpu
  rps="$(figure rps "$figures")"; p50="$(figure p50_ms "$figures")"; p90="$(figure p90_ms "$figures")"
  p99="$(figure p99_ms "$figures")"; max="$(figure max_ms "$figures")"; reqs="$(figure requests "$figures")"
  errors=$(( $(figure errors "$figures") + $(figure socket_errors "$figures") ))
  cpu="$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v r="$reqs" 'BEGIN { printf "%.0f", (r > 0 ? t / hz * 1e6 / r : 0) }')"
  log "  $rps req/s, p50 $p50 ms, p90 $p90 ms, p99 $p99 ms, max $max ms, $errors errors, $cpu us registry CPU/request"
  RESULTS+=("$label|$rps|$p50|$p90|$p99|$max|$reqs|$errors|$cpu")
}

# results_table FIRST_HEADER DESCRIBE: RESULTS as a Markdown table, each row named by `DESCRIBE LABEL`.
results_table() {
  echo "| $1 | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | errors | registry CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  local r label rps p50 p90 p99 max reqs errs cpu
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r label rps p50 p90 p99 max reqs errs cpu <<<"$r"
    echo "| $("$2" "$label") | $rps | $p50 | $p90 | $p99 | $max | $reqs | $errs | $cpu |"
  done
}
