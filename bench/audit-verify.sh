#!/usr/bin/env bash
# Audit log verification at scale (issue 11): loads 1,000,000 real, hash-chained audit events into a
# fresh embedded PostgreSQL, lets the registry sign a tree head every 1,000 of them, then times
# GET /api/v1/audit/verify's work (AuditVerifier.verify: every anchored head's signature, then one pass
# recomputing leaf hashes and the Merkle root) against the old hash-chain walk over the same events,
# 3 runs each. Target: verify <= 10 s (exit 0 pass, 1 fail, 3 did not run). Report also at registry-service/target/bench/audit-verify.md.
# usage: bench/audit-verify.sh [EVENTS=1000000] [REPS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${1:-1000000}" REPS="${2:-3}"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: $0 $EVENTS $REPS"
rm -f registry-service/target/bench/audit-verify.md
./mvnw -B -q -pl registry-service -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=AuditVerifyBenchmark -DtrimStackTrace=true \
  -Dbench.events="$EVENTS" -Dbench.reps="$REPS" >/dev/null || true
[[ -f registry-service/target/bench/audit-verify.md ]] || { echo "the benchmark did not run (see registry-service/target/failsafe-reports)"; exit 3; }
cat registry-service/target/bench/audit-verify.md
! grep -q '| FAIL |' registry-service/target/bench/audit-verify.md
