#!/usr/bin/env bash
# QReg quantization engine speed benchmark.
#
# Runs the @Tag("bench") test io.qreg.engine.benchmark.EngineSpeedBenchmark through the Maven profile
# `bench` (JVM capped at -Xmx3g): generates a ~85M-parameter transformer shaped like bytelm_small's export,
# times the engine's int8-dynamic and int4-weight quantization of it (warm-up + 3 runs, peak heap), int4 block 32
# with --algorithm rtn, hqq and gptq (64 calibration sequences of 128 tokens; one run each, peak heap), then
# measures bytelm_small's batch-1, 1-thread ONNX Runtime latency for FP32 and every quantization method.
# Prints the Markdown report (also at quantizer-worker/target/bench/engine-speed.md).
#
# Usage: bench/engine-speed.sh [--offline] [--reps N] [--iterations N] [--warmup N]
#   --offline        pass -o to Maven (no network)
#   --reps N         timed quantization runs per method after the warm-up run (default 3)
#   --iterations N   timed ORT rounds for bytelm_small (default 200)
#   --warmup N       untimed ORT runs per model first (default 20)
#
# Exit status: 0 all targets pass, 1 a target fails, 3 the benchmark itself could not run (no report).

set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPORT="$REPO/quantizer-worker/target/bench/engine-speed.md"
MVN_ARGS=(-B -q -Pbench -pl quantizer-worker -am)
PROPS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --offline) MVN_ARGS=(-o "${MVN_ARGS[@]}") ;;
    --reps) PROPS+=("-Dbench.reps=$2"); shift ;;
    --iterations) PROPS+=("-Dbench.iterations=$2"); shift ;;
    --warmup) PROPS+=("-Dbench.warmup=$2"); shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 3 ;;
  esac
  shift
done

COMMAND="./mvnw ${MVN_ARGS[*]}${PROPS[*]:+ ${PROPS[*]}} test"
cd "$REPO"
rm -f "$REPORT"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

./mvnw "${MVN_ARGS[@]}" "${PROPS[@]}" "-Dbench.command=${COMMAND% }" test >"$LOG" 2>&1
STATUS=$?

if [ ! -s "$REPORT" ]; then
  cat "$LOG" >&2
  echo "engine-speed: the benchmark did not produce $REPORT (Maven exit $STATUS)" >&2
  exit 3
fi
cat "$REPORT"
if [ $STATUS -ne 0 ] || ! head -1 "$REPORT" | grep -q PASS; then
  echo >&2
  grep -E "expected|Expecting|FAIL|ERROR" "$LOG" | head -20 >&2
  exit 1
fi
exit 0
