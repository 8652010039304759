#!/usr/bin/env bash
# Shared by the bench scripts that take options (bench/registry-throughput.sh, bench/routing-poll.sh,
# bench/rollout-analysis.sh): usage from the script's header comment, errors prefixed with the script's
# name, timestamped progress on stderr, the check of a positive integer option and the options all three
# take. Sourced, not run.

# usage [STATUS]: the header comment of the running script (from its second line to the first blank
# line), without the leading "# ", then exit STATUS (default 2, bad usage).
usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; exit "${1:-2}"; }
die() { echo "$(basename "$0" .sh): $*" >&2; exit 3; }
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
need_int() { [[ "$2" =~ ^[0-9]+$ && "$2" -ge 1 ]] || { echo "$1 needs a positive integer, got '$2'" >&2; exit 2; }; }

# common_option ARGS...: the options every registry bench takes (--no-build, --work-dir DIR, --keep,
# -h/--help), read off the front of ARGS; anything else is a usage error. Sets OPTION_WORDS to the
# number of words read, for the caller's shift.
common_option() {
  case "$1" in
    --no-build) BUILD=0; OPTION_WORDS=1 ;;
    --work-dir) [[ -n "${2:-}" ]] || usage 2; WORK_PARENT="$2"; OPTION_WORDS=2 ;;
    --keep) KEEP=1; OPTION_WORDS=1 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
}
