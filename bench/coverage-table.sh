#!/usr/bin/env bash
# Regenerates the op type x method table of docs/BENCHMARKS.md ("Quantizer coverage").
#
# The engine's columns come from the passes' op tables (QuantizationPass.coverage(), via Passes for
# every method), the ONNX Runtime columns from io.qreg.engine.quant.CoverageTable (transcribed from
# onnxruntime/python/tools/quantization/registry.py). Runs CoverageTableTest with
# -Dqreg.coverage.write=true, which rewrites the table between its markers and prints it. Without the
# property the same test fails the build when the table in the docs is stale.
#
# Usage: bench/coverage-table.sh [--offline]

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MVN_ARGS=(-B -q -pl quantizer-worker -am)
if [ "${1:-}" = "--offline" ]; then
  MVN_ARGS=(-o "${MVN_ARGS[@]}")
fi
cd "$REPO"
./mvnw "${MVN_ARGS[@]}" test -Dtest=CoverageTableTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dqreg.coverage.write=true
git --no-pager diff --stat -- docs/BENCHMARKS.md
