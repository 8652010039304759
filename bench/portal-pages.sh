#!/usr/bin/env bash
# Portal page latency at scale (issue 6): seeds 10,000 variants (each with an evaluation and a
# benchmark) and 100,000 audit events into a fresh embedded PostgreSQL, then fetches every portal
# page as a signed-in person over HTTP, one request at a time (5 warm-up + 40 measured each), and
# prints p50/p95/max per page against the p95 < 300 ms target. The report is also written to
# registry-service/target/bench/portal-pages.md. Exit status 0 when every page passes.
# usage: bench/portal-pages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
./mvnw -B -q -pl registry-service -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=PortalPagesBenchmark -DtrimStackTrace=true \
  | grep -E '^(\||Seeded)' || true
cat registry-service/target/bench/portal-pages.md
! grep -q '| FAIL |' registry-service/target/bench/portal-pages.md
